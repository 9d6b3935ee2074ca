"""The subject search index: an FTS5 table of our own tokens (see domain/text.py).

Rows of ``subject_search`` share their rowid with ``subject.local_seq``. A query becomes
an AND of FTS5 terms; multi-character Chinese queries are then checked for adjacency
against the subject's text, because two bigrams may match in different places.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, text

from fieldapp.domain.text import InitialsTable, normalise, query_terms, search_tokens
from fieldapp.resources import resource

# No prefix index: it doubles the cost of every insert, and measured over 200,000
# subjects prefix queries stay under 3 ms at p95 without it (bench/).
CREATE_INDEX_SQL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS subject_search USING fts5("
    "tokens, tokenize = 'unicode61 remove_diacritics 0', detail = none, columnsize = 0)"
)
_TEXT_COLUMNS = ("name", "shop_sign", "address", "phone", "id_number", "credit_code",
                 "appearance", "goods", "usual_place")
# Every column officers write words in is also indexed by its pinyin initials: a vendor
# is often known only by what they sell, how they look and where they stand.
NAME_COLUMNS = ("name", "shop_sign", "address", "appearance", "goods", "usual_place")


@cache
def initials_table() -> InitialsTable:
    table: dict[str, str] = {}
    with resource("pinyin", "initials.txt").open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            ch, initials = line.rstrip("\n").split("\t")
            table[ch] = initials
    return table


OTHER_TEXT_COLUMNS = tuple(c for c in _TEXT_COLUMNS if c not in NAME_COLUMNS)


def tokens_for(row: dict[str, Any] | Any) -> str:
    """The token string of a subject (a dict or an object with subject attributes)."""
    get = row.get if isinstance(row, dict) else lambda k, d="": getattr(row, k, d)
    return search_tokens(
        names=[get(c, "") or "" for c in NAME_COLUMNS],
        texts=[get(c, "") or "" for c in OTHER_TEXT_COLUMNS],
        table=initials_table(),
    )


def index_rows(conn: Connection, rows: Iterable[tuple[int, str]]) -> None:
    """Insert (local_seq, tokens) pairs; used by bulk loads."""
    conn.exec_driver_sql(
        "INSERT INTO subject_search(rowid, tokens) VALUES (?, ?)", list(rows)
    )


def reindex_subject(conn: Connection, local_seq: int, tokens: str) -> None:
    conn.execute(text("DELETE FROM subject_search WHERE rowid = :r"), {"r": local_seq})
    conn.execute(
        text("INSERT INTO subject_search(rowid, tokens) VALUES (:r, :t)"),
        {"r": local_seq, "t": tokens},
    )


def rebuild(conn: Connection) -> int:
    """Rebuild the whole index from the subject table; returns the number indexed."""
    conn.exec_driver_sql("DELETE FROM subject_search")
    cols = ", ".join(_TEXT_COLUMNS)
    result = conn.exec_driver_sql(f"SELECT local_seq, {cols} FROM subject")
    pairs = [
        (row[0], tokens_for(dict(zip(_TEXT_COLUMNS, row[1:], strict=True))))
        for row in result
    ]
    if pairs:
        index_rows(conn, pairs)
    return len(pairs)


def _adjacent_ok(query: str, row: Sequence[Any]) -> bool:
    chinese = [ch for ch in normalise(query) if not ch.isascii()]
    if len(chinese) < 3:
        return True
    haystack = normalise(" ".join(str(v or "") for v in row))
    return "".join(chinese) in haystack


def find_ids(conn: Connection, query: str, limit: int = 50) -> list[str]:
    """Ids of subjects matching every term of ``query``, newest first."""
    terms = query_terms(query)
    if not terms:
        return []
    match = " AND ".join(terms)
    cols = ", ".join(f"s.{c}" for c in _TEXT_COLUMNS)
    sql = (
        f"SELECT s.id, {cols} FROM subject_search f JOIN subject s ON s.local_seq = f.rowid "
        "WHERE subject_search MATCH ? AND s.deleted = 0 ORDER BY f.rowid DESC LIMIT ?"
    )
    found: list[str] = []
    for row in conn.exec_driver_sql(sql, (match, limit * 4)):
        if _adjacent_ok(query, row[1:]):
            found.append(row[0])
            if len(found) == limit:
                break
    return found
