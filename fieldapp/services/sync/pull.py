"""Pull: HQ's record versions after this device's cursor, page by page.

Each page is applied in one local transaction together with the new cursor, so a pull
that stops anywhere (the network cut, the program killed mid-apply) resumes from the
last page applied and never applies a page twice. The next page is fetched while this
one is applied (HTTP on one thread, SQLite on this one). A version of a record that
still has a local change waiting is not applied over it (``store.pulled``): HQ answers
that change with its merge, which a later page brings.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from fieldapp.services.context import ServiceContext
from fieldapp.services.sync import db
from fieldapp.store import pulled
from fieldapp.store.audit import utc_text as audit_text
from fieldapp.store.queries import sync as queries
from fieldapp.sync.client import HqClient
from fieldapp.sync.protocol import DEFAULT_PULL_PAGE, Entity

ProgressFn = Callable[[str, int, int], None]
_MAX_PAGES = 1_000_000
BULK_FROM = 20_000  # versions still to pull from which indexes are rebuilt once at the end


@dataclass
class PullSummary:
    pulled: int = 0  # versions written to the store
    unchanged: int = 0
    held_back: int = 0
    collisions: list[tuple[str, str]] = field(default_factory=list)
    bad: int = 0
    merges: int = 0
    pages: int = 0
    cursor: int = 0
    high_water: int = 0
    entities: set[Entity] = field(default_factory=set)
    evidence: list[str] = field(default_factory=list)


def pull_all(ctx: ServiceContext, client: HqClient, conn: sqlite3.Connection, *,
             limit: int = DEFAULT_PULL_PAGE, progress: ProgressFn | None = None,
             from_zero: bool = False, rebuild: frozenset[str] | None = None) -> PullSummary:
    """Pull until HQ has nothing more. ``from_zero``: a full resync (from cursor 0,
    the stored cursor kept where it was unless the resync passes it)."""
    summary = PullSummary()
    stored = int(db.get(conn, db.CURSOR, "0"))
    cursor = 0 if from_zero else stored
    state = _Run(summary, stored)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hq-pull") as fetcher:
        asked = cursor
        ahead: Future[dict[str, Any]] = fetcher.submit(client.pull, asked, limit)
        try:
            for _ in range(_MAX_PAGES):
                page = ahead.result()
                if int(page["cursor"]) < asked:  # an older page served again: ask again
                    ahead = fetcher.submit(client.pull, asked, limit)
                    continue
                more = bool(page.get("more"))
                if more:
                    ahead = fetcher.submit(client.pull, int(page["cursor"]), limit)
                state.page(ctx, conn, page, rebuild, asked)
                asked = int(page["cursor"])
                if progress:
                    progress("pull", summary.cursor, max(summary.high_water, summary.cursor))
                if not more:
                    break
        finally:
            if state.bulk:
                with db.transaction(conn):
                    pulled.end_bulk(conn)
    return summary


@dataclass
class _Run:
    summary: PullSummary
    stored: int  # the cursor stored (a full resync never moves it back)
    bulk: bool = False  # secondary indexes dropped for a large pull

    def page(self, ctx: ServiceContext, conn: sqlite3.Connection, page: dict[str, Any],
             rebuild: frozenset[str] | None, asked: int) -> None:
        next_cursor = int(page["cursor"])
        high = int(page.get("high_water", 0))
        if not self.bulk and high - next_cursor >= BULK_FROM:
            with db.transaction(conn):
                pulled.begin_bulk(conn)
            self.bulk = True
        self.stored = max(self.stored, next_cursor)
        _apply(ctx, conn, page, self.summary, self.stored, rebuild, asked)
        self.summary.pages += 1
        self.summary.cursor, self.summary.high_water = next_cursor, high


def _apply(ctx: ServiceContext, conn: sqlite3.Connection, page: dict[str, Any],
           summary: PullSummary, cursor: int, rebuild: frozenset[str] | None,
           asked: int) -> None:
    items: list[pulled.Pulled] = []
    for raw in page.get("changes", ()):
        if int(raw.get("server_seq") or 0) <= asked:
            continue  # before what was asked for (a page served twice): applied already
        item = pulled.parse_pulled(raw)
        if item is None:
            summary.bad += 1
        else:
            items.append(item)
    now = ctx.now()
    with db.transaction(conn):
        applier = pulled.PageApplier(conn, device_id=ctx.device_id, now=now,
                                     new_id=ctx.new_id, now_ms=int(now.timestamp() * 1000))
        done = applier.apply(items, _pending(conn), rebuild)
        summary.merges += _merges(conn, page.get("merges", ()))
        # Files the new evidence records name are queued with them (fetched later, shown
        # as pending meanwhile): a sync cut after this page still knows they are missing.
        missing = [(sha, audit_text(now)) for sha in set(done.evidence)
                   if not ctx.store.blobs.has(sha)]
        if missing:
            conn.executemany("INSERT OR IGNORE INTO blob_queue (sha256, direction, updated_at)"
                             " VALUES (?, 'down', ?)", missing)
        if done.written:
            applier.sign(ctx.store.sign if ctx.store.device_key() else None)
        db.put(conn, db.CURSOR, cursor)
    summary.pulled += done.written
    summary.unchanged += done.unchanged
    summary.held_back += len(done.held_back)
    summary.collisions += done.collisions
    summary.entities |= done.entities
    summary.evidence += done.evidence


def _pending(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    return queries.pending_entities(conn)


def _merges(conn: sqlite3.Connection, merges: Any) -> int:
    rows = [(m["id"], m["squad_id"], m["kept_id"], m["merged_id"], m["decided_by"],
             m["decided_at"], int(m["server_seq"])) for m in merges]
    if rows:
        conn.executemany("INSERT OR IGNORE INTO subject_merge (id, squad_id, kept_id,"
                         " merged_id, decided_by, decided_at, server_seq)"
                         " VALUES (?,?,?,?,?,?,?)", rows)
    return len(rows)
