"""Record versions at HQ: who may pull them (audience), their sequence numbers, and the
per-kind checksums kept as versions are written."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from fieldapp.hq.db import tables as t
from fieldapp.sync.protocol import SPECS, Change, Entity, Scope, record_digest

REFERENCE = "*"


def audience(entity: Entity, *, squad_id: str, device_id: str) -> str:
    scope = SPECS[entity].scope
    if scope is Scope.REFERENCE:
        return REFERENCE
    if scope is Scope.DEVICE:
        return f"dev:{device_id}"
    return squad_id


def device_audiences(squad_id: str, device_id: str) -> tuple[str, str, str]:
    """Everything a device may pull: its squad's, reference data, its own."""
    return squad_id, REFERENCE, f"dev:{device_id}"


@dataclass
class Stored:
    """The newest version HQ holds of one record."""

    seq: int
    entity: str
    entity_id: str
    version: int
    audience: str
    origin: str
    sha256: str
    hlc: str

    def digest(self) -> int:
        return record_digest(self.entity, self.entity_id, self.version, self.sha256)


_COLUMNS = (t.version.c.seq, t.version.c.entity, t.version.c.entity_id,
            t.version.c.version, t.version.c.audience, t.version.c.origin_device,
            t.version.c.sha256, t.version.c.hlc)


def newest(conn: Connection, entity: str, entity_ids: Iterable[str]) -> dict[str, Stored]:
    """The newest version of each of these records that HQ has (by id)."""
    ids = sorted(set(entity_ids))
    out: dict[str, Stored] = {}
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        rows = conn.execute(select(*_COLUMNS).where(
            t.version.c.entity == entity, t.version.c.entity_id.in_(part)))
        for row in rows:
            stored = Stored(*row)
            known = out.get(stored.entity_id)
            if known is None or stored.version > known.version:
                out[stored.entity_id] = stored
    return out


def envelope(conn: Connection, entity: str, entity_id: str, version: int) -> Change | None:
    text = conn.execute(select(t.version.c.envelope).where(
        t.version.c.entity == entity, t.version.c.entity_id == entity_id,
        t.version.c.version == version)).scalar()
    return Change.model_validate_json(text) if text else None


def version_envelope(conn: Connection, writer: VersionWriter | None, entity: str,
                     entity_id: str, version: int) -> Change | None:
    """A version written in this transaction or stored before."""
    if writer is not None and (entity, entity_id, version) in writer.pending:
        return writer.pending[(entity, entity_id, version)]
    return envelope(conn, entity, entity_id, version)


def newest_envelope(conn: Connection, entity: str, entity_id: str) -> Change | None:
    text = conn.execute(select(t.version.c.envelope).where(
        t.version.c.entity == entity, t.version.c.entity_id == entity_id)
        .order_by(t.version.c.version.desc()).limit(1)).scalar()
    return Change.model_validate_json(text) if text else None


def next_seq(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(t.version.c.seq), 0))).scalar_one()) + 1


class VersionWriter:
    """Collects the versions a transaction writes and inserts them at once, with their
    sequence numbers (taken under the sequence lock) and the checksum changes."""

    def __init__(self, conn: Connection, first_seq: int, now: str) -> None:
        self.conn, self.seq, self.now = conn, first_seq, now
        self.rows: list[dict[str, Any]] = []
        self.pending: dict[tuple[str, str, int], Change] = {}  # written, not yet inserted
        self.sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])

    def add(self, change: Change, *, audience: str, origin: str,
            replaced: Stored | None, text: str | None = None) -> Stored:
        seq = self.seq
        self.seq += 1
        entity = change.entity.value
        self.rows.append({
            "seq": seq, "entity": entity, "entity_id": change.entity_id,
            "version": change.version, "audience": audience, "origin_device": origin,
            "sha256": change.content_sha256, "hlc": change.hlc,
            "envelope": text or change.model_dump_json(), "received_at": self.now})
        self.pending[(entity, change.entity_id, change.version)] = change
        stored = Stored(seq, entity, change.entity_id, change.version, audience, origin,
                        change.content_sha256, change.hlc)
        total = self.sums[(audience, entity)]
        total[1] ^= stored.digest()
        if replaced is None:
            total[0] += 1
        else:
            total[1] ^= replaced.digest()
        return stored

    def flush(self) -> None:
        if self.rows:
            self.conn.execute(t.version.insert(), self.rows)
            self.rows = []
            self.pending.clear()
        write_checksums(self.conn, self.sums)
        self.sums.clear()


def write_checksums(conn: Connection, sums: dict[tuple[str, str], list[int]]) -> None:
    for (aud, entity), (count, xor) in sorted(sums.items()):
        row = conn.execute(select(t.checksum.c.count, t.checksum.c.digest).where(
            t.checksum.c.audience == aud, t.checksum.c.entity == entity)
            .with_for_update()).first()
        if row is None:
            conn.execute(t.checksum.insert().values(audience=aud, entity=entity,
                                                    count=count, digest=f"{xor:032x}"))
        else:
            conn.execute(t.checksum.update().where(
                t.checksum.c.audience == aud, t.checksum.c.entity == entity).values(
                count=int(row[0]) + count, digest=f"{int(row[1], 16) ^ xor:032x}"))


def checksums(conn: Connection, audiences: Sequence[str]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for entity, count, digest in conn.execute(select(
            t.checksum.c.entity, t.checksum.c.count, t.checksum.c.digest)
            .where(t.checksum.c.audience.in_(list(audiences)))):
        known = out.get(entity, (0, 0))
        out[entity] = (known[0] + count, known[1] ^ int(digest, 16))
    return out
