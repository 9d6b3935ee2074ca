"""Each device's full-process record at HQ: events are verified as they arrive (link,
event hash, rows digest, device), kept, and the signed head is countersigned.

From the first event that fails, the device is quarantined: later events are kept but
marked invalid, and the changes they cover are parked as quarantined, never served to
other devices, until an administrator reviews them (``admin quarantine``). A device
whose events come with a gap is not at fault: HQ stops at the gap and says where it
stands (``verified_seq``), and the device sends the rest again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from fieldapp.hq import keys
from fieldapp.hq.db import tables as t
from fieldapp.hq.keys import HqKey
from fieldapp.sync.protocol import (
    ChainEvent,
    ChainStatus,
    HeadReceipt,
    SignedHead,
    event_hash,
    head_message,
    receipt_message,
)

RefKey = tuple[str, str, int]  # entity, entity id, version


@dataclass(frozen=True)
class Ref:
    sha256: str
    event_seq: int
    officer_id: str


@dataclass
class DeviceChain:
    device_id: str
    public_key: str
    seq: int
    hash: str
    bad_from: int | None
    problem: str
    stored_to: int  # the last event kept (valid or not)
    refs: dict[RefKey, Ref] = field(default_factory=dict)
    receipt: HeadReceipt | None = None

    @property
    def ok(self) -> bool:
        return self.bad_from is None


def load(conn: Connection, device: Any) -> DeviceChain:
    stored_to = device.chain_seq
    if device.bad_from_seq is not None:
        stored_to = int(conn.execute(select(t.chain_event.c.seq).where(
            t.chain_event.c.device_id == device.id).order_by(t.chain_event.c.seq.desc())
            .limit(1)).scalar() or 0)
    return DeviceChain(device.id, device.public_key, device.chain_seq, device.chain_hash,
                       device.bad_from_seq, device.bad_problem, stored_to)


def take(conn: Connection, chain: DeviceChain, events: Sequence[ChainEvent],
         now: str) -> None:
    """Verify and keep the events that follow what HQ has."""
    rows: list[dict[str, Any]] = []
    for event in events:
        if event.seq <= chain.stored_to:
            _known(conn, chain, event)
            continue
        if event.seq != chain.stored_to + 1:
            break  # a gap: the device sends the rest from verified_seq again
        valid = chain.ok and _verify(chain, event)
        rows.append(_row(chain.device_id, event, valid, now))
        chain.stored_to = event.seq
        if valid:
            chain.seq, chain.hash = event.seq, event.hash
            for ref in event.rows:
                chain.refs[(ref.entity.value, ref.entity_id, ref.version)] = Ref(
                    ref.sha256, event.seq, event.officer_id)
    if rows:
        conn.execute(t.chain_event.insert(), rows)


def _known(conn: Connection, chain: DeviceChain, event: ChainEvent) -> None:
    """An event HQ already has: the same is harmless, another one is a rewrite."""
    digest = conn.execute(select(t.chain_event.c.hash).where(
        t.chain_event.c.device_id == chain.device_id, t.chain_event.c.seq == event.seq)
    ).scalar()
    if digest is not None and digest != event.hash and chain.ok:
        fail(chain, event.seq, "event {seq} differs from the one HQ already has: the "
             "record was rewritten", seq=event.seq)


def _verify(chain: DeviceChain, event: ChainEvent) -> bool:
    if event.prev_hash != chain.hash:
        fail(chain, event.seq, "event {seq} does not follow the event before it "
             "(deleted, inserted or reordered)", seq=event.seq)
    elif event.device_id != chain.device_id:
        fail(chain, event.seq, "event {seq} was recorded by another device", seq=event.seq)
    elif event.format < 2 and event.rows:
        fail(chain, event.seq, "the records event {seq} names were changed", seq=event.seq)
    elif event_hash(event.prev_hash, event) != event.hash:
        fail(chain, event.seq, "event {seq} was changed after it was recorded",
             seq=event.seq)
    return chain.ok


def fail(chain: DeviceChain, at: int, problem: str, **params: Any) -> None:
    """Quarantine the device from event ``at`` (the first failure is the one kept)."""
    if chain.bad_from is None:
        chain.bad_from = at
        chain.problem = json.dumps({"problem": problem, "params": params},
                                   ensure_ascii=False)


def _row(device_id: str, event: ChainEvent, valid: bool, now: str) -> dict[str, Any]:
    return {"device_id": device_id, "seq": event.seq, "id": event.id, "at": event.at,
            "officer_id": event.officer_id, "action": event.action,
            "entity": event.entity, "entity_id": event.entity_id, "payload": event.payload,
            "rows_json": json.dumps([[r.entity.value, r.entity_id, r.version, r.sha256]
                                     for r in event.rows], separators=(",", ":")),
            "format": event.format, "prev_hash": event.prev_hash, "hash": event.hash,
            "valid": valid, "received_at": now}


def countersign(conn: Connection, chain: DeviceChain, head: SignedHead | None,
                key: HqKey, now: str) -> None:
    """Check the device's signature of its head and, when HQ verified the chain up to
    it, countersign it (the receipt goes back to the device)."""
    if head is None or not chain.ok or head.device_id != chain.device_id:
        return
    if head.seq != chain.seq or head.hash != chain.hash:
        return  # the segment stopped short of the head: sign when it arrives
    message = head_message(chain.device_id, head.seq, head.hash)
    if not keys.verify(chain.public_key, head.signature, message):
        fail(chain, head.seq, "the signature of the newest event {seq} is not the "
             "device key's: the record was rewritten", seq=head.seq)
        return
    signature = key.sign(receipt_message(chain.device_id, head.seq, head.hash,
                                         head.signature, now))
    chain.receipt = HeadReceipt(device_id=chain.device_id, seq=head.seq, hash=head.hash,
                                device_signature=head.signature, received_at=now,
                                hq_key_id=key.key_id, hq_signature=signature)
    known = conn.execute(select(t.receipt.c.seq).where(
        t.receipt.c.device_id == chain.device_id, t.receipt.c.seq == head.seq)).first()
    if known is None:
        conn.execute(t.receipt.insert().values(
            device_id=chain.device_id, seq=head.seq, hash=head.hash,
            device_signature=head.signature, hq_signature=signature, received_at=now))


def save(conn: Connection, chain: DeviceChain, head: SignedHead | None) -> None:
    values: dict[str, Any] = {"chain_seq": chain.seq, "chain_hash": chain.hash,
                              "bad_from_seq": chain.bad_from, "bad_problem": chain.problem}
    if chain.receipt is not None and head is not None:
        values["chain_signature"] = head.signature
    conn.execute(t.device.update().where(t.device.c.id == chain.device_id).values(**values))


def problem_text(chain_problem: str, lang: str) -> str:
    from fieldapp.hq.text import tr

    if not chain_problem:
        return ""
    data = json.loads(chain_problem)
    return tr(lang, data["problem"], **data["params"])


def status(chain: DeviceChain, lang: str) -> ChainStatus:
    return ChainStatus(verified_seq=chain.seq, verified_hash=chain.hash, ok=chain.ok,
                       quarantined_from=chain.bad_from,
                       problem=problem_text(chain.problem, lang), receipt=chain.receipt)
