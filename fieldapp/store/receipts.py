"""HQ's countersigned head receipts: proof that HQ saw this device's chain up to a head.

After a push HQ answers a ``HeadReceipt`` for the head it verified: HQ's Ed25519
signature over the device's signed head and the time HQ had it. The device keeps each
one (``chain_receipt``) and ``audit verify`` checks them with HQ's public key (kept at
enrollment): every countersigned event must still be in the chain with the hash HQ
signed, so a chain rewritten and re-signed with the device key does not pass.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from fieldapp.store.keys import verify_text
from fieldapp.sync.protocol import HeadReceipt, head_message, receipt_message

HQ_KEY = "hq_public_key"  # sync_state: HQ's receipt key, base64url (from enrollment)


def store_receipt(conn: Any, receipt: HeadReceipt) -> bool:
    """Keep a receipt whose HQ signature checks (SQLAlchemy connection); False when it
    does not (it is then not kept: HQ's key or the answer is wrong)."""
    row = conn.exec_driver_sql("SELECT value FROM sync_state WHERE key = ?", (HQ_KEY,)).first()
    if row is None or not _signed_by_hq(str(row[0]), receipt.device_id, receipt.seq,
                                        receipt.hash, receipt.device_signature,
                                        receipt.received_at, receipt.hq_signature):
        return False
    conn.exec_driver_sql(
        "INSERT INTO chain_receipt (seq, hash, hq_key_id, signature, received_at,"
        " device_signature) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(seq) DO NOTHING",
        (receipt.seq, receipt.hash, receipt.hq_key_id, receipt.hq_signature,
         receipt.received_at, receipt.device_signature))
    return True


def _signed_by_hq(hq_key: str, device_id: str, seq: int, digest: str, device_signature: str,
                  received_at: str, hq_signature: str) -> bool:
    return verify_text(hq_key, hq_signature, receipt_message(
        device_id, seq, digest, device_signature, received_at))


def receipt_problem(conn: sqlite3.Connection, device_id: str) -> tuple[int, str] | None:
    """The first receipt that no longer matches the chain, as (seq, English problem)."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(chain_receipt)")}
    if "device_signature" not in columns:
        return None
    receipts = conn.execute("SELECT seq, hash, signature, received_at, device_signature"
                            " FROM chain_receipt ORDER BY seq").fetchall()
    if not receipts:
        return None
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (HQ_KEY,)).fetchone()
    hq_key = str(row[0]) if row else ""
    for seq, digest, hq_signature, received_at, device_signature in receipts:
        event = conn.execute("SELECT hash FROM audit_event WHERE seq = ?", (seq,)).fetchone()
        if event is None or event[0] != digest:
            return seq, ("event {seq}, countersigned by HQ, is no longer the event HQ "
                         "received: the record was rewritten")
        if not _signed_by_hq(hq_key, device_id, seq, digest, device_signature, received_at,
                             hq_signature):
            return seq, "HQ's receipt for event {seq} does not carry HQ's signature"
        if device_signature and not _device_signed(conn, device_id, seq, digest,
                                                   device_signature):
            return seq, "HQ's receipt for event {seq} is not of this device's head"
    return None


def _device_signed(conn: sqlite3.Connection, device_id: str, seq: int, digest: str,
                   signature: str) -> bool:
    row = conn.execute("SELECT public_key FROM device WHERE id = ?", (device_id,)).fetchone()
    return row is not None and verify_text(str(row[0]), signature,
                                           head_message(device_id, seq, digest))
