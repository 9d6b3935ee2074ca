"""Text normalisation and the search tokens of a subject.

SQLite's stock FTS5 tokenizers cannot find a 2-character Chinese name (unicode61 does not
split Chinese; trigram needs 3 characters), so fieldapp builds its own tokens: unigrams
and bigrams of every Chinese run, every suffix of every letter/digit run (so a prefix
query finds any fragment of a phone or ID number) and, from every character on, the
pinyin initials of the characters that follow it in every reading of each (单 gives
d, s and c), so initials typed for any part of a field find it. The index stores tokens
separated by spaces.
"""

from __future__ import annotations

import itertools
import operator
import re
import unicodedata
from collections.abc import Iterable, Mapping

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_ALNUM_RUN = re.compile(r"[0-9a-z]+")
_MAX_INITIAL_COMBOS = 8
# From each character, the initials of up to _INITIALS_WINDOW characters in every
# combination of readings: always _INITIALS_WHOLE (a whole name, every reading), further
# only while the combinations stay few (a long address of 多音字 would explode).
_INITIALS_WINDOW = 12
_INITIALS_WHOLE = 4
_MAX_WINDOW_COMBOS = 32
_MAX_SUFFIX_RUN = 24

InitialsTable = Mapping[str, str]
"""Maps a Chinese character to the initials of its readings, e.g. ``单 -> "ds"``."""


_NON_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Full-width to half-width, case-folded, without spaces or punctuation."""
    if text.isascii():
        return _NON_WORD.sub("", text.lower())
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def is_cjk(ch: str) -> bool:
    return bool(_CJK_RUN.fullmatch(ch))


def _add_grams(tokens: set[str], norm: str) -> None:
    for run in _CJK_RUN.findall(norm):
        tokens.update(run)
        tokens.update(map(operator.add, run, run[1:]))  # bigrams


def _add_suffixes(tokens: set[str], norm: str) -> None:
    for run in _ALNUM_RUN.findall(norm):
        run = run[-_MAX_SUFFIX_RUN:]
        tokens.update([run[i:] for i in range(len(run))])


def cjk_grams(text: str) -> set[str]:
    """Unigrams and bigrams of every Chinese run in ``text``."""
    grams: set[str] = set()
    _add_grams(grams, normalise(text))
    return grams


def alnum_suffixes(text: str) -> set[str]:
    """Every suffix of every letter/digit run, so a prefix query finds any fragment."""
    out: set[str] = set()
    _add_suffixes(out, normalise(text))
    return out


def _initials(norm: str, table: InitialsTable) -> list[str]:
    choices = [c for c in map(table.get, norm) if c]
    if not choices:
        return []
    combos = itertools.islice(itertools.product(*choices), _MAX_INITIAL_COMBOS)
    return ["".join(c) for c in combos]


def _initials_windows(norm: str, table: InitialsTable) -> set[str]:
    # A letter among the characters (地铁站B口) is typed as itself; digits are not.
    choices = [c for c in (table.get(ch) or (ch if ch.isascii() and ch.isalpha() else "")
                           for ch in norm) if c]
    out: set[str] = set()
    for start in range(len(choices)):
        end, combos = start, 1
        while end < len(choices) and end - start < _INITIALS_WINDOW:
            wider = combos * len(choices[end])
            if end - start >= _INITIALS_WHOLE and wider > _MAX_WINDOW_COMBOS:
                break
            end, combos = end + 1, wider
        out.update(map("".join, itertools.product(*choices[start:end])))
    return out


def pinyin_initials(text: str, table: InitialsTable) -> list[str]:
    """The initials spellings of the Chinese characters in ``text`` (several for 多音字)."""
    return _initials(normalise(text), table)


def search_tokens(
    *, names: Iterable[str], texts: Iterable[str], table: InitialsTable
) -> str:
    """The space-separated token string indexed for one subject.

    ``names`` (every field with Chinese words: name, shop sign, address, description,
    goods, usual place) also get pinyin initials; ``texts`` (phone, id number, codes)
    get fragments only.
    """
    return join_tokens([*(field_tokens(name, table) for name in names),
                        *(field_tokens(text) for text in texts)])


def field_tokens(text: str, table: InitialsTable | None = None) -> frozenset[str]:
    """The tokens of one field; with ``table`` also its pinyin initials from every
    character on (``_initials_windows``)."""
    tokens: set[str] = set()
    if norm := normalise(text):
        _add_text(tokens, norm)
        if table is not None and not norm.isascii():
            tokens |= _initials_windows(norm, table)
    return frozenset(tokens)


def join_tokens(fields: Iterable[frozenset[str]]) -> str:
    """One subject's token string from its fields' tokens."""
    return " ".join(sorted(frozenset().union(*fields)))


def _add_text(tokens: set[str], norm: str) -> None:
    if norm.isascii():  # phone and id numbers, codes: no Chinese to split
        _add_suffixes(tokens, norm)
        return
    _add_grams(tokens, norm)
    _add_suffixes(tokens, norm)


def query_terms(query: str) -> list[str]:
    """FTS5 terms for a user's query: all must match.

    A Chinese run of one character is a unigram, longer runs become their bigrams; a
    letter/digit run becomes a prefix query. Terms are quoted for FTS5.
    """
    norm = normalise(query)
    terms: list[str] = []
    for run in _CJK_RUN.findall(norm):
        if len(run) == 1:
            terms.append(f'"{run}"')
        else:
            terms.extend(f'"{run[i : i + 2]}"' for i in range(len(run) - 1))
    terms.extend(f'"{run}"*' for run in _ALNUM_RUN.findall(norm))
    return terms
