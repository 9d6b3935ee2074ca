"""A simulated device speaking the sync protocol (for HQ's tests and benchmarks): its
own Ed25519 key, a hash-chained record of what it writes, change envelopes, and the
requests it sends. It is a device as HQ sees one, without a desktop store."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fieldapp.domain.ids import uuid7_text
from fieldapp.hq.keys import b64
from fieldapp.sync.protocol import (
    GENESIS_HASH,
    SPECS,
    ChainEvent,
    Change,
    Entity,
    FieldValue,
    Op,
    RowRef,
    SignedHead,
    content_hash,
    event_hash,
    head_message,
)


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def new_id() -> str:
    return uuid7_text(int(dt.datetime.now(dt.UTC).timestamp() * 1000), os.urandom(10))


@dataclass
class SimDevice:
    device_id: str = field(default_factory=new_id)
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    events: list[ChainEvent] = field(default_factory=list)
    outbox: list[Change] = field(default_factory=list)
    versions: dict[tuple[str, str], Change] = field(default_factory=dict)
    token: str = ""
    squad_id: str = ""
    acked: int = 0  # the last event HQ verified
    hlc_ms: int = 0
    counter: int = 0

    @property
    def public_key(self) -> str:
        raw = self.key.public_key().public_bytes(serialization.Encoding.Raw,
                                                 serialization.PublicFormat.Raw)
        return b64(raw)

    @property
    def head(self) -> tuple[int, str]:
        return (self.events[-1].seq, self.events[-1].hash) if self.events else (0, GENESIS_HASH)

    def hlc(self) -> str:
        now = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
        if now > self.hlc_ms:
            self.hlc_ms, self.counter = now, 0
        else:
            self.counter += 1
        return f"{self.hlc_ms:015d}-{self.counter:05d}-{self.device_id}"

    # --- writing records ------------------------------------------------------------

    def change(self, entity: Entity, entity_id: str, fields: dict[str, FieldValue],
               *, base: Change | None = None) -> Change:
        """A new version of a record (created, or updated from ``base``)."""
        spec = SPECS[entity]
        full = {name: fields.get(name, base.fields.get(name) if base else None)
                for name in spec.names}
        if "hlc" in full:
            full["hlc"] = self.hlc()
        version = base.version + 1 if base else 1
        values = [full[n] for n in spec.names]
        return Change(change_id=new_id(), entity=entity, entity_id=entity_id,
                      op=Op.UPDATE if base else Op.CREATE, version=version,
                      base_version=base.version if base else 0,
                      hlc=str(full.get("hlc") or ""), device_id=self.device_id,
                      recorded_at=utc(dt.datetime.now(dt.UTC)), fields=full,
                      changed=tuple(sorted(fields)) if base else (),
                      content_sha256=content_hash(entity.value, entity_id, version, values))

    def write(self, changes: list[Change], *, officer_id: str, action: str = "records.write"
              ) -> None:
        """One transaction: the versions, their outbox envelopes, one chain event."""
        seq, prev = self.head
        rows = tuple(RowRef(entity=c.entity, entity_id=c.entity_id, version=c.version,
                            sha256=c.content_sha256) for c in changes)
        draft = ChainEvent(seq=seq + 1, id=new_id(), at=utc(dt.datetime.now(dt.UTC)),
                           device_id=self.device_id, officer_id=officer_id, action=action,
                           entity=changes[0].entity.value if changes else "",
                           entity_id=changes[0].entity_id if changes else "",
                           payload="{}", rows=rows, format=2, prev_hash=prev, hash="0" * 64)
        event = draft.model_copy(update={"hash": event_hash(prev, draft)})
        self.events.append(event)
        self.outbox.extend(changes)
        for c in changes:
            self.versions[(c.entity.value, c.entity_id)] = c

    def signed_head(self) -> SignedHead:
        seq, digest = self.head
        signature = b64(self.key.sign(head_message(self.device_id, seq, digest)))
        return SignedHead(device_id=self.device_id, seq=seq, hash=digest, signature=signature)

    # --- requests -------------------------------------------------------------------

    def push_body(self, changes: list[Change] | None = None, *,
                  events: list[ChainEvent] | None = None) -> dict[str, Any]:
        changes = self.outbox if changes is None else changes
        chain = [e for e in self.events if e.seq > self.acked] if events is None else events
        head = self.signed_head() if chain and chain[-1].seq == self.head[0] else None
        return {"batch_id": new_id(),
                "changes": [c.model_dump(mode="json") for c in changes],
                "chain": {"events": [e.model_dump(mode="json") for e in chain],
                          "head": head.model_dump(mode="json") if head else None},
                "device_time": utc(dt.datetime.now(dt.UTC))}

    def headers(self, session: str = "") -> dict[str, str]:
        out = {"Authorization": f"Bearer {self.token}", "X-Fieldapp-Protocol": "1"}
        if session:
            out["X-Fieldapp-Session"] = session
        return out

    def enroll_body(self, code: str) -> dict[str, Any]:
        return {"code": code, "device_id": self.device_id, "device_name": "模拟设备",
                "public_key": self.public_key}


def gzip_json(body: dict[str, Any]) -> bytes:
    return gzip.compress(json.dumps(body, ensure_ascii=False,
                                    separators=(",", ":")).encode(), compresslevel=1)
