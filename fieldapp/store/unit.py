"""The write transaction: records, their outbox envelopes and the audit event commit
together.

Services open one ``Tx`` per thing a user does. ``add`` and ``update`` write a record
and read it back as the protocol's canonical version (``store.entities``): its content
hash goes under the chain, a superseded version of a mutable record is kept in
``record_version``, and a change envelope goes to the outbox. ``audit`` names what the
person did. Leaving the ``with`` block (``Store.write``) appends the audit events — the
last one covering every record version written — signs the chain head and commits it
all at once (BEGIN IMMEDIATE … COMMIT, fsynced), or nothing if an exception escapes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlmodel import Session, SQLModel

from fieldapp.domain.changes import ChangeKind
from fieldapp.domain.hlc import Hlc, tick
from fieldapp.store import audit
from fieldapp.store.entities import (
    BY_TABLE,
    StoredVersion,
    TableMap,
    kind_of_table,
    object_version,
    read_version,
    stored_version,
)
from fieldapp.sync.protocol import Op, Scope, canonical

T = TypeVar("T", bound=SQLModel)
Signer = Callable[[bytes], str]
_HLC_KEY = "hlc_last"
# Tests set this: every version computed from a flushed object is also read back and
# must be the same (``FIELDAPP_CHECK_CANONICAL=1``).
CHECK_CANONICAL = os.environ.get("FIELDAPP_CHECK_CANONICAL") == "1"


class CanonicalMismatch(AssertionError):
    pass


class Tx:
    def __init__(self, session: Session, *, now: dt.datetime, device_id: str,
                 officer_id: str, new_id: Callable[[], str], outbox: bool = True) -> None:
        self.session = session
        self.now = now
        self.device_id = device_id
        self.officer_id = officer_id
        self.new_id = new_id
        self.outbox = outbox
        self._hlc: Hlc | None = None
        self._rows: list[audit.RowRef] = []
        self._events: list[tuple[str, str, str, dict[str, Any]]] = []
        self.changed: set[ChangeKind] = set()

    @property
    def conn(self) -> Any:
        return self.session.connection()

    def hlc(self) -> str:
        """This transaction's HLC stamp (one per transaction)."""
        if self._hlc is None:
            row = self.conn.exec_driver_sql(
                "SELECT value FROM sync_state WHERE key = ?", (_HLC_KEY,)).first()
            last = Hlc.decode(row[0]) if row else None
            self._hlc = tick(last, int(self.now.timestamp() * 1000), self.device_id)
            self.conn.exec_driver_sql(
                "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) "
                "DO UPDATE SET value = excluded.value", (_HLC_KEY, self._hlc.encode()))
        return self._hlc.encode()

    def add(self, obj: T) -> T:
        table = str(obj.__tablename__)
        if hasattr(obj, "hlc") and not obj.hlc:
            obj.hlc = self.hlc()
        new = inspect(obj).key is None  # flushed as an INSERT of every column
        self.session.add(obj)
        self.session.flush()
        table_map = BY_TABLE.get(table)
        if table_map is None:
            self.changed.add(kind_of_table(table))
        else:
            # The version as inserted, from the values bound (no re-read); an UPDATE
            # leaves columns it did not bind as stored, so those are read back.
            stored = object_version(table_map, obj, self.conn.dialect) if new else None
            self._written(table_map, table_map.entity_id(obj), Op.CREATE, 0, (), stored)
        return obj

    def update(self, obj: T, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply ``changes`` that differ; bump version and HLC; returns what changed.
        The version replaced is kept (``record_version``) so its hash stays checkable."""
        real = {k: v for k, v in changes.items() if getattr(obj, k) != v}
        if not real:
            return {}
        table_map = BY_TABLE[str(obj.__tablename__)]
        entity_id = table_map.entity_id(obj)
        before = read_version(self.conn, table_map, entity_id)
        self._keep(before)
        for key, value in real.items():
            setattr(obj, key, value)
        obj.version += 1  # type: ignore[attr-defined]
        obj.hlc = self.hlc()
        self.session.add(obj)
        self.session.flush()
        self._written(table_map, entity_id, Op.UPDATE, before.version, tuple(real))
        return real

    def audit(self, action: str, entity: str, entity_id: str,
              payload: dict[str, Any] | None = None) -> None:
        """Name what the person did; written when the transaction ends."""
        self._events.append((action, entity, entity_id, payload or {}))
        self.changed.add(ChangeKind.RECORD)

    def finish(self, signer: Signer | None) -> None:
        """Append the events (the last covering every version written) and sign the
        head; ``Store.write`` calls this just before it commits."""
        if self._rows and not self._events:
            self._events.append(("records.write", "", "", {}))
        last = len(self._events) - 1
        for n, (action, entity, entity_id, payload) in enumerate(self._events):
            audit.append(self.conn, event_id=self.new_id(), at=self.now,
                         device_id=self.device_id, officer_id=self.officer_id,
                         action=action, entity=entity, entity_id=entity_id,
                         payload=payload, rows=self._rows if n == last else ())
        if self._events:
            audit.sign_head(self.conn, self.device_id, signer)

    # --- what a write leaves behind ------------------------------------------------------

    def _written(self, table_map: TableMap, entity_id: str, op: Op, base_version: int,
                 changed: tuple[str, ...], stored: StoredVersion | None = None) -> None:
        if stored is None:
            stored = read_version(self.conn, table_map, entity_id)
        elif CHECK_CANONICAL:
            again = read_version(self.conn, table_map, entity_id)
            if canonical(stored.entity.value, stored.entity_id, stored.version,
                         stored.values) != canonical(again.entity.value, again.entity_id,
                                                     again.version, again.values):
                raise CanonicalMismatch(f"{table_map.table} {entity_id}: {stored} != {again}")
        self._rows.append((stored.entity.value, entity_id, stored.version, stored.sha256))
        self.changed.add(table_map.kind)
        # Reference data (officers, catalogue, lists, city rules …) is HQ's to publish: a
        # device's own copy of it is never pushed.
        if self.outbox and table_map.spec.scope is not Scope.REFERENCE:
            self._enqueue(stored, op, base_version, changed)

    def _keep(self, version: StoredVersion) -> None:
        self.conn.exec_driver_sql(
            "INSERT INTO record_version (entity, entity_id, version, content)"
            " VALUES (?, ?, ?, ?)",
            (version.entity.value, version.entity_id, version.version,
             canonical(version.entity.value, version.entity_id, version.version,
                       version.values).decode()))

    def _enqueue(self, stored: StoredVersion, op: Op, base_version: int,
                 changed: tuple[str, ...]) -> None:
        enqueue(self.conn, stored, op=op, base_version=base_version, changed=changed,
                change_id=self.new_id(), device_id=self.device_id, now=self.now)


def enqueue(conn: Any, stored: StoredVersion, *, op: Op, base_version: int,
            changed: tuple[str, ...], change_id: str, device_id: str,
            now: dt.datetime) -> None:
    """Put the change envelope of one record version in the outbox."""
    fields = stored.fields()
    hlc = str(fields.get("hlc") or "")
    envelope = {
        "change_id": change_id, "entity": stored.entity.value,
        "entity_id": stored.entity_id, "op": op.value, "version": stored.version,
        "base_version": base_version, "hlc": hlc, "device_id": device_id,
        "recorded_at": audit.utc_text(now), "fields": fields, "changed": sorted(changed),
        "content_sha256": stored.sha256}
    conn.exec_driver_sql(
        "INSERT INTO outbox (id, entity, entity_id, op, payload_json, hlc, created_at,"
        " version, base_version, state) VALUES (?,?,?,?,?,?,?,?,?, 'pending')",
        (change_id, stored.entity.value, stored.entity_id, op.value,
         json.dumps(envelope, ensure_ascii=False, separators=(",", ":")), hlc,
         audit.utc_text(now), stored.version, base_version))


def enqueue_rows(tx: Tx, table_map: TableMap, rows: list[tuple[Any, ...]]) -> None:
    """Envelopes for rows read with ``select_sql`` as they stand (a store covered once,
    whose records never went to HQ): each as created at its current version."""
    if table_map.spec.scope is Scope.REFERENCE:
        return
    for row in rows:
        stored = stored_version(table_map, row)
        enqueue(tx.conn, stored, op=Op.CREATE, base_version=0, changed=(),
                change_id=tx.new_id(), device_id=tx.device_id, now=tx.now)
