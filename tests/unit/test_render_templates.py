"""The template language: placeholders, fallbacks and block conditions."""

from __future__ import annotations

from fieldapp.documents.templates import fill, holds, pieces, value

SNAPSHOT = {"subject.name": "张伟", "subject.kind": "单位", "subject.shop_sign": "",
            "record.place": ""}


def test_placeholders_are_filled_and_missing_keys_are_empty() -> None:
    assert fill("{subject.name}：", SNAPSHOT) == "张伟："
    assert fill("地点：{record.place}{no.such_key}。", SNAPSHOT) == "地点：。"
    assert pieces("当事人{subject.name}", SNAPSHOT) == [("当事人", False), ("张伟", True)]


def test_a_fallback_takes_the_first_value_that_is_not_empty() -> None:
    assert value(SNAPSHOT, "record.place|subject.name") == "张伟"
    assert fill("{subject.shop_sign|record.place}", SNAPSHOT) == ""


def test_literal_braces_that_are_not_keys_stay() -> None:
    assert fill("{x} {1} 〔2026〕", SNAPSHOT) == "{x} {1} 〔2026〕"


def test_conditions() -> None:
    assert holds(None, SNAPSHOT)
    assert holds("subject.name", SNAPSHOT) and not holds("subject.shop_sign", SNAPSHOT)
    assert holds("!subject.shop_sign", SNAPSHOT)
    assert holds("subject.kind=单位", SNAPSHOT) and not holds("subject.kind=自然人", SNAPSHOT)
    assert holds(["subject.name", "subject.kind=单位"], SNAPSHOT)
    assert not holds(["subject.name", "subject.shop_sign"], SNAPSHOT)
