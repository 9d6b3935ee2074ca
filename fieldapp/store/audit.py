"""The full-process record (执法全过程记录): a hash-chained, append-only event log that
covers the content of every record version it names.

Each event's hash is SHA-256 over the previous event's hash and a canonical JSON
encoding of the event (its sequence number included), so an edited, deleted, inserted
or reordered event breaks the chain at that point. Since format 2 an event also names,
in ``audit_row``, every record version its transaction wrote with that version's content
hash (``fieldapp.sync.protocol.content_hash``), and the event hash covers those rows.
The head (last seq and hash) is kept in ``sync_state`` so that cutting events off the
end is found too, and is signed with the device key after each transaction, so a chain
rewritten and re-hashed by someone without the key does not verify.

Walking and checking the chain is ``fieldapp.store.chain``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from fieldapp.sync.protocol import (
    chain_event_fields,
    chain_hash,
    head_message,
    rows_digest,
    time_text,
)

GENESIS = "0" * 64
FORMAT = 2
_HEAD_KEY = "audit_head"
_SIGNATURE_KEY = "audit_head_signature"

RowRef = tuple[str, str, int, str]  # entity, entity id, version, sha256 (hex)


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)


def utc_text(moment: dt.datetime) -> str:
    """The stored text of an aware datetime: the protocol's canonical time text, which
    is also what SQLAlchemy writes for SQLite."""
    return time_text(moment)


def event_hash(prev_hash: str, event: dict[str, Any]) -> str:
    return chain_hash(prev_hash, event)


@dataclass(frozen=True)
class AuditHead:
    seq: int
    hash: str


def read_head(conn: Any) -> AuditHead:
    """The head (from a SQLAlchemy connection, or anything with ``exec_driver_sql``)."""
    row = conn.exec_driver_sql(
        "SELECT value FROM sync_state WHERE key = ?", (_HEAD_KEY,)
    ).first()
    if row is None:
        return AuditHead(0, GENESIS)
    seq, digest = row[0].split(":")
    return AuditHead(int(seq), digest)


def read_head_signature(conn: Any) -> str:
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?",
                       (_SIGNATURE_KEY,)).fetchone()
    return str(row[0]) if row else ""


def event_fields(seq: int, id_: str, at: str, device: str, officer: str, action: str,
                 entity: str, entity_id: str, payload_json: str, fmt: int = FORMAT,
                 rows_sha256: str = "") -> dict[str, Any]:
    """What an event's hash covers (the protocol's definition)."""
    return chain_event_fields(seq, id_, at, device, officer, action, entity, entity_id,
                              payload_json, fmt, rows_sha256)


def append(conn: Connection, *, event_id: str, at: dt.datetime, device_id: str,
           officer_id: str, action: str, entity: str, entity_id: str,
           payload: dict[str, Any], rows: Sequence[RowRef] = ()) -> AuditHead:
    """Append one event (and the record versions it covers) inside the caller's
    transaction; returns the new head."""
    head = read_head(conn)
    seq = head.seq + 1
    at_text = utc_text(at)
    payload_json = canonical_json(payload)
    digest_of_rows = rows_digest(rows)
    digest = event_hash(head.hash, event_fields(
        seq, event_id, at_text, device_id, officer_id, action, entity, entity_id,
        payload_json, FORMAT, digest_of_rows))
    conn.exec_driver_sql(
        "INSERT INTO audit_event (seq, id, at_utc, device_id, officer_id, action, entity,"
        " entity_id, payload_json, prev_hash, hash, format, rows_sha256)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (seq, event_id, at_text, device_id, officer_id, action, entity, entity_id,
         payload_json, head.hash, digest, FORMAT, digest_of_rows),
    )
    if rows:
        conn.exec_driver_sql(
            "INSERT INTO audit_row (seq, pos, entity, entity_id, version, sha256)"
            " VALUES (?,?,?,?,?,?)",
            [(seq, pos, e, i, v, bytes.fromhex(s)) for pos, (e, i, v, s) in enumerate(rows)])
    new_head = AuditHead(seq, digest)
    _put(conn, _HEAD_KEY, f"{seq}:{digest}")
    return new_head


def sign_head(conn: Connection, device_id: str, signer: Any) -> None:
    """Sign the current head with the device key (``signer(message) -> base64url``);
    without a key the head stays unsigned and ``verify`` says so."""
    head = read_head(conn)
    signature = signer(head_message(device_id, head.seq, head.hash)) if signer else ""
    _put(conn, _SIGNATURE_KEY, signature)


def _put(conn: Connection, key: str, value: str) -> None:
    conn.exec_driver_sql(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
