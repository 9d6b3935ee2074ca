"""One sync, a fixed pipeline: push, number blocks, pull, files, divergence check.

Push comes first, so that HQ has every local change before its state comes down (a
version is never applied over a change still waiting). Each step commits its own
batches, so a sync stopped anywhere resumes where it stood: nothing is lost, nothing is
applied twice. A missing network is not an error the officer has to handle: the report
says HQ did not answer and the next sync tries again. A revoked device stops, exports
its unsynced work to an encrypted hand-over file, and wipes its store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field

from fieldapp.domain.changes import ChangeKind
from fieldapp.domain.errors import DomainError
from fieldapp.services.context import ServiceContext
from fieldapp.services.sync import db, divergence, files, numbers
from fieldapp.services.sync.errors import refused_text
from fieldapp.services.sync.link import client_for, load_link
from fieldapp.services.sync.pull import pull_all
from fieldapp.services.sync.push import pending_count, push_all
from fieldapp.store.audit import utc_text
from fieldapp.store.entities import BY_ENTITY
from fieldapp.store.queries import sync as queries
from fieldapp.sync.client import HqClient, HqRefused, HqUnreachable
from fieldapp.sync.protocol import MAX_CLOCK_SKEW_MS, ErrorCode

ProgressFn = Callable[[str, int, int], None]


class DeviceRevoked(DomainError):
    """HQ revoked this device: its unsynced work went to ``handover`` and its store was
    wiped."""

    def __init__(self, handover: str, passphrase: str) -> None:
        super().__init__("HQ revoked this device: its unsynced work is in the hand-over "
                         "file {path} (passphrase {passphrase}); this device's store was "
                         "wiped", path=handover, passphrase=passphrase)
        self.handover, self.passphrase = handover, passphrase


@dataclass
class SyncReport:
    online: bool = True
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0  # open conflicts this device's changes lost
    rejected: int = 0  # rejected changes nobody has acted on yet
    held: int = 0
    waiting: int = 0  # changes still waiting to be pushed
    files_pending: int = 0
    numbers_left: dict[str, int] = field(default_factory=dict)
    skew_ms: int | None = None
    skew_ok: bool = True
    first_sync: bool = False
    diverged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    changed: frozenset[ChangeKind] = frozenset()

    @property
    def numbers_left_total(self) -> int:
        return sum(self.numbers_left.values())


def sync_now(*, ctx: ServiceContext, progress: ProgressFn | None = None,
             client: HqClient | None = None, check: bool = True) -> SyncReport:
    """Sync with HQ now (the background timer, the sync button and ``fieldapp sync``).

    ``check``: compare checksums afterwards and repair a divergence."""
    link = load_link(ctx.store.data_dir)
    if link is None:
        raise DomainError("this device is not enrolled with HQ: enroll it first")
    own_client = client is None
    client = client or client_for(ctx, link)
    conn = db.connect(ctx)
    report = SyncReport(first_sync=not db.get(conn, db.FIRST_SYNC_DONE))
    kinds: set[ChangeKind] = {ChangeKind.SYNC}
    try:
        if db.get(conn, db.REVOKED):
            raise DomainError("HQ revoked this device: it no longer syncs")
        _run(ctx, client, conn, link.squad_id, report, kinds, progress, check)
        _finish(ctx, conn, report)
    except HqUnreachable:
        report.online = False
        _note_error(conn, "HQ did not answer: the sync tries again later")
    except HqRefused as refused:
        if refused.code is not ErrorCode.DEVICE_REVOKED:
            _note_error(conn, refused_text(refused))
            raise DomainError("HQ refused the sync: {reason}",
                              reason=refused_text(refused)) from None
        conn.close()
        from fieldapp.services.sync.handover import revoke_here

        raise revoke_here(ctx, client) from None
    finally:
        if own_client:
            client.close()
        with suppress(sqlite3.ProgrammingError):  # closed: the store was wiped
            _counts(conn, report)
            conn.close()
    report.changed = frozenset(kinds)
    return report


def sync_if_reachable(*, ctx: ServiceContext, progress: ProgressFn | None = None,
                      ) -> SyncReport:
    """The background sync: a quick look whether HQ answers (a few seconds at most, no
    retries), then ``sync_now``; a device away from the network gets an offline report
    at once instead of a worker thread waiting out every retry."""
    link = load_link(ctx.store.data_dir)
    if link is None:
        return SyncReport(online=False)
    client = client_for(ctx, link)
    try:
        client.version()
    except (HqUnreachable, HqRefused):
        client.close()
        conn = db.connect(ctx)
        try:
            _note_error(conn, "HQ did not answer: the sync tries again later")
            report = SyncReport(online=False)
            _counts(conn, report)
        finally:
            conn.close()
        report.changed = frozenset({ChangeKind.SYNC})
        return report
    try:
        return sync_now(ctx=ctx, progress=progress, client=client)
    finally:
        client.close()


def _run(ctx: ServiceContext, client: HqClient, conn: sqlite3.Connection, squad_id: str,
         report: SyncReport, kinds: set[ChangeKind], progress: ProgressFn | None,
         check: bool) -> None:
    pushed = push_all(ctx, client, conn, progress=progress,
                      device_time=lambda: utc_text(ctx.now()))
    report.pushed, report.held = pushed.pushed, pushed.held
    kinds |= {BY_ENTITY[e].kind for e in pushed.entities}
    if pushed.events == 0 and pushed.pushed == 0:
        clock = client.clock(utc_text(ctx.now()))
        pushed.skew_ms, pushed.skew_ok = clock.skew_ms, clock.skew_ok
        if clock.skew_ms is not None:
            with db.transaction(conn):
                db.put(conn, db.SKEW, clock.skew_ms)
    report.skew_ms, report.skew_ok = pushed.skew_ms, pushed.skew_ok
    if not pushed.chain_ok:
        report.problems.append(pushed.chain_problem)
    # Number blocks are leased while the pull runs (a first sync leases every kind): its
    # own connection and transactions; the local chain stays one line (BEGIN IMMEDIATE).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hq-numbers") as side:
        leased = side.submit(_refill, ctx, client, squad_id)
        pulled = pull_all(ctx, client, conn, progress=progress)
        report.numbers_left = leased.result()
    report.pulled = pulled.pulled
    kinds |= {BY_ENTITY[e].kind for e in pulled.entities}
    report.files_pending = files.sync_files(ctx, client, conn).pending
    if check and pending_count(conn) == 0:
        report.diverged = divergence.check_and_repair(ctx, client, conn, report, kinds)


def _refill(ctx: ServiceContext, client: HqClient, squad_id: str) -> dict[str, int]:
    own = HqClient(client.settings)  # a connection pool of its own, beside the pull's
    conn = db.connect(ctx)
    try:
        return numbers.refill(ctx, own, conn, squad_id)
    finally:
        conn.close()
        own.close()


def _finish(ctx: ServiceContext, conn: sqlite3.Connection, report: SyncReport) -> None:
    with db.transaction(conn):
        db.put(conn, db.LAST_SYNC, utc_text(ctx.now()))
        db.put(conn, db.FIRST_SYNC_DONE, "1")
        db.delete(conn, db.LAST_ERROR)
        if report.diverged:
            db.put(conn, db.DIVERGED, ",".join(report.diverged))
        else:
            db.delete(conn, db.DIVERGED)
    if report.skew_ms is not None and abs(report.skew_ms) > MAX_CLOCK_SKEW_MS:
        report.skew_ok = False


def _note_error(conn: sqlite3.Connection, text: str) -> None:
    with db.transaction(conn):
        db.put(conn, db.LAST_ERROR, text)


def _counts(conn: sqlite3.Connection, report: SyncReport) -> None:
    report.waiting = pending_count(conn)
    report.rejected = queries.open_rejection_count(conn)
    report.conflicts = queries.open_conflict_count(conn)
    report.files_pending = files.pending_files(conn)
