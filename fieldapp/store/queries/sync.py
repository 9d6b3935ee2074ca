"""Reads of the sync: the outbox, the chain events to push, the file queue, HQ's
number blocks, the conflicts a merge kept.

The sync runs on a plain sqlite3 connection of its own (``services/sync/db.py``: bulk
speed for 100,000 pulled records), which takes SQL strings, not SQLAlchemy expressions;
the functions on it keep their SQL as strings for that reason. The views a person reads
(``list_changes``, ``list_conflicts``) and the reads inside a write use the store's
session and are ``select()`` expressions over the raw tables' columns, untyped so the
values come back as stored.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, column, or_, select, table
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

# outbox.resolved_at / hq_state_json and sync_conflict are raw-SQL columns and tables
# (migrations), not on the SQLModel tables.
_outbox = table("outbox", column("seq"), column("id"), column("entity"),
                column("entity_id"), column("version"), column("state"),
                column("reason_code"), column("reason"), column("created_at"),
                column("resolved_at"), column("payload_json"), column("hq_state_json"))
_conflict = table("sync_conflict", column("id"), column("entity"), column("entity_id"),
                  column("field"), column("kept_json"), column("lost_json"), column("at"),
                  column("resolved_at"))

CHAIN_EVENT_COLUMNS = ("seq", "id", "at_utc", "device_id", "officer_id", "action", "entity",
                       "entity_id", "payload_json", "format", "prev_hash", "hash")


# --- on the sync's own sqlite3 connection (SQL strings: see the module docstring) ---

def state_value(conn: sqlite3.Connection, *, key: str) -> str | None:
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else None


def pending_count(conn: sqlite3.Connection) -> int:
    return _count(conn, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'")


def held_count(conn: sqlite3.Connection, *, reasons: Iterable[str]) -> int:
    wanted = list(reasons)
    marks = ",".join("?" for _ in wanted)
    return _count(conn, "SELECT COUNT(*) FROM outbox WHERE state = 'sent' AND reason_code"
                        f" IN ({marks})", wanted)


def open_rejection_count(conn: sqlite3.Connection) -> int:
    return _count(conn, "SELECT COUNT(*) FROM outbox WHERE state = 'rejected' AND "
                        "resolved_at = ''")


def open_conflict_count(conn: sqlite3.Connection) -> int:
    return _count(conn, "SELECT COUNT(*) FROM sync_conflict WHERE resolved_at = ''")


def pending_files_count(conn: sqlite3.Connection) -> int:
    return _count(conn, "SELECT COUNT(*) FROM blob_queue WHERE state != 'done'")


def failed_files_count(conn: sqlite3.Connection) -> int:
    return _count(conn, "SELECT COUNT(*) FROM blob_queue WHERE state = 'failed'")


def queued_files(conn: sqlite3.Connection, *, direction: str) -> list[str]:
    """Files still to go ``up`` or come ``down``."""
    return [str(r[0]) for r in conn.execute(
        "SELECT sha256 FROM blob_queue WHERE direction = ? AND state != 'done'",
        (direction,)).fetchall()]


def pending_batch(conn: sqlite3.Connection, *, limit: int) -> list[tuple[Any, ...]]:
    """(entity, entity_id, version, change id, envelope) of the oldest pending changes."""
    return conn.execute("SELECT entity, entity_id, version, id, payload_json FROM outbox"
                        " WHERE state = 'pending' ORDER BY seq LIMIT ?", (limit,)).fetchall()


def pending_envelopes(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """(envelope, state, reason) of every change HQ has not taken, oldest first."""
    return conn.execute("SELECT payload_json, state, reason FROM outbox WHERE state IN "
                        "('pending', 'rejected') ORDER BY seq").fetchall()


def pending_entities(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    return {(str(e), str(i)) for e, i in conn.execute(
        "SELECT DISTINCT entity, entity_id FROM outbox WHERE state = 'pending'")}


def is_pending(conn: sqlite3.Connection, *, entity: str, entity_id: str) -> bool:
    return conn.execute("SELECT 1 FROM outbox WHERE entity = ? AND entity_id = ? AND "
                        "state = 'pending' LIMIT 1", (entity, entity_id)).fetchone() is not None


def change_entity(conn: sqlite3.Connection, *, change_id: str) -> tuple[str, str]:
    """(entity, entity_id) of an outbox change; ("", "") if there is none."""
    row = conn.execute("SELECT entity, entity_id FROM outbox WHERE id = ?",
                       (change_id,)).fetchone()
    return (str(row[0]), str(row[1])) if row else ("", "")


def chain_events_after(conn: sqlite3.Connection, *, seq: int,
                       limit: int = -1) -> list[tuple[Any, ...]]:
    """Chain events after ``seq`` in order, as ``CHAIN_EVENT_COLUMNS`` (-1: all)."""
    return conn.execute(f"SELECT {', '.join(CHAIN_EVENT_COLUMNS)} FROM audit_event"
                        " WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit)).fetchall()


def event_rows(conn: sqlite3.Connection, *, seq: int) -> list[tuple[Any, ...]]:
    """(entity, entity_id, version, sha256) of the record versions an event covers."""
    return conn.execute("SELECT entity, entity_id, version, sha256 FROM audit_row"
                        " WHERE seq = ? ORDER BY pos", (seq,)).fetchall()


def officer_known(conn: sqlite3.Connection, *, officer_id: str) -> bool:
    return conn.execute("SELECT 1 FROM officer WHERE id = ?",
                        (officer_id,)).fetchone() is not None


def hq_serials_left(conn: sqlite3.Connection, *, device_id: str, squad_id: str,
                    year: int) -> dict[str, int]:
    """Serials left in this device's HQ blocks of a year, by kind (kinds with blocks)."""
    rows = conn.execute(
        "SELECT kind, SUM(MAX(last_serial - next_serial + 1, 0)) FROM number_block"
        " WHERE device_id = ? AND squad_id = ? AND year = ? AND source = 'hq'"
        " GROUP BY kind", (device_id, squad_id, year)).fetchall()
    return {str(kind): int(n) for kind, n in rows}


def unused_hq_blocks(conn: sqlite3.Connection, *, device_id: str,
                     before_year: int | None = None) -> list[tuple[str, int]]:
    """(block id, next serial) of this device's HQ blocks with serials left, of the
    years before ``before_year`` (None: every year)."""
    year = " AND year < ?" if before_year is not None else ""
    args: tuple[Any, ...] = (device_id,) if before_year is None else (device_id, before_year)
    return [(str(i), int(n)) for i, n in conn.execute(
        f"SELECT id, next_serial FROM number_block WHERE device_id = ? AND source = 'hq'"
        f"{year} AND next_serial <= last_serial", args).fetchall()]


def _count(conn: sqlite3.Connection, sql: str, args: Iterable[Any] = ()) -> int:
    return int(conn.execute(sql, tuple(args)).fetchone()[0])


# --- on the store's session ---

_CHANGE_COLUMNS = (_outbox.c.id, _outbox.c.entity, _outbox.c.entity_id, _outbox.c.version,
                   _outbox.c.state, _outbox.c.reason_code, _outbox.c.reason,
                   _outbox.c.created_at, _outbox.c.resolved_at, _outbox.c.payload_json,
                   _outbox.c.hq_state_json)


def changes(session: Session, *, state: str | None, held: Iterable[str], open_only: bool,
            limit: int) -> list[tuple[Any, ...]]:
    """Outbox changes by state (see ``services.sync.views.list_changes``), newest first,
    as (id, entity, entity_id, version, state, reason_code, reason, created_at,
    resolved_at, payload_json, hq_state_json)."""
    o = _outbox.c
    held_now = and_(o.state == "sent", o.reason_code.in_(list(held)))
    rejected: ColumnElement[bool] = o.state == "rejected"
    if open_only:
        rejected = and_(rejected, o.resolved_at == "")
    where = {"pending": o.state == "pending", "held": held_now, "rejected": rejected,
             "sent": o.state == "sent",
             None: or_(o.state == "pending", held_now, rejected)}[state]
    query = select(*_CHANGE_COLUMNS).where(where).order_by(o.seq.desc()).limit(limit)
    return [tuple(r) for r in session.connection().execute(query).all()]


def change(session: Session, *, change_id: str) -> tuple[Any, ...] | None:
    """One outbox change, as ``changes`` gives them."""
    query = select(*_CHANGE_COLUMNS).where(_outbox.c.id == change_id)
    row = session.connection().execute(query).first()
    return None if row is None else tuple(row)


def change_envelope(session: Session, *, change_id: str) -> str:
    query = select(_outbox.c.payload_json).where(_outbox.c.id == change_id)
    return str(session.connection().execute(query).scalar_one())


def last_pending_change(session: Session, *, entity: str,
                        entity_id: str) -> tuple[int, str]:
    """(seq, envelope) of an entity's newest pending change."""
    o = _outbox.c
    query = (select(o.seq, o.payload_json)
             .where(o.entity == entity, o.entity_id == entity_id, o.state == "pending")
             .order_by(o.seq.desc()).limit(1))
    seq, payload = session.connection().execute(query).one()
    return int(seq), str(payload)


def conflicts(session: Session, *, open_only: bool) -> list[tuple[Any, ...]]:
    """(id, entity, entity_id, field, kept_json, lost_json, at, resolved_at), newest
    first."""
    c = _conflict.c
    query = select(c.id, c.entity, c.entity_id, c.field, c.kept_json, c.lost_json, c.at,
                   c.resolved_at).order_by(c.at.desc())
    if open_only:
        query = query.where(c.resolved_at == "")
    return [tuple(r) for r in session.connection().execute(query).all()]
