"""Applying record versions pulled from HQ to the local store, at bulk speed.

A page of ``PulledChange``s (as parsed JSON) is applied inside the caller's transaction:
each envelope's content hash is recomputed from its fields (a version whose hash does not
match is refused, never stored); new records are inserted with ``executemany`` grouped by
table and origin device, newer versions of mutable records replace the live row (the
version replaced is kept in ``record_version``, as ``Tx.update`` keeps it), and every
version written is named in the local chain by applied-from-HQ events (``sync.pulled``),
one per table, origin device and ``BULK_EVENT_ROWS`` rows, whose payload names the origin
device and HQ's sequence numbers. Rows go into their tables in the order the events name
them, which is what ``audit verify`` checks.

Never applied: a version of a record with a local change still waiting to be pushed
(``pending``; HQ answers that change with its merge, pulled later), a version older than
the local one, or a legal record whose id holds other content (``collisions``).
A version HQ decided (``force``: its state beside a rejected change, reference data HQ
owns) replaces the local one even at the same or a lower version number; the local
version it displaces is kept in ``record_displaced`` so that its hash stays checkable.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple

from fieldapp.domain.hlc import Hlc, receive
from fieldapp.store import audit, checksums, search
from fieldapp.store.chain import BULK_EVENT_ROWS, BulkChain, DbApi
from fieldapp.store.entities import BY_ENTITY, TableMap, stored_version
from fieldapp.sync.protocol import (
    SPECS,
    Entity,
    FieldValue,
    Scope,
    canonical,
    content_hash,
)

_HLC_KEY = "hlc_last"
_NAMES = {entity: spec.names for entity, spec in SPECS.items()}
_ENTITIES = {entity.value: entity for entity in Entity}
_IN_CHUNK = 500
# Columns of device tables that are not on the wire but must have a value.
_LOCAL_VALUES: dict[str, dict[str, Any]] = {"device": {"is_local": False}}


class Pulled(NamedTuple):
    """One pulled version: HQ's sequence number, the device it came from, the envelope
    (a tuple: a first sync makes 100,000 of them)."""

    seq: int
    origin: str
    entity: Entity
    entity_id: str
    version: int
    fields: dict[str, FieldValue]
    sha256: str
    hlc: str = ""
    force: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.entity.value, self.entity_id)


@dataclass
class Applied:
    """What a page did to the store."""

    written: int = 0
    unchanged: int = 0  # the store had this very version (its own, or pulled before)
    held_back: list[tuple[str, str]] = field(default_factory=list)  # pending locally
    older: int = 0
    collisions: list[tuple[str, str]] = field(default_factory=list)
    bad: list[tuple[str, str]] = field(default_factory=list)  # hash does not match
    entities: set[Entity] = field(default_factory=set)
    evidence: list[str] = field(default_factory=list)  # sha256 of evidence files named

    def add(self, other: Applied) -> None:
        self.written += other.written
        self.unchanged += other.unchanged
        self.held_back += other.held_back
        self.older += other.older
        self.collisions += other.collisions
        self.bad += other.bad
        self.entities |= other.entities
        self.evidence += other.evidence


def parse_pulled(item: dict[str, Any], *, force: bool = False) -> Pulled | None:
    """A ``PulledChange`` as parsed JSON → ``Pulled`` (None when its content hash is not
    its fields': a malformed or altered envelope is never stored)."""
    change = item["change"]
    try:
        entity = _ENTITIES[change["entity"]]
        names = _NAMES[entity]
        fields = change["fields"]
        values = [fields[name] for name in names]
        entity_id, version = change["entity_id"], change["version"]
        if len(fields) != len(names) or type(entity_id) is not str \
                or type(version) is not int:
            return None
        digest = content_hash(entity.value, entity_id, version, values)
        expected = change.get("content_sha256")
    except (KeyError, ValueError, TypeError):
        return None
    if digest != expected:
        return None
    return Pulled(int(item.get("server_seq") or 0), str(item.get("origin_device") or ""),
                  entity, entity_id, version, fields, digest, str(change.get("hlc") or ""),
                  force or SPECS[entity].scope is Scope.REFERENCE)


@dataclass
class _Local:
    version: int
    sha256: str
    values: tuple[FieldValue, ...]


@dataclass
class _Table:
    """The page's writes to one table: new rows and replaced ones, by entity id."""

    table_map: TableMap
    inserts: dict[str, Pulled] = field(default_factory=dict)
    updates: dict[str, tuple[Pulled, _Local, bool]] = field(default_factory=dict)


class PageApplier:
    """Applies pages inside one transaction of ``conn`` (a DB-API sqlite3 connection)."""

    def __init__(self, conn: sqlite3.Connection, *, device_id: str, now: Any,
                 new_id: Any, now_ms: int) -> None:
        self.conn = conn
        self.device_id = device_id
        self.now_ms = now_ms
        self.chain = BulkChain(DbApi(conn), device_id=device_id, officer_id="", now=now,
                               new_id=new_id, action="sync.pulled")

    def apply(self, items: Sequence[Pulled], pending: set[tuple[str, str]],
              rebuild: frozenset[str] | None = None) -> Applied:
        """Apply one page. Every version the store now holds as HQ does is folded into
        the checksums (``store.checksums``), written or already there (the device's own,
        coming back); in a full resync (``rebuild``: the kinds whose checksums are being
        made again) versions already there count only for those kinds."""
        result = Applied()
        tables: dict[Entity, _Table] = {}
        self._fold: list[checksums.Ref] = []
        self._rebuild = rebuild
        for entity, group in _by_entity(items).items():
            table = tables.setdefault(entity, _Table(BY_ENTITY[entity]))
            local = self._local(table.table_map, {p.entity_id for p in group})
            for pulled in group:
                self._decide(table, local, pulled, pending, result)
        for table in tables.values():
            self._write(table, result)
        checksums.fold(self.conn, self._fold)
        self._advance_hlc(items)
        return result

    # --- deciding -----------------------------------------------------------------

    def _decide(self, table: _Table, local: dict[str, _Local], pulled: Pulled,
                pending: set[tuple[str, str]], result: Applied) -> None:
        if pulled.key in pending:
            result.held_back.append(pulled.key)
            return
        entity_id = pulled.entity_id
        if entity_id in table.inserts:
            if pulled.version >= table.inserts[entity_id].version:
                table.inserts[entity_id] = pulled
            return
        if entity_id in table.updates:
            _old, was, displaced = table.updates[entity_id]
            if pulled.version >= _old.version:
                table.updates[entity_id] = (pulled, was, displaced)
            return
        mine = local.get(entity_id)
        if mine is None:
            table.inserts[entity_id] = pulled
        elif mine.sha256 == pulled.sha256:
            result.unchanged += 1
            if self._rebuild is None or pulled.entity.value in self._rebuild:
                self._fold.append(_ref(pulled))
        elif not table.table_map.mutable:
            result.collisions.append(pulled.key)
        elif pulled.version > mine.version:
            table.updates[entity_id] = (pulled, mine, False)
        elif pulled.force:
            table.updates[entity_id] = (pulled, mine, True)
        else:
            result.older += 1

    def _local(self, table_map: TableMap, ids: set[str]) -> dict[str, _Local]:
        """The live versions of ``ids`` in the store (version, hash, values)."""
        found: dict[str, _Local] = {}
        key = f'"{table_map.key[0]}"' if len(table_map.key) == 1 else f"({table_map.id_sql})"
        wanted = sorted(ids)
        for start in range(0, len(wanted), _IN_CHUNK):
            part = wanted[start:start + _IN_CHUNK]
            marks = ",".join("?" * len(part))
            for row in self.conn.execute(f"{table_map.select_sql} WHERE {key} IN ({marks})",
                                         part):
                stored = stored_version(table_map, row)
                found[stored.entity_id] = _Local(stored.version, stored.sha256, stored.values)
        return found

    # --- writing ------------------------------------------------------------------

    def _write(self, table: _Table, result: Applied) -> None:
        table_map = table.table_map
        rows = sorted(table.inserts.values(), key=lambda p: (p.origin, p.seq))
        written = self._insert(table_map, rows, result)
        updates = sorted(table.updates.values(), key=lambda u: (u[0].origin, u[0].seq))
        for pulled, was, displaced in updates:
            self._keep(table_map, pulled.entity_id, was, displaced)
        self._replace(table_map, [u[0] for u in updates])
        written += [u[0] for u in updates]
        self._cover(table_map, written)
        self._fold += [_ref(p) for p in written]
        if table_map.entity is Entity.SUBJECT and written:
            self._index_subjects(written)
        if written:
            result.entities.add(table_map.entity)
            result.written += len(written)
        if table_map.entity is Entity.EVIDENCE:
            result.evidence += [str(p.fields["sha256"]) for p in written if p.fields["sha256"]]

    def _layout(self, table_map: TableMap) -> _Layout:
        layout = _LAYOUTS.get(table_map.entity)
        if layout is None:
            layout = _LAYOUTS[table_map.entity] = _Layout.of(table_map)
        return layout

    def _insert(self, table_map: TableMap, rows: list[Pulled], result: Applied) -> list[Pulled]:
        if not rows:
            return []
        layout = self._layout(table_map)
        seq = self._next_local_seq() if table_map.entity is Entity.SUBJECT else 0
        values = [layout.row(p, seq + i) for i, p in enumerate(rows)]
        sql = layout.insert_sql
        self.conn.execute("SAVEPOINT pulled_insert")
        try:
            self.conn.executemany(sql, values)
        except sqlite3.IntegrityError:
            # A unique column clashes with a local record of another id (an officer's
            # certificate number typed in before enrollment): insert the rest one by one
            # and report the clashes; they stay out of the store and of the chain.
            self.conn.execute("ROLLBACK TO pulled_insert")
            kept = []
            for pulled, row in zip(rows, values, strict=True):
                try:
                    self.conn.execute(sql, row)
                    kept.append(pulled)
                except sqlite3.IntegrityError:
                    result.collisions.append(pulled.key)
            rows = kept
        self.conn.execute("RELEASE pulled_insert")
        return rows

    def _replace(self, table_map: TableMap, rows: list[Pulled]) -> None:
        if not rows:
            return
        keys = set(table_map.key)
        names = ["version", *[n for n in table_map.spec.names if n not in keys]]
        where = " AND ".join(f'"{c}" = ?' for c in table_map.key)
        sets = ", ".join(f'"{n}" = ?' for n in names)
        self.conn.executemany(
            f'UPDATE "{table_map.table}" SET {sets} WHERE {where}',
            [[p.version, *[p.fields[n] for n in names[1:]],
              *p.entity_id.split(":", len(table_map.key) - 1)] for p in rows])

    def _keep(self, table_map: TableMap, entity_id: str, was: _Local, displaced: bool) -> None:
        """The local version replaced stays checkable: in ``record_version`` as a
        superseded version, or in ``record_displaced`` when HQ's state took its place at
        the same or a lower version number (or its number was kept already)."""
        entity = table_map.entity.value
        content = canonical(entity, entity_id, was.version, was.values).decode()
        if not displaced:
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO record_version (entity, entity_id, version, content)"
                " VALUES (?, ?, ?, ?)", (entity, entity_id, was.version, content))
            if cursor.rowcount:
                return
        self.conn.execute(
            "INSERT OR IGNORE INTO record_displaced (entity, entity_id, version, sha256,"
            " content, displaced_at) VALUES (?, ?, ?, ?, ?, ?)",
            (entity, entity_id, was.version, was.sha256, content,
             audit.utc_text(self.chain.now)))

    def _cover(self, table_map: TableMap, rows: list[Pulled]) -> None:
        """Applied-from-HQ events: one per origin device and ``BULK_EVENT_ROWS`` rows."""
        entity = table_map.entity.value
        start = 0
        while start < len(rows):
            origin = rows[start].origin
            end = start
            while end < len(rows) and rows[end].origin == origin \
                    and end - start < BULK_EVENT_ROWS:
                end += 1
            part = rows[start:end]
            self.chain.cover_refs(
                entity, [(entity, p.entity_id, p.version, p.sha256) for p in part],
                {"origin_device": origin, "hq_seq": _ranges(p.seq for p in part),
                 "rows": len(part)})
            start = end

    def _next_local_seq(self) -> int:
        row = self.conn.execute("SELECT COALESCE(MAX(local_seq), 0) FROM subject").fetchone()
        return int(row[0]) + 1

    def _index_subjects(self, rows: list[Pulled]) -> None:
        marks = ",".join("?" * len(rows))
        seqs = dict(self.conn.execute(
            f"SELECT id, local_seq FROM subject WHERE id IN ({marks})",
            [p.entity_id for p in rows]).fetchall()) if len(rows) <= 30_000 else \
            dict(self.conn.execute("SELECT id, local_seq FROM subject").fetchall())
        pairs = [(seqs[p.entity_id], search.tokens_for(p.fields)) for p in rows]
        self.conn.executemany("DELETE FROM subject_search WHERE rowid = ?",
                              [(s,) for s, _t in pairs])
        self.conn.executemany("INSERT INTO subject_search(rowid, tokens) VALUES (?, ?)", pairs)

    def _advance_hlc(self, items: Sequence[Pulled]) -> None:
        """A local change after this page sorts after every change pulled in it."""
        newest = max((p.hlc for p in items if p.hlc), default="")
        if not newest:
            return
        row = self.conn.execute("SELECT value FROM sync_state WHERE key = ?",
                                (_HLC_KEY,)).fetchone()
        last = Hlc.decode(row[0]) if row else None
        try:
            remote = Hlc.decode(newest)
        except ValueError:
            return
        stamp = receive(last, remote, self.now_ms, self.device_id)
        self.conn.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key)"
                          " DO UPDATE SET value = excluded.value", (_HLC_KEY, stamp.encode()))

    def sign(self, signer: Any) -> None:
        self.chain.sign(signer)


@dataclass(frozen=True)
class _Layout:
    """How a pulled version becomes a row of its table (worked out once per table)."""

    insert_sql: str
    keys: int
    mutable: bool
    values: Callable[[dict[str, FieldValue]], tuple[Any, ...]]
    local: tuple[Any, ...]
    subject: bool

    @classmethod
    def of(cls, table_map: TableMap) -> _Layout:
        keys = set(table_map.key)
        names = [n for n in table_map.spec.names if n not in keys]
        local = _LOCAL_VALUES.get(table_map.table, {})
        columns = [*table_map.key, *(["version"] if table_map.mutable else []), *names,
                   *local, *(["local_seq"] if table_map.entity is Entity.SUBJECT else [])]
        quoted = ", ".join(f'"{c}"' for c in columns)
        values: Callable[[dict[str, FieldValue]], tuple[Any, ...]]
        if len(names) > 1:
            values = itemgetter(*names)
        elif names:
            values = partial(_one, names[0])
        else:  # every field is part of the key (a list item's violation)
            values = _none
        return cls(f'INSERT INTO "{table_map.table}" ({quoted}) VALUES '
                   f"({', '.join('?' * len(columns))})", len(table_map.key),
                   table_map.mutable, values, tuple(local.values()),
                   table_map.entity is Entity.SUBJECT)

    def row(self, pulled: Pulled, local_seq: int) -> tuple[Any, ...]:
        parts = tuple(pulled.entity_id.split(":", self.keys - 1)) if self.keys > 1 \
            else (pulled.entity_id,)
        version = (pulled.version,) if self.mutable else ()
        tail = (local_seq,) if self.subject else ()
        return (*parts, *version, *self.values(pulled.fields), *self.local, *tail)


def _one(name: str, fields: dict[str, FieldValue]) -> tuple[Any, ...]:
    return (fields[name],)


def _none(_fields: dict[str, FieldValue]) -> tuple[Any, ...]:
    return ()


_LAYOUTS: dict[Entity, _Layout] = {}


def _ref(pulled: Pulled) -> checksums.Ref:
    return (pulled.entity.value, pulled.entity_id, pulled.version, pulled.sha256)


def _by_entity(items: Iterable[Pulled]) -> dict[Entity, list[Pulled]]:
    """Grouped by entity, parents first (the protocol's entity order)."""
    groups: dict[Entity, list[Pulled]] = {}
    for item in items:
        groups.setdefault(item.entity, []).append(item)
    order = list(Entity)
    return {e: groups[e] for e in sorted(groups, key=order.index)}


def _ranges(seqs: Iterable[int]) -> list[list[int]]:
    """Sorted sequence numbers as [first, last] runs (the event payload stays small)."""
    out: list[list[int]] = []
    for seq in sorted(seqs):
        if out and seq == out[-1][1] + 1:
            out[-1][1] = seq
        elif not out or seq != out[-1][1]:
            out.append([seq, seq])
    return out


BULK_TABLES = ("subject", "inspection", "finding", "ladder_step", "case_file", "case_event",
               "document", "evidence")


def begin_bulk(conn: sqlite3.Connection) -> None:
    """Before a large pull (a first sync): drop the secondary indexes of the big tables
    (rebuilt once at the end, ``end_bulk``; a pull killed half-way is repaired when the
    store next opens, ``store.bulk``)."""
    from fieldapp.store import bulk

    bulk.drop_secondary_indexes(DbApi(conn), BULK_TABLES,  # type: ignore[arg-type]
                                fts_tables=("subject_search",))


def end_bulk(conn: sqlite3.Connection) -> None:
    from fieldapp.store import bulk

    bulk.restore_indexes(DbApi(conn))  # type: ignore[arg-type]
