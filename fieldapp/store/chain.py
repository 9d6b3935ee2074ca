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
from fieldapp.store.entities import BY_ENTITY, BY_TABLE, MAPS, TableMap, canonical_values
from fieldapp.sync.protocol import (
    SPECS,
    Entity,
    canonical,
    content_hash,
    head_message,
    rows_digest,
)

ProgressFn = Callable[[str, int, int], None]
BULK_EVENT_ROWS = 10_000
_PARALLEL_FROM = 50_000  # rows; below this a worker process costs more than it saves
_BASELINE_KEY = "chain_baseline"
_FP = 8  # bytes of an id's fingerprint in a hashed table's stream


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    first_bad_id: str | None = None
    problem: str = ""  # English template, translated at the edge
    params: dict[str, Any] = field(default_factory=dict)
    records: int = 0  # record versions whose content was recomputed


# --- hashing the tables (worker processes) ----------------------------------------------


def _fingerprint(entity_id: str) -> bytes:
    return hashlib.blake2b(entity_id.encode(), digest_size=_FP).digest()


@dataclass
class _Hashed:
    """A table's rows in rowid order: ``stream`` is fingerprint+sha256 per row; mutable
    tables also give each id's live version and hash."""

    stream: bytes
    live: dict[str, tuple[int, bytes]]


def _hash_table(db: str, table: str) -> tuple[str, _Hashed]:
    table_map = BY_TABLE[table]
    entity = table_map.entity.value
    parts: list[bytes] = []
    live: dict[str, tuple[int, bytes]] = {}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        for entity_id, version, *stored in conn.execute(
                f"{table_map.select_sql} ORDER BY rowid"):
            key = str(entity_id)
            values = canonical_values(table_map.entity, stored)
            sha = hashlib.sha256(canonical(entity, key, int(version), values)).digest()
            parts.append(_fingerprint(key) + sha)
            if table_map.mutable:
                live[key] = (int(version), sha)
    conn.close()
    return table, _Hashed(b"".join(parts), live)


class _Hashing:
    """Hashes every table, in worker processes for a large store, starting at once so
    the chain walk runs beside it."""

    def __init__(self, db: Path, sizes: dict[str, int]) -> None:
        self.tables = sorted(sizes, key=lambda t: -sizes[t])
        self.db = str(db)
        self.pool: ProcessPoolExecutor | None = None
        if sum(sizes.values()) >= _PARALLEL_FROM:
            self.pool = ProcessPoolExecutor(max_workers=2)
            self.futures = [self.pool.submit(_hash_table, self.db, t) for t in self.tables]

    def results(self) -> Iterator[tuple[str, _Hashed]]:
        if self.pool is None:
            for table in self.tables:
                yield _hash_table(self.db, table)
            return
        for future in self.futures:
            yield future.result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


# --- walking the chain ------------------------------------------------------------------


class _Problem(Exception):
    def __init__(self, at: int, event_id: str | None, problem: str, **params: Any) -> None:
        super().__init__(problem)
        self.seq, self.event_id, self.problem, self.params = at, event_id, problem, params


def _events(conn: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
    yield from conn.execute(
        "SELECT seq, id, at_utc, device_id, officer_id, action, entity, entity_id,"
        " payload_json, prev_hash, hash, format, rows_sha256 FROM audit_event ORDER BY seq")


def _refs(conn: sqlite3.Connection) -> Iterator[tuple[int, int, str, str, int, bytes]]:
    yield from conn.execute(
        "SELECT seq, pos, entity, entity_id, version, sha256 FROM audit_row ORDER BY seq, pos")


def _walk_chain(conn: sqlite3.Connection, progress: Callable[[int], None]) -> int:
    """Check links, event hashes and each event's rows digest; returns events checked."""
    prev_hash, expected, checked = audit.GENESIS, 1, 0
    refs = _refs(conn)
    pending = next(refs, None)
    for (seq, id_, at, dev, off, action, entity, eid, payload, stored_prev, digest, fmt,
         rows_sha) in _events(conn):
        if seq != expected:
            raise _Problem(seq, id_, "event {seq} follows a gap: event {expected} is "
                           "missing", seq=seq, expected=expected)
        if stored_prev != prev_hash:
            raise _Problem(seq, id_, "event {seq} does not follow the event before it "
                           "(deleted, inserted or reordered)", seq=seq)
        rows: list[tuple[str, str, int, str]] = []
        while pending is not None and pending[0] <= seq:
            if pending[0] == seq:
                rows.append((pending[2], pending[3], pending[4], pending[5].hex()))
            pending = next(refs, None)
        if audit.event_hash(prev_hash, audit.event_fields(
                seq, id_, at, dev, off, action, entity, eid, payload, fmt,
                rows_sha)) != digest:
            raise _Problem(seq, id_, "event {seq} was changed after it was recorded", seq=seq)
        if (fmt >= 2 and rows_digest(rows) != rows_sha) or (fmt < 2 and rows):
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


class _Streams:
    """Each table's hashed rows, consumed in the order the chain names them."""

    def __init__(self, hashed: dict[str, _Hashed]) -> None:
        self.hashed = hashed
        self.pos = dict.fromkeys(hashed, 0)
        self.kept: dict[tuple[str, str, int], bytes] = {}
        self.first_seen: set[tuple[str, str]] = set()

    def next_row(self, table: str) -> tuple[bytes, bytes] | None:
        stream, i = self.hashed[table].stream, self.pos[table]
        if i * (_FP + 32) >= len(stream):
            return None
        self.pos[table] = i + 1
        start = i * (_FP + 32)
        return stream[start:start + _FP], stream[start + _FP:start + _FP + 32]


def _compare(conn: sqlite3.Connection, streams: _Streams) -> int:
    """Walk every row reference; raise at the first record that does not match."""
    kept = {(e, i, v): hashlib.sha256(c.encode()).digest() for e, i, v, c in conn.execute(
        "SELECT entity, entity_id, version, content FROM record_version")}
    displaced = _displaced(conn)
    checked = 0
    for seq, _pos, entity_name, entity_id, version, sha in _refs(conn):
        table_map = BY_ENTITY[Entity(entity_name)]
        table = table_map.table
        if not table_map.mutable or (entity_name, entity_id) not in streams.first_seen:
            streams.first_seen.add((entity_name, entity_id))
            at = streams.pos[table]
            row = streams.next_row(table)
            if row is None or row[0] != _fingerprint(entity_id):
                _misplaced(conn, table_map, entity_id, seq, at)
            if not table_map.mutable and row is not None and row[1] != sha:
                raise _record_problem(seq, "{entity} {id} was changed after it was "
                                      "recorded (event {seq})", table_map, entity_id)
        if table_map.mutable:
            live = streams.hashed[table].live.get(entity_id)
            if live is not None and live[0] == version:
                if live[1] != sha and (entity_name, entity_id, version, sha) not in displaced:
                    raise _record_problem(seq, "{entity} {id} was changed after it was "
                                          "recorded (event {seq})", table_map, entity_id)
            elif kept.get((entity_name, entity_id, version)) != sha \
                    and (entity_name, entity_id, version, sha) not in displaced:
                raise _record_problem(seq, "version {version} of {entity} {id} was changed "
                                      "or removed (event {seq})", table_map, entity_id,
                                      version=version)
        checked += 1
    return checked


def _displaced(conn: sqlite3.Connection) -> set[tuple[str, str, int, bytes]]:
    """Local versions HQ's state replaced at the same or a lower version number
    (``store.pulled``), by the hash of their kept content."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'record_displaced'"
                    ).fetchone() is None:
        return set()
    return {(e, i, v, hashlib.sha256(c.encode()).digest()) for e, i, v, c in conn.execute(
        "SELECT entity, entity_id, version, content FROM record_displaced")}


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


def _leftovers(conn: sqlite3.Connection, streams: _Streams, last_seq: int) -> None:
    for table, hashed in streams.hashed.items():
        rows = len(hashed.stream) // (_FP + 32)
        if streams.pos[table] < rows:
            intruder = _row_at(conn, BY_TABLE[table], streams.pos[table])
            raise _record_problem(last_seq, "{entity} {id} was added outside the record",
                                  BY_TABLE[table], intruder or "?")


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
        hashing = _Hashing(db, sizes)
        try:
            checked = _walk_chain(conn, lambda n: report("chain", n, total))
            hashed = {}
            for table, result in hashing.results():
                hashed[table] = result
                report("records", checked + sum(sizes[t] for t in hashed), total)
            streams = _Streams(hashed)
            records = _compare(conn, streams)
            _leftovers(conn, streams, checked)
            _check_signature(conn, public_key, device_id, checked)
            _check_receipts(conn, device_id)
        except _Problem as bad:
            return VerifyResult(False, 0, bad.seq, bad.event_id, bad.problem, bad.params)
        finally:
            hashing.close()
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
