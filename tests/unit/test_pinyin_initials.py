"""The pinyin initials table (resources/pinyin/initials.txt) against pypinyin, and the
initials tokens of long fields full of 多音字."""

from __future__ import annotations

import unicodedata

from pypinyin.pinyin_dict import pinyin_dict

from fieldapp.domain.text import field_tokens, query_terms
from fieldapp.store.search import initials_table


def _readings(ch: str) -> set[str]:
    """The first letters of every reading in pypinyin's own dictionary, tone marks
    taken off here (not through ``pinyin()`` as the generator does, so the check is
    independent of it)."""
    readings = pinyin_dict.get(ord(ch), "").split(",")
    firsts = {unicodedata.normalize("NFKD", r)[:1].lower() for r in readings if r}
    return {f for f in firsts if f.isascii() and f.isalpha()}


def test_every_character_of_the_table_has_the_initials_of_all_its_readings() -> None:
    table = initials_table()
    assert len(table) > 20_000
    wrong = [(ch, initials) for ch, initials in table.items()
             if set(initials) != _readings(ch) or len(initials) != len(set(initials))]
    assert wrong == []


def test_well_known_heteronyms() -> None:
    table = initials_table()
    assert set(table["单"]) >= {"d", "s"}  # 单 dān, 单 shàn (a surname)
    assert set(table["曾"]) == {"z", "c"}  # 曾 zēng (a surname), céng
    assert set(table["长"]) == {"c", "z"} and set(table["行"]) == {"h", "x"}
    assert table["张"] == "z" and table["李"] == "l"


def _found(tokens: frozenset[str], query: str) -> bool:
    terms = query_terms(query)
    return bool(terms) and all(any(t.startswith(term.strip('"*')) for t in tokens)
                               for term in terms)


def test_initials_of_any_part_of_a_long_field_in_every_reading() -> None:
    table = initials_table()
    place = "朝阳门外长乐行大街单号曾家巷口"  # 朝 长 乐 行 单 曾: all 多音字
    tokens = field_tokens(place, table)
    for query in ("cymw", "zymw", "clh", "zyh", "dj", "wclxdj", "dhzj", "shcj", "zjxk", "xk"):
        assert _found(tokens, query), query
    assert not _found(tokens, "qqq")


def test_a_name_matches_by_every_reading_of_each_character() -> None:
    table = initials_table()
    for name, queries in (("单丽", ("dl", "sl", "cl")), ("曾小明", ("zxm", "cxm", "xm"))):
        tokens = field_tokens(name, table)
        assert all(_found(tokens, q) for q in queries), name
