"""Search-index rows of demo subjects, made in bulk (``store.search.tokens_for``, with
each repeated field tokenised once)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fieldapp.domain.text import field_tokens, join_tokens
from fieldapp.interchange.demo.generator import SUBJECT_FIELDS
from fieldapp.store.search import NAME_COLUMNS, OTHER_TEXT_COLUMNS, initials_table

# The loader's subject rows: local_seq first, then the generator's fields.
ROW_COLUMNS = ("local_seq", *SUBJECT_FIELDS)
_UNIQUE_TEXTS = ("phone", "id_number", "credit_code")  # not worth caching


class SearchTokens:
    """``store.search.tokens_for`` of generated subjects. Names, shop signs, addresses
    and vendor descriptions repeat (200,000 subjects have some 77,000 names and 10,000
    addresses), so each one's tokens are made once; numbers and codes are unique."""

    _NAMES = tuple(ROW_COLUMNS.index(c) for c in NAME_COLUMNS)
    _REPEATED = tuple(ROW_COLUMNS.index(c) for c in OTHER_TEXT_COLUMNS
                      if c not in _UNIQUE_TEXTS)
    _UNIQUE = tuple(ROW_COLUMNS.index(c) for c in OTHER_TEXT_COLUMNS if c in _UNIQUE_TEXTS)

    def __init__(self) -> None:
        table = initials_table()
        self._name: dict[str, frozenset[str]] = {}
        self._text: dict[str, frozenset[str]] = {}
        self._named = lambda text: field_tokens(text, table)

    def __call__(self, row: tuple[Any, ...]) -> str:
        fields = [self._cached(self._name, self._named, row[i]) for i in self._NAMES]
        fields += [self._cached(self._text, field_tokens, row[i]) for i in self._REPEATED]
        fields += [field_tokens(row[i]) for i in self._UNIQUE]
        return join_tokens(fields)

    @staticmethod
    def _cached(cache: dict[str, frozenset[str]], make: Callable[[str], frozenset[str]],
                text: str) -> frozenset[str]:
        tokens = cache.get(text)
        if tokens is None:
            tokens = cache[text] = make(text)
        return tokens


def search_rows(batch: Sequence[tuple[Any, ...]],
                tokens: SearchTokens) -> list[tuple[Any, ...]]:
    """The search index rows (rowid = local_seq) of a batch of loader subject rows."""
    return [(row[0], tokens(row)) for row in batch]
