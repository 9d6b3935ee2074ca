"""The full-process record (执法全过程记录): a hash-chained, append-only event log.

Each event's hash is SHA-256 over the previous event's hash and a canonical JSON
encoding of the event (its sequence number included), so an edited, deleted, inserted
or reordered event breaks the chain at that point. The head (last seq and hash) is also
kept in ``sync_state`` so that cutting events off the end is found too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

GENESIS = "0" * 64
_HEAD_KEY = "audit_head"


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)


def utc_text(moment: dt.datetime) -> str:
    """The stored text of an aware datetime (the same as SQLAlchemy writes for SQLite)."""
    if moment.tzinfo is not dt.UTC:
        moment = moment.astimezone(dt.UTC)
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds")


def event_hash(prev_hash: str, event: dict[str, Any]) -> str:
    body = canonical_json(event)
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


@dataclass(frozen=True)
class AuditHead:
    seq: int
    hash: str


def read_head(conn: Connection) -> AuditHead:
    row = conn.exec_driver_sql(
        "SELECT value FROM sync_state WHERE key = ?", (_HEAD_KEY,)
    ).first()
    if row is None:
        return AuditHead(0, GENESIS)
    seq, digest = row[0].split(":")
    return AuditHead(int(seq), digest)


def _event_fields(seq: int, id_: str, at: str, device: str, officer: str, action: str,
                  entity: str, entity_id: str, payload_json: str) -> dict[str, Any]:
    return {"seq": seq, "id": id_, "at": at, "device": device, "officer": officer,
            "action": action, "entity": entity, "entity_id": entity_id,
            "payload": payload_json}


def append(conn: Connection, *, event_id: str, at: dt.datetime, device_id: str,
           officer_id: str, action: str, entity: str, entity_id: str,
           payload: dict[str, Any]) -> AuditHead:
    """Append one event inside the caller's transaction; returns the new head."""
    head = read_head(conn)
    seq = head.seq + 1
    at_text = utc_text(at)
    payload_json = canonical_json(payload)
    digest = event_hash(head.hash, _event_fields(
        seq, event_id, at_text, device_id, officer_id, action, entity, entity_id,
        payload_json))
    conn.exec_driver_sql(
        "INSERT INTO audit_event (seq, id, at_utc, device_id, officer_id, action, entity,"
        " entity_id, payload_json, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (seq, event_id, at_text, device_id, officer_id, action, entity, entity_id,
         payload_json, head.hash, digest),
    )
    new_head = AuditHead(seq, digest)
    conn.exec_driver_sql(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (_HEAD_KEY, f"{seq}:{digest}"),
    )
    return new_head


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    first_bad_id: str | None = None
    problem: str = ""  # English template, translated at the edge
    params: dict[str, int] = field(default_factory=dict)


def verify(conn: Connection) -> VerifyResult:
    """Walk the chain; report the first event that does not fit."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    rows = conn.exec_driver_sql(
        "SELECT seq, id, at_utc, device_id, officer_id, action, entity, entity_id,"
        " payload_json, prev_hash, hash FROM audit_event ORDER BY seq"
    )
    for seq, id_, at, dev, off, action, entity, eid, payload, stored_prev, digest in rows:
        problem = ""
        if seq != expected_seq:
            problem = "event {seq} follows a gap: event {expected} is missing"
        elif stored_prev != prev_hash:
            problem = ("event {seq} does not follow the event before it "
                       "(deleted, inserted or reordered)")
        elif event_hash(prev_hash, _event_fields(
                seq, id_, at, dev, off, action, entity, eid, payload)) != digest:
            problem = "event {seq} was changed after it was recorded"
        if problem:
            return VerifyResult(False, checked, seq, id_, problem,
                                {"seq": seq, "expected": expected_seq})
        prev_hash, expected_seq, checked = digest, seq + 1, checked + 1
    head = read_head(conn)
    if head.seq != checked or head.hash != prev_hash:
        return VerifyResult(False, checked, head.seq, None,
                            "the log ends at event {checked} but event {seq} was recorded",
                            {"seq": head.seq, "checked": checked})
    return VerifyResult(True, checked)
