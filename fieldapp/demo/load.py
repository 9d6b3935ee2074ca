"""Deterministic demo data: an agency, squads, officers, grids, subjects, a year of work.

The rows come from ``fieldapp.interchange.demo.generator`` as protocol entity batches
(the same data set HQ's demo loads), mapped to this device's tables by
``store.entities``. Large sets are generated in a child process while this one inserts,
so both cores work. The bulk path writes with
``executemany`` on the raw connection (PERFORMANCE.md: the ORM is 5–10× slower), with
the secondary indexes rebuilt once at the end. Demo rows are under the full-process
record like any other (``store.chain.BulkChain``: one event per batch naming every row
with its content hash), but get no outbox rows: demo data must never reach HQ.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import queue
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from fieldapp.demo.search_tokens import SearchTokens, search_rows
from fieldapp.demo.showcase import SHOWCASES, make_showcases
from fieldapp.domain.errors import DomainError, ValidationError
from fieldapp.domain.localtime import agency_zone
from fieldapp.domain.permissions import Action
from fieldapp.interchange.demo.generator import CHUNK, DemoSpec, Progress, demo_batches
from fieldapp.services.context import ServiceContext
from fieldapp.services.rules import (
    load_catalogue,
    load_city_rules,
    load_default_list,
    violation_types,
)
from fieldapp.store import bulk
from fieldapp.store.chain import BulkChain
from fieldapp.store.entities import BY_ENTITY, table_columns
from fieldapp.sync.protocol import Entity, EntityBatch, Verifiers

ProgressFn = Callable[[str, int, int], None]
_BULK_TABLES = ("subject", "inspection", "finding", "ladder_step", "case_file",
                "case_event")
_COMMIT_EVERY = 100_000
# Below this many rows a child process costs more than it saves.
_PARALLEL_FROM = 60_000
_CHILD_TIMEOUT_S = 120
_POLL_S = 0.5
_BULK_CACHE_KIB = 256 * 1024


@dataclass
class DemoResult:
    rows: int
    subjects: int
    inspections: int
    cases: int
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def generate_demo(*, ctx: ServiceContext, subjects: int = 300, inspections: int = 2000,
                  seed: int = 7, progress: ProgressFn | None = None,
                  parallel: bool | None = None, showcase: bool = True) -> DemoResult:
    """Fill an empty data directory with demo data; refuses a directory that has data.

    ``parallel``: generate in a child process (default: for large sets only);
    ``showcase``: add the showcase cases carried through the real services (the bulk
    loader's own tests leave them out to compare bulk rows alone)."""
    started = time.perf_counter()
    if subjects < 1:
        raise ValidationError("subjects", "must be at least 1")
    if inspections < 0:
        raise ValidationError("inspections", "must not be negative")
    with ctx.read() as session:
        if session.connection().exec_driver_sql("SELECT COUNT(*) FROM subject").scalar_one():
            raise ValidationError(
                "data directory", "already holds data; demo data goes only into an empty one")
    load_catalogue(ctx=ctx)
    load_default_list(ctx=ctx)
    load_city_rules(ctx=ctx)  # the demo city ships complete rules (issue 13 ¶5)
    spec = DemoSpec(subjects=subjects, inspections=inspections, seed=seed,
                    now=ctx.now().replace(microsecond=0), device_id=ctx.device_id,
                    violation_types=tuple((v.code, v.name, v.ladder_applies)
                                          for v in violation_types(ctx=ctx)))
    if parallel is None:
        parallel = subjects * 2 + inspections * 3 >= _PARALLEL_FROM
    writer = _Writer(ctx)
    batches = _from_child(spec, writer.index_some) if parallel else demo_batches(spec)
    try:
        for item in batches:
            if isinstance(item, EntityBatch):
                writer.add(item)
            elif isinstance(item, Verifiers):
                writer.verifiers(item)
            elif progress:
                progress(item.stage, item.done, item.total)
        if progress:
            progress("indexes", 0, 1)
        writer.finish()
    except BaseException:
        writer.abandon()
        raise
    shown = len(SHOWCASES) if showcase else 0
    if showcase:
        if progress:
            progress("showcase", 0, shown)
        make_showcases(ctx, seed=seed, today=spec.now.astimezone(agency_zone()).date())
        if progress:
            progress("showcase", shown, shown)
    cases = writer.counts.get("case_file", 0) + shown
    with ctx.write(action=Action.GENERATE_DEMO) as tx:
        tx.conn.exec_driver_sql(
            "INSERT INTO sync_state (key, value) VALUES ('demo_data', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        tx.audit("demo.generate", "demo", "demo", dataclasses.asdict(spec) | {
            "violation_types": len(spec.violation_types), "rows": writer.rows})
    if progress:
        progress("indexes", 1, 1)
    return DemoResult(writer.rows, subjects, inspections, cases,
                      time.perf_counter() - started, dict(writer.counts))


class _Writer:
    """Streams batches into one connection, committing every ``_COMMIT_EVERY`` rows."""

    def __init__(self, ctx: ServiceContext) -> None:
        # The search index is made here from the subject rows, a piece at a time while the
        # generator has nothing ready, the rest at the end: tokenising is the costliest
        # part of generating, and the generator is the slower of the two processes.
        self._unindexed: list[tuple[Any, ...]] = []
        self._indexed = 0  # of those
        self._next_seq = 1  # the subjects' local_seq (the search index's row key)
        self._tokens = SearchTokens()
        self.rows = 0
        self.counts: dict[str, int] = {}
        self._uncommitted = 0
        self.conn = ctx.store.engine.execution_options(immediate=True).connect()
        # Out of the pool: the bulk settings below go with this connection when it closes.
        self.conn.detach()
        # Demo data may be lost in a power cut, never corrupted (WAL + NORMAL).
        self._pragma("synchronous=NORMAL")
        # Generated rows are consistent by construction; tests run foreign_key_check.
        self._pragma("foreign_keys=OFF")
        # A larger page cache for the primary-key indexes the rows go into, and helper
        # threads for sorting when the dropped indexes are rebuilt at the end.
        self._pragma(f"cache_size=-{_BULK_CACHE_KIB}")
        self._pragma("threads=2")
        self.tx = self.conn.begin()
        bulk.drop_secondary_indexes(self.conn, _BULK_TABLES, fts_tables=("subject_search",))
        self.chain = BulkChain(self.conn, device_id=ctx.device_id, officer_id="",
                               now=ctx.now(), new_id=ctx.new_id, action="demo.rows")
        self._sign = ctx.store.sign if ctx.store.device_key() is not None else None

    def _pragma(self, pragma: str) -> None:
        # Outside any transaction: SQLite refuses to change these inside one.
        driver = self.conn.connection.dbapi_connection
        assert driver is not None
        driver.execute(f"PRAGMA {pragma}")

    def add(self, batch: EntityBatch) -> None:
        """Insert an entity batch into its table, under the chain."""
        if not batch.rows:
            return
        table = BY_ENTITY[batch.entity].table
        columns, rows = table_columns(batch.entity, batch.fields), batch.rows
        if batch.entity is Entity.SUBJECT:
            first = self._next_seq
            self._next_seq += len(rows)
            columns = ("local_seq", *columns)
            rows = [(first + n, *row) for n, row in enumerate(rows)]
            self._unindexed.extend(rows)
        self._insert(table, columns, rows)
        self.chain.cover(table, columns, rows)

    def verifiers(self, verifiers: Verifiers) -> None:
        """Officers' password hashes: on the device, beside their records (local only)."""
        self.conn.exec_driver_sql("UPDATE officer SET password_hash = ? WHERE id = ?",
                                  [(h, o) for o, h in verifiers.by_officer.items()])

    def _insert(self, table: str, columns: tuple[str, ...],
                rows: list[tuple[Any, ...]]) -> None:
        marks = ",".join("?" * len(columns))
        self.conn.exec_driver_sql(
            f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)
        self._count(table, len(rows))
        if self._uncommitted >= _COMMIT_EVERY:
            self.chain.sign(self._sign)
            self.tx.commit()
            self.tx = self.conn.begin()
            self._uncommitted = 0

    def _count(self, table: str, rows: int) -> None:
        self.rows += rows
        self.counts[table] = self.counts.get(table, 0) + rows
        self._uncommitted += rows

    def index_some(self, count: int = 2000) -> bool:
        """Index up to ``count`` subjects still unindexed; False when there were none."""
        rows = self._unindexed[self._indexed:self._indexed + count]
        if not rows:
            return False
        self._indexed += len(rows)
        self._insert("subject_search", ("rowid", "tokens"), search_rows(rows, self._tokens))
        return True

    def finish(self) -> None:
        while self.index_some(CHUNK):
            pass
        self._unindexed.clear()
        bulk.restore_indexes(self.conn)
        self.chain.sign(self._sign)
        self.tx.commit()
        # Fold the bulk load's write-ahead log into the database now: a WAL of gigabytes
        # slows every later read until something checkpoints it.
        self._pragma("wal_checkpoint(TRUNCATE)")
        self._close()

    def abandon(self) -> None:
        """After a failure: keep what was committed, rebuild the indexes."""
        if self.tx.is_active:
            self.tx.rollback()
        with self.conn.begin():
            bulk.restore_indexes(self.conn)
        self._close()

    def _close(self) -> None:
        self.conn.close()


def _produce(spec: DemoSpec, out: Any) -> None:
    """Child process: generate the batches and hand them over through ``out``."""
    try:
        for item in demo_batches(spec):
            out.put(item)
        out.put(None)
    except BaseException:  # reported to the parent, which raises it
        out.put(RuntimeError(traceback.format_exc()))


def _from_child(spec: DemoSpec, idle: Callable[[], bool],
                ) -> Iterator[EntityBatch | Verifiers | Progress]:
    """The child's batches; ``idle`` does a piece of the writer's own work whenever the
    child has nothing ready."""
    mp = multiprocessing.get_context("spawn")
    channel = mp.Queue(maxsize=32)  # room for the generator to run ahead of the writer
    child = mp.Process(target=_produce, args=(spec, channel), daemon=True)
    child.start()
    try:
        while True:
            item = _next_from(child, channel, idle)
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=10)
        channel.close()


def _next_from(child: Any, channel: Any, idle: Callable[[], bool] = lambda: False) -> Any:
    """The child's next item, calling ``idle`` while there is none; fails at once when the
    child has failed, and after ``_CHILD_TIMEOUT_S`` of silence when it hangs."""
    waited = 0.0
    while True:
        try:
            return channel.get_nowait()
        except queue.Empty:
            if idle():
                continue
        try:
            return channel.get(timeout=_POLL_S)
        except queue.Empty:
            # A child that ended normally has put its end mark: it is still on its way.
            if child.exitcode not in (None, 0):
                raise DomainError("the demo data generator stopped (exit code {code})",
                                  code=child.exitcode) from None
            waited += _POLL_S
            if waited >= _CHILD_TIMEOUT_S:
                raise DomainError("the demo data generator stopped answering") from None
