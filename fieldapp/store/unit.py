"""The write transaction: rows, their outbox entries and the audit event commit together.

Services open one ``Tx`` per thing a user does. ``add`` and ``update`` write the row and,
for synced tables, its outbox entry; ``audit`` appends to the hash-chained log. Leaving
the ``with`` block commits everything at once (BEGIN IMMEDIATE … COMMIT, fsynced), or
nothing if an exception escapes.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel

from fieldapp.domain.hlc import Hlc, tick
from fieldapp.store import audit
from fieldapp.store.tables import SYNCED_TABLES

T = TypeVar("T", bound=SQLModel)
_HLC_KEY = "hlc_last"


def row_payload(obj: SQLModel) -> dict[str, Any]:
    """A JSON-ready dict of a row (dates as ISO text, enums as values)."""
    out: dict[str, Any] = {}
    for key, value in obj.model_dump().items():
        if isinstance(value, dt.datetime):
            value = audit.utc_text(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, enum.Enum):
            value = value.value
        out[key] = value
    return out


class Tx:
    def __init__(self, session: Session, *, now: dt.datetime, device_id: str,
                 officer_id: str, new_id: Callable[[], str]) -> None:
        self.session = session
        self.now = now
        self.device_id = device_id
        self.officer_id = officer_id
        self.new_id = new_id
        self._hlc: Hlc | None = None
        self.changed: set[str] = set()

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
        self.session.add(obj)
        self.session.flush()
        self.changed.add(table)
        if table in SYNCED_TABLES:
            self._outbox(table, _pk(obj), "insert", row_payload(obj))
        return obj

    def update(self, obj: T, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply ``changes`` that differ; bump version and HLC; returns what changed."""
        real = {k: v for k, v in changes.items() if getattr(obj, k) != v}
        if not real:
            return {}
        for key, value in real.items():
            setattr(obj, key, value)
        obj.version += 1  # type: ignore[attr-defined]
        obj.hlc = self.hlc()
        self.session.add(obj)
        self.session.flush()
        table = str(obj.__tablename__)
        self.changed.add(table)
        if table in SYNCED_TABLES:
            payload = {k: row_payload(obj)[k] for k in real}
            payload |= {"version": obj.version, "hlc": obj.hlc}  # type: ignore[attr-defined]
            self._outbox(table, _pk(obj), "update", payload)
        return real

    def audit(self, action: str, entity: str, entity_id: str,
              payload: dict[str, Any] | None = None) -> None:
        audit.append(
            self.conn, event_id=self.new_id(), at=self.now, device_id=self.device_id,
            officer_id=self.officer_id, action=action, entity=entity,
            entity_id=entity_id, payload=payload or {},
        )
        self.changed.add("audit_event")

    def _outbox(self, entity: str, entity_id: str, op: str, payload: dict[str, Any]) -> None:
        self.conn.exec_driver_sql(
            "INSERT INTO outbox (id, entity, entity_id, op, payload_json, hlc, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (self.new_id(), entity, entity_id, op, audit.canonical_json(payload),
             payload.get("hlc", ""), audit.utc_text(self.now)),
        )


def _pk(obj: SQLModel) -> str:
    for name in ("id", "code", "key", "day"):
        if hasattr(obj, name):
            return str(getattr(obj, name))
    raise TypeError(f"{type(obj).__name__} has no primary key the outbox knows")
