"""Checking the full-process record against the records, and covering rows written in
bulk.

``verify`` walks the chain (links, event hashes, the rows each event names) and
recomputes the content hash of every stored record from the live rows: legal records
must appear in their tables in the order the chain names them, each with the hash it was
recorded with; every version of a mutable record must be the newest live row or a kept
``record_version``. It names the first record whose content, presence or order no longer
matches, and checks that the head is signed by the device key. Hashing the tables runs
in worker processes beside the chain walk (a million inspections take seconds).

``BulkChain`` covers rows a bulk loader inserted with raw SQL (demo data, imports, the
first sync) with one event per batch, at bulk speed. ``cover_baseline`` covers, once,
the rows of a store written before the chain carried content.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldapp.store import audit
from fieldapp.store.entities import BY_TABLE, MAPS, TableMap, canonical_values
from fieldapp.sync.protocol import (
    SPECS,
    Entity,
    canonical,
    content_hash,
    head_message,
)

ProgressFn = Callable[[str, int, int], None]
BULK_EVENT_ROWS = 10_000
_PARALLEL_FROM = 50_000  # rows; below this a worker process costs more than it saves
_BASELINE_KEY = "chain_baseline"


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    first_bad_id: str | None = None
    problem: str = ""  # English template, translated at the edge
    params: dict[str, Any] = field(default_factory=dict)
    records: int = 0  # record versions whose content was recomputed


# --- checking the tables against the rows the chain names (worker processes) ----------

_PROGRESS_EVERY = 65_536  # row references between two progress reports of a worker
_progress_queue: Any = None  # a worker's channel to the parent's progress bar


def _init_worker(channel: Any) -> None:
    global _progress_queue
    _progress_queue = channel


Hashed = tuple[str, int, bytes]  # id, version, sha256 of the canonical form


def _hashed_rows(conn: sqlite3.Connection, table_map: TableMap, start: int = 0,
                 count: int = -1) -> Iterator[Hashed]:
    """Each stored row hashed, streamed in rowid order (``count`` rows from ``start``)."""
    entity = table_map.entity
    name = entity.value
    for entity_id, version, *stored in conn.execute(
            f"{table_map.select_sql} ORDER BY rowid LIMIT ? OFFSET ?", (count, start)):
        key, number = str(entity_id), int(version)
        values = canonical_values(entity, stored)
        yield key, number, hashlib.sha256(canonical(name, key, number, values)).digest()


# (seq, pos, problem, params) of the first reference that does not match
Found = tuple[int, int, str, dict[str, Any]]
Task = tuple[tuple[str, ...], int, int]  # tables, first reference, references (-1: all)


@dataclass
class _Checked:
    """What one worker found over its tables: the references checked, the first one
    that did not match, and a row no reference names (after all references)."""

    refs: int
    problem: Found | None = None
    extra: tuple[str, str] | None = None  # table, id


def _check_tables(db: str, task: Task) -> _Checked:
    """Walk the row references of these tables' entities in chain order beside the
    tables' rows in rowid order (legal records stream; a mutable table is hashed first,
    as each reference names a version that is live or kept). A legal record table may
    be checked in parts: its k-th reference names its k-th row."""
    tables, start, count = task
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return _check(conn, [BY_TABLE[t] for t in tables], start, count)
    finally:
        conn.close()


def _check(conn: sqlite3.Connection, maps: list[TableMap], start: int = 0,
           count: int = -1) -> _Checked:
    names = [m.entity.value for m in maps]
    marks = ",".join("?" * len(names))
    kept = {(e, i, v): hashlib.sha256(c.encode()).digest() for e, i, v, c in conn.execute(
        f"SELECT entity, entity_id, version, content FROM record_version "
        f"WHERE entity IN ({marks})", names)}
    displaced = _displaced(conn, names)
    streams: dict[str, Iterator[Hashed]] = {}
    live: dict[str, dict[str, Hashed]] = {}
    for m in maps:
        if m.mutable:
            rows = list(_hashed_rows(conn, m))
            live[m.entity.value] = {r[0]: r for r in rows}
            streams[m.entity.value] = iter(rows)
        else:
            streams[m.entity.value] = _hashed_rows(conn, m, start, count)
    by_name = {m.entity.value: m for m in maps}
    at = dict.fromkeys(names, start)
    first_seen: set[tuple[str, str]] = set()
    checked, _pos = 0, 0
    where = "entity = ?" if len(names) == 1 else f"entity IN ({marks})"
    try:
        for seq, _pos, name, entity_id, version, sha in conn.execute(
                f"SELECT seq, pos, entity, entity_id, version, sha256 FROM audit_row "
                f"WHERE {where} ORDER BY seq, pos LIMIT ? OFFSET ?", (*names, count, start)):
            table_map = by_name[name]
            mutable = table_map.mutable
            if not mutable or (name, entity_id) not in first_seen:
                if mutable:
                    first_seen.add((name, entity_id))
                row = next(streams[name], None)
                at[name] += 1
                if row is None or row[0] != entity_id:
                    _misplaced(conn, table_map, entity_id, seq, at[name] - 1)
                if not mutable and row is not None and row[2] != sha:
                    raise _record_problem(seq, "{entity} {id} was changed after it was "
                                          "recorded (event {seq})", table_map, entity_id)
            if mutable:
                found = live[name].get(entity_id)
                if found is not None and found[1] == version:
                    if found[2] != sha \
                            and (name, entity_id, version, sha) not in displaced:
                        raise _record_problem(seq, "{entity} {id} was changed after it "
                                              "was recorded (event {seq})", table_map,
                                              entity_id)
                elif kept.get((name, entity_id, version)) != sha \
                        and (name, entity_id, version, sha) not in displaced:
                    raise _record_problem(seq, "version {version} of {entity} {id} was "
                                          "changed or removed (event {seq})", table_map,
                                          entity_id, version=version)
            checked += 1
            if checked % _PROGRESS_EVERY == 0 and _progress_queue is not None:
                _progress_queue.put(_PROGRESS_EVERY)
    except _Problem as bad:
        return _Checked(checked, (bad.seq, _pos, bad.problem, bad.params))
    if _progress_queue is not None:
        _progress_queue.put(checked % _PROGRESS_EVERY)
    if count < 0:
        for m in maps:
            extra = next(streams[m.entity.value], None)
            if extra is not None:
                return _Checked(checked, None, (m.table, extra[0]))
    return _Checked(checked)


_PART_ROWS = 250_000  # a legal record table is checked in parts of this many rows


def _plan(sizes: dict[str, int]) -> list[Task]:
    """The work of each worker task, largest first: a large legal record table in
    parts, a large mutable table alone, the small ones together."""
    tasks: list[Task] = []
    small = []
    for table in sorted(sizes, key=lambda t: -sizes[t]):
        rows = sizes[table]
        if rows < _PARALLEL_FROM:
            small.append(table)
        elif BY_TABLE[table].mutable:
            tasks.append(((table,), 0, -1))
        else:
            parts = max(1, -(-rows // _PART_ROWS))
            size = -(-rows // parts)
            tasks += [((table,), i * size, size if i < parts - 1 else -1)
                      for i in range(parts)]
    tasks.sort(key=lambda t: -(sizes[t[0][0]] if t[2] < 0 and BY_TABLE[t[0][0]].mutable
                               else t[2] if t[2] > 0 else sizes[t[0][0]] - t[1]))
    if small:
        tasks.append((tuple(small), 0, -1))
    return tasks


class _Checking:
    """Checks every table, in worker processes for a large store, starting at once so
    the chain walk runs beside it."""

    def __init__(self, db: Path, sizes: dict[str, int]) -> None:
        import multiprocessing

        self.db = str(db)
        self.plan = _plan(sizes)
        self.pool: ProcessPoolExecutor | None = None
        self.channel: Any = None
        if sum(sizes.values()) >= _PARALLEL_FROM:
            context = multiprocessing.get_context("spawn")
            self.channel = context.Queue()
            self.pool = ProcessPoolExecutor(max_workers=2, mp_context=context,
                                            initializer=_init_worker,
                                            initargs=(self.channel,))
            self.futures = [self.pool.submit(_check_tables, self.db, t) for t in self.plan]

    def results(self, report: Callable[[int], None]) -> list[_Checked]:
        if self.pool is None:
            out = []
            for tables in self.plan:
                out.append(_check_tables(self.db, tables))
                report(out[-1].refs)
            return out
        import contextlib
        import queue

        pending = set(self.futures)
        while pending:
            with contextlib.suppress(queue.Empty):
                report(self.channel.get(timeout=0.2))
            pending = {f for f in pending if not f.done()}
        return [f.result() for f in self.futures]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.channel.close()


# --- walking the chain ------------------------------------------------------------------


class _Problem(Exception):
    def __init__(self, at: int, event_id: str | None, problem: str, **params: Any) -> None:
        super().__init__(problem)
        self.seq, self.event_id, self.problem, self.params = at, event_id, problem, params


def _events(conn: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
    yield from conn.execute(
        "SELECT seq, id, at_utc, device_id, officer_id, action, entity, entity_id,"
        " payload_json, prev_hash, hash, format, rows_sha256 FROM audit_event ORDER BY seq")


def _ref_lines(conn: sqlite3.Connection) -> Iterator[tuple[int, str]]:
    """Each row reference as the line ``rows_digest`` hashes for it, in chain order
    (made by SQLite: the walk only feeds them to SHA-256)."""
    yield from conn.execute(
        "SELECT seq, entity || char(9) || entity_id || char(9) || version || char(9) ||"
        " lower(hex(sha256)) || char(10) FROM audit_row ORDER BY seq, pos")


def _walk_chain(conn: sqlite3.Connection, progress: Callable[[int], None]) -> int:
    """Check links, event hashes and each event's rows digest; returns events checked."""
    prev_hash, expected, checked = audit.GENESIS, 1, 0
    refs = _ref_lines(conn)
    pending = next(refs, None)
    for (seq, id_, at, dev, off, action, entity, eid, payload, stored_prev, digest, fmt,
         rows_sha) in _events(conn):
        if seq != expected:
            raise _Problem(seq, id_, "event {seq} follows a gap: event {expected} is "
                           "missing", seq=seq, expected=expected)
        if stored_prev != prev_hash:
            raise _Problem(seq, id_, "event {seq} does not follow the event before it "
                           "(deleted, inserted or reordered)", seq=seq)
        lines: list[str] = []
        while pending is not None and pending[0] <= seq:
            if pending[0] == seq:
                lines.append(pending[1])
            pending = next(refs, None)
        if audit.event_hash(prev_hash, audit.event_fields(
                seq, id_, at, dev, off, action, entity, eid, payload, fmt,
                rows_sha)) != digest:
            raise _Problem(seq, id_, "event {seq} was changed after it was recorded", seq=seq)
        if (fmt >= 2 and hashlib.sha256("".join(lines).encode()).hexdigest() != rows_sha) \
                or (fmt < 2 and lines):
            raise _Problem(seq, id_, "the records event {seq} names were changed", seq=seq)
        prev_hash, expected, checked = digest, seq + 1, checked + 1
        if checked % 4096 == 0:
            progress(checked)
    head = audit.read_head(DbApi(conn))
    if head.seq != checked or head.hash != prev_hash:
        raise _Problem(head.seq, None, "the log ends at event {checked} but event {seq} "
                       "was recorded", seq=head.seq, checked=checked)
    return checked


class DbApi:
    """Lets the audit helpers (written for SQLAlchemy's ``exec_driver_sql``) read and
    write through a DB-API sqlite3 connection (``verify``, and the sync's own
    connection); a list of parameter rows runs as ``executemany``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def exec_driver_sql(self, sql: str, params: Any = ()) -> Any:
        if isinstance(params, list):
            return _Rows(self.conn.executemany(sql, params))
        return _Rows(self.conn.execute(sql, params))


class _Rows:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.cursor = cursor

    def first(self) -> Any:
        return self.cursor.fetchone()

    def all(self) -> list[Any]:
        return self.cursor.fetchall()


# --- comparing the rows the chain names with the rows stored ----------------------------


def _displaced(conn: sqlite3.Connection, names: Sequence[str]
               ) -> set[tuple[str, str, int, bytes]]:
    """Local versions HQ's state replaced at the same or a lower version number
    (``store.pulled``), by the hash of their kept content."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'record_displaced'"
                    ).fetchone() is None:
        return set()
    marks = ",".join("?" * len(names))
    return {(e, i, v, hashlib.sha256(c.encode()).digest()) for e, i, v, c in conn.execute(
        "SELECT entity, entity_id, version, content FROM record_displaced "
        f"WHERE entity IN ({marks})", tuple(names))}


def _record_problem(seq: int, problem: str, table_map: TableMap, entity_id: str,
                    **params: Any) -> _Problem:
    return _Problem(seq, None, problem, entity=table_map.entity.value, id=entity_id,
                    seq=seq, **params)


def _misplaced(conn: sqlite3.Connection, table_map: TableMap, entity_id: str, seq: int,
               offset: int) -> None:
    """The row at this place is not the one the chain names: say whether it was deleted,
    another was added before it, or the rows were reordered."""
    where = " AND ".join(f'"{c}" = ?' for c in table_map.key)
    present = conn.execute(f'SELECT 1 FROM "{table_map.table}" WHERE {where}',
                           tuple(entity_id.split(":", len(table_map.key) - 1))).fetchone()
    if present is None:
        raise _record_problem(seq, "{entity} {id} is missing (recorded in event {seq})",
                              table_map, entity_id)
    intruder = _row_at(conn, table_map, offset)
    if intruder is not None and not _named(conn, table_map, intruder):
        raise _record_problem(seq, "{entity} {id} was added outside the record",
                              table_map, intruder)
    raise _record_problem(seq, "{entity} {id} is not where it was recorded (rows moved; "
                          "event {seq})", table_map, entity_id)


def _row_at(conn: sqlite3.Connection, table_map: TableMap, offset: int) -> str | None:
    row = conn.execute(f'SELECT {table_map.id_sql} FROM "{table_map.table}" ORDER BY rowid '
                       "LIMIT 1 OFFSET ?", (offset,)).fetchone()
    return str(row[0]) if row else None


def _named(conn: sqlite3.Connection, table_map: TableMap, entity_id: str) -> bool:
    return conn.execute("SELECT 1 FROM audit_row WHERE entity = ? AND entity_id = ? LIMIT 1",
                        (table_map.entity.value, entity_id)).fetchone() is not None


def _unknown_entity(conn: sqlite3.Connection) -> None:
    known = [e.value for e in Entity]
    row = conn.execute("SELECT seq, entity, entity_id FROM audit_row WHERE entity NOT IN "
                       f"({','.join('?' * len(known))}) ORDER BY seq, pos LIMIT 1",
                       known).fetchone()
    if row is not None:
        raise _Problem(row[0], None, "the records event {seq} names were changed", seq=row[0])


# --- the whole check --------------------------------------------------------------------


def verify(db: Path, *, public_key: str | None, device_id: str = "",
           progress: ProgressFn | None = None) -> VerifyResult:
    """Check the record of the store at ``db`` (see the module docstring)."""
    report = progress or (lambda _stage, _done, _total: None)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        sizes = {m.table: conn.execute(f'SELECT COUNT(*) FROM "{m.table}"').fetchone()[0]
                 for m in MAPS}
        events = conn.execute("SELECT COUNT(*) FROM audit_event").fetchone()[0]
        total = events + sum(sizes.values())
        checking = _Checking(db, sizes)
        try:
            checked = _walk_chain(conn, lambda n: report("chain", n, total))
            done = [checked]

            def step(n: int) -> None:
                done[0] += n
                report("records", done[0], total)

            results = checking.results(step)
            _unknown_entity(conn)
            problems = [r.problem for r in results if r.problem is not None]
            if problems:
                seq, _pos, problem, params = min(problems, key=lambda p: (p[0], p[1]))
                raise _Problem(seq, None, problem, **params)
            for result in results:
                if result.extra is not None:
                    table, intruder = result.extra
                    raise _record_problem(checked, "{entity} {id} was added outside the "
                                          "record", BY_TABLE[table], intruder)
            records = sum(r.refs for r in results)
            _check_signature(conn, public_key, device_id, checked)
            _check_receipts(conn, device_id)
        except _Problem as bad:
            return VerifyResult(False, 0, bad.seq, bad.event_id, bad.problem, bad.params)
        finally:
            checking.close()
        report("records", total, total)
        return VerifyResult(True, checked, records=records)
    finally:
        conn.close()


def verify_data_dir(data_dir: Path, db_file: str = "fieldapp.sqlite3",
                    progress: ProgressFn | None = None) -> VerifyResult:
    """``verify`` for the store in ``data_dir`` (a live one, or a backup unpacked to a
    staging folder): the head must be signed by the key in its ``keys/`` folder, or by
    the key its device row records when that file is not there."""
    from fieldapp.store.keys import key_path, load_key, public_key_text

    db = data_dir / db_file
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        row = conn.execute("SELECT id, public_key FROM device WHERE is_local = 1").fetchone()
    conn.close()
    device_id, public_key = (str(row[0]), str(row[1])) if row else ("", "")
    key = load_key(key_path(data_dir))
    if key is not None:
        public_key = public_key_text(key.public_key())
    return verify(db, public_key=public_key, device_id=device_id, progress=progress)


def _check_signature(conn: sqlite3.Connection, public_key: str | None, device_id: str,
                     seq: int) -> None:
    from fieldapp.store.keys import verify_text

    if seq == 0:
        return
    head = audit.read_head(DbApi(conn))
    signature = audit.read_head_signature(conn)
    if not public_key or not signature:
        raise _Problem(head.seq, None, "the newest event {seq} is not signed with the "
                       "device key", seq=head.seq)
    if not verify_text(public_key, signature, head_message(device_id, head.seq, head.hash)):
        raise _Problem(head.seq, None, "the signature of the newest event {seq} is not the "
                       "device key's: the record was rewritten", seq=head.seq)


def _check_receipts(conn: sqlite3.Connection, device_id: str) -> None:
    """Every head HQ countersigned is still in the chain as HQ saw it (a chain rewritten
    and re-signed with the device key is caught here), and each receipt is HQ's."""
    from fieldapp.store.receipts import receipt_problem

    found = receipt_problem(conn, device_id)
    if found is not None:
        seq, problem = found
        raise _Problem(seq, None, problem, seq=seq)


# --- covering rows written in bulk ------------------------------------------------------


class BulkChain:
    """The chain events of a bulk load: each batch of rows (as inserted, in table column
    order ``columns``) gets one event naming every row with its content hash."""

    def __init__(self, conn: Any, *, device_id: str, officer_id: str, now: Any,
                 new_id: Callable[[], str], action: str) -> None:
        self.conn, self.device_id, self.officer_id = conn, device_id, officer_id
        self.now, self.new_id, self.action = now, new_id, action
        self.rows = 0

    def cover(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        table_map = BY_TABLE.get(table)
        if table_map is None or not rows:
            return
        for start in range(0, len(rows), BULK_EVENT_ROWS):
            part = rows[start:start + BULK_EVENT_ROWS]
            refs = list(_hash_rows(table_map, columns, part))
            audit.append(self.conn, event_id=self.new_id(), at=self.now,
                         device_id=self.device_id, officer_id=self.officer_id,
                         action=self.action, entity=table_map.entity.value,
                         entity_id=f"{refs[0][1]}…{refs[-1][1]}",
                         payload={"rows": len(refs)}, rows=refs)
            self.rows += len(refs)

    def cover_refs(self, entity: str, refs: Sequence[audit.RowRef],
                   payload: dict[str, Any]) -> None:
        """One event naming rows whose content hashes the caller has (versions pulled
        from HQ, their hashes checked against their fields)."""
        if not refs:
            return
        audit.append(self.conn, event_id=self.new_id(), at=self.now,
                     device_id=self.device_id, officer_id=self.officer_id,
                     action=self.action, entity=entity,
                     entity_id=f"{refs[0][1]}…{refs[-1][1]}", payload=payload, rows=refs)
        self.rows += len(refs)

    def sign(self, signer: Callable[[bytes], str] | None) -> None:
        audit.sign_head(self.conn, self.device_id, signer)


def _hash_rows(table_map: TableMap, columns: Sequence[str],
               rows: Sequence[Sequence[Any]]) -> Iterator[audit.RowRef]:
    """Row references from rows as a loader inserted them (columns it left out are
    NULL), in the spec's field order, through the same conversion ``verify`` uses."""
    spec = SPECS[table_map.entity]
    where = {name: i for i, name in enumerate(columns)}
    picks = [where.get(name) for name in spec.names]
    keys = [where[c] for c in table_map.key]
    version_at = where.get("version")
    entity = table_map.entity.value
    for row in rows:
        entity_id = ":".join(str(row[k]) for k in keys)
        version = int(row[version_at]) if version_at is not None else 1
        values = canonical_values(table_map.entity,
                                  [None if p is None else row[p] for p in picks])
        yield entity, entity_id, version, content_hash(entity, entity_id, version, values)


def baseline_done(conn: Any) -> bool:
    return conn.exec_driver_sql("SELECT 1 FROM sync_state WHERE key = ?",
                                (_BASELINE_KEY,)).first() is not None


def cover_baseline(conn: Any, *, device_id: str, now: Any, new_id: Callable[[], str],
                   enqueue: Callable[[TableMap, list[tuple[Any, ...]]], None] | None = None,
                   ) -> int:
    """Once, for a store written before the chain carried content: events covering each
    table's rows as they stand (``enqueue`` also puts them in the outbox). Returns the
    rows covered (0 when there is nothing to do)."""
    if baseline_done(conn):
        return 0
    conn.exec_driver_sql("INSERT INTO sync_state (key, value) VALUES (?, '1')",
                         (_BASELINE_KEY,))
    if conn.exec_driver_sql("SELECT 1 FROM audit_row LIMIT 1").first() is not None:
        return 0  # written by this version from the start
    covered = 0
    for table_map in MAPS:
        rows = [tuple(r) for r in conn.exec_driver_sql(
            f"{table_map.select_sql} ORDER BY rowid").all()]
        for start in range(0, len(rows), BULK_EVENT_ROWS):
            part = rows[start:start + BULK_EVENT_ROWS]
            refs = [_ref(table_map, r) for r in part]
            audit.append(conn, event_id=new_id(), at=now, device_id=device_id,
                         officer_id="", action="records.baseline",
                         entity=table_map.entity.value,
                         entity_id=f"{refs[0][1]}…{refs[-1][1]}",
                         payload={"rows": len(refs)}, rows=refs)
            if enqueue is not None:
                enqueue(table_map, part)
            covered += len(refs)
    return covered


def _ref(table_map: TableMap, row: tuple[Any, ...]) -> audit.RowRef:
    """A row read with ``select_sql`` (id, version, fields…) as a row reference."""
    entity_id, version, *stored = row
    values = canonical_values(table_map.entity, stored)
    entity = table_map.entity.value
    return (entity, str(entity_id), int(version),
            content_hash(entity, str(entity_id), int(version), values))
