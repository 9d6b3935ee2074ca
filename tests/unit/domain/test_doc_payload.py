"""The verification code's format, the canonical snapshot hash and capital-numeral money."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from fieldapp.domain.amounts import rmb_upper, yuan_text
from fieldapp.domain.doc_payload import (
    DEFAULT_URL_BASE,
    Payload,
    canonical_json,
    content_sha256,
    parse_payload,
    strip_url,
)
from fieldapp.domain.document_text import fill, penalty_text
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.penalties import Penalty, PenaltyKind

DOC_ID = "0196f3a2-7b1c-7d3e-9a2b-1c2d3e4f5a6b"
QR_ALPHANUMERIC = re.compile(r"[0-9A-Z $%*+\-./:]+")


def _payload() -> Payload:
    unsigned = Payload.new(document_id=DOC_ID, key_id="ABCDEFGH", kind_code="PEN", year=2026,
                           serial=7, issued_on=dt.date(2026, 11, 21),
                           content_sha256_hex=content_sha256({"a": "甲"}))
    return unsigned.with_signature(bytes(range(64)))


def test_canonical_json_is_sorted_compact_and_keeps_chinese() -> None:
    assert canonical_json({"b": "乙", "a": "甲"}) == '{"a":"甲","b":"乙"}'
    assert content_sha256({"b": "乙", "a": "甲"}) == content_sha256({"a": "甲", "b": "乙"})


def test_payload_round_trips_and_fits_the_qr_alphanumeric_mode() -> None:
    payload = _payload()
    text = payload.text()
    assert text.startswith("FA1.") and len(text) < 200
    assert QR_ALPHANUMERIC.fullmatch(payload.url())
    parsed = parse_payload(text)
    assert parsed == payload
    assert parsed.document_id == DOC_ID
    assert parse_payload(payload.url()) == payload
    assert strip_url(DEFAULT_URL_BASE + text) == text


@pytest.mark.parametrize("text", ["", "hello", "FA2.A.B.PEN.2026-1.20261121.H.S",
                                  "FA1.A.B.pen.2026-1.20261121.H.S",
                                  "FA1.A.B.PEN.2026-01.20261121.H.S",
                                  "FA1.A.B.PEN.2026-1.20261321.H.S"])
def test_foreign_text_is_not_a_payload(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_payload(text)


def test_a_damaged_id_field_still_parses_so_the_signature_can_fail() -> None:
    text = _payload().text().replace(".", ".1", 1)  # '1' is not base32
    assert parse_payload(text).document_id == ""


@pytest.mark.parametrize(("fen", "words"), [
    (50000, "伍佰元整"), (0, "零元整"), (1000, "壹拾元整"), (1500000, "壹万伍仟元整"),
    (1005000, "壹万零伍拾元整"), (1050000, "壹万零伍佰元整"), (10000000, "壹拾万元整"),
    (10050000, "壹拾万零伍佰元整"), (1000000000, "壹仟万元整"),
    (10000000000, "壹亿元整"), (10001000000, "壹亿零壹万元整"),
    (123456, "壹仟贰佰叁拾肆元伍角陆分"), (50050, "伍佰元伍角整"),
    (50005, "伍佰元零伍分"), (5, "伍分"), (50, "伍角整")])
def test_capital_numerals(fen: int, words: str) -> None:
    assert rmb_upper(fen) == words


def test_yuan_text_and_penalty_wording() -> None:
    assert yuan_text(50000) == "500.00" and yuan_text(5) == "0.05"
    penalty = Penalty(frozenset({PenaltyKind.FINE, PenaltyKind.WARNING}), 50000)
    assert penalty_text(penalty) == "警告，罚款人民币伍佰元整"


def test_fill_replaces_snapshot_keys() -> None:
    assert fill("于{correction.deadline}前改正{x}", {"correction.deadline": "2026年11月24日"}) \
        == "于2026年11月24日前改正"
