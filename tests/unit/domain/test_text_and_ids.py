"""Search tokens, UUIDv7 and the hybrid logical clock (pure; no disk)."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from fieldapp.domain.hlc import Hlc, receive, tick
from fieldapp.domain.ids import is_uuid7, uuid7, uuid7_time_ms
from fieldapp.domain.text import (
    alnum_suffixes,
    cjk_grams,
    normalise,
    pinyin_initials,
    query_terms,
    search_tokens,
)

TABLE = {"张": "z", "三": "s", "李": "l", "单": "cds", "伟": "w"}


def test_normalise_folds_width_case_and_punctuation() -> None:
    assert normalise("ＡＢ１２ 张-三！") == "ab12张三"


def test_grams_are_unigrams_and_bigrams_of_chinese_runs() -> None:
    assert cjk_grams("张三李") == {"张", "三", "李", "张三", "三李"}
    assert cjk_grams("abc") == set()


def test_suffixes_let_a_prefix_query_find_any_fragment() -> None:
    suffixes = alnum_suffixes("电话13812345678")
    assert "12345678" in suffixes and "13812345678" in suffixes
    assert all(s.isdigit() for s in suffixes)


def test_pinyin_initials_cover_every_reading_of_heteronyms() -> None:
    assert pinyin_initials("张三李", TABLE) == ["zsl"]
    assert set(pinyin_initials("单伟", TABLE)) == {"cw", "dw", "sw"}


def test_search_tokens_and_query_terms_agree() -> None:
    tokens = set(search_tokens(names=["张三李"], texts=["13812345678"], table=TABLE).split())
    for query in ("张三", "三李", "张", "zsl", "sl", "2345"):
        for term in query_terms(query):
            word = term.strip('"*')
            assert any(t == word or (term.endswith("*") and t.startswith(word))
                       for t in tokens), (query, term)


def test_query_terms_split_chinese_into_bigrams_and_alnum_into_prefixes() -> None:
    assert query_terms("张三李四") == ['"张三"', '"三李"', '"李四"']
    assert query_terms("张") == ['"张"']
    assert query_terms("王 138") == ['"王"', '"138"*']
    assert query_terms("  ，。") == []


@given(st.integers(0, (1 << 48) - 1), st.binary(min_size=10, max_size=10))
def test_uuid7_carries_its_time_and_version(ms: int, rand: bytes) -> None:
    value = uuid7(ms, rand)
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert uuid7_time_ms(value) == ms
    assert is_uuid7(str(value))


@given(st.lists(st.integers(0, (1 << 47)), min_size=2, max_size=20))
def test_uuid7_sorts_by_time(times: list[int]) -> None:
    ids = [uuid7(t, bytes(10)) for t in times]
    assert [uuid7_time_ms(i) for i in sorted(ids)] == sorted(times)


def test_is_uuid7_rejects_other_versions() -> None:
    assert not is_uuid7(str(uuid.uuid4()))
    assert not is_uuid7("not-a-uuid")


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=30))
def test_hlc_ticks_are_strictly_increasing_even_if_the_clock_goes_back(walls) -> None:
    last = None
    stamps = []
    for wall in walls:
        last = tick(last, wall, "dev")
        stamps.append(last)
    assert stamps == sorted(stamps)
    assert len({s.encode() for s in stamps}) == len(stamps)
    assert [Hlc.decode(s.encode()) for s in stamps] == stamps


def test_hlc_receive_moves_past_a_remote_stamp() -> None:
    local = tick(None, 100, "a")
    remote = Hlc(500, 3, "b")
    after = receive(local, remote, 200, "a")
    assert after > remote and after.device == "a"
    assert after.encode() > remote.encode()


@given(st.integers(0, (1 << 48) - 1), st.binary(min_size=10, max_size=10))
def test_uuid7_text_is_the_uuid_as_text(ms: int, rand: bytes) -> None:
    from fieldapp.domain.ids import uuid7_text

    assert uuid7_text(ms, rand) == str(uuid7(ms, rand))


@given(st.integers(0, (1 << 48) - 1), st.integers(0, (1 << 80) - 1))
def test_uuid7_text_bits_is_the_uuid_of_the_same_bytes(ms: int, bits: int) -> None:
    from fieldapp.domain.ids import uuid7_text_bits

    expected = uuid7(ms, bits.to_bytes(10, "big"))
    assert uuid7_text_bits(ms, bits) == str(expected)
    assert expected.version == 7 and expected.variant == uuid.RFC_4122
