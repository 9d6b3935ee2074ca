"""Record versions HQ makes itself (reference data, number blocks, merges): the full
row in the protocol's field order, a version after HQ's newest, HQ's own HLC."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from fieldapp.hq.services.records import (
    Stored,
    VersionWriter,
    audience,
    newest,
    next_seq,
    version_envelope,
)
from fieldapp.sync.protocol import (
    HQ_DEVICE_ID,
    SPECS,
    Change,
    Entity,
    FieldValue,
    Op,
    content_hash,
)

_NOT_CONTENT = frozenset({"hlc", "created_at"})


def hq_hlc(now: dt.datetime, counter: int = 0) -> str:
    return f"{int(now.timestamp() * 1000):015d}-{counter:05d}-{HQ_DEVICE_ID}"


class HqWriter:
    """Writes HQ's own record versions inside one transaction (call ``flush``)."""

    def __init__(self, conn: Connection, now: dt.datetime, now_text: str,
                 lock: Any = None) -> None:
        if lock is not None:
            lock(conn)
        self.conn, self.now = conn, now
        self.writer = VersionWriter(conn, next_seq(conn), now_text)
        self.known: dict[tuple[str, str], Stored | None] = {}
        self.counter = 0

    def write(self, entity: Entity, entity_id: str, fields: Mapping[str, FieldValue], *,
              squad_id: str = "", device_id: str = "") -> Change:
        spec = SPECS[entity]
        key = (entity.value, entity_id)
        if key not in self.known:
            self.known[key] = newest(self.conn, entity.value, [entity_id]).get(entity_id)
        known = self.known[key]
        full = {name: fields.get(name) for name in spec.names}
        if "hlc" in full:
            full["hlc"] = hq_hlc(self.now, self.counter)
            self.counter += 1
        version = (known.version + 1) if known else 1
        values = [full[n] for n in spec.names]
        change = Change(
            change_id="hq-" + hashlib.sha256(f"{entity.value}\n{entity_id}\n{version}"
                                             .encode()).hexdigest()[:32],
            entity=entity, entity_id=entity_id, op=Op.UPDATE if known else Op.CREATE,
            version=version, base_version=known.version if known else 0,
            hlc=str(full.get("hlc") or hq_hlc(self.now)), device_id=HQ_DEVICE_ID,
            recorded_at=self.writer.now, fields=full,
            content_sha256=content_hash(entity.value, entity_id, version, values))
        aud = audience(entity, squad_id=squad_id, device_id=device_id)
        self.known[key] = self.writer.add(change, audience=aud, origin=HQ_DEVICE_ID,
                                          replaced=known)
        return change

    def bulk(self, entity: Entity, rows: list[tuple[str, dict[str, Any]]]) -> int:
        """Many new versions of one kind at once (a published catalogue)."""
        ids = [entity_id for entity_id, _f in rows]
        found = newest(self.conn, entity.value, ids)
        for entity_id in ids:
            self.known.setdefault((entity.value, entity_id), found.get(entity_id))
        written = 0
        for entity_id, fields in rows:
            known = self.known[(entity.value, entity_id)]
            if known is not None and self._same(entity, entity_id, known, fields):
                continue
            self.write(entity, entity_id, fields)
            written += 1
        return written

    def flush(self) -> None:
        self.writer.flush()


    def _same(self, entity: Entity, entity_id: str, known: Stored,
              fields: Mapping[str, Any]) -> bool:
        """Whether republishing would change nothing but the HLC and the time made."""
        current = version_envelope(self.conn, self.writer, entity.value, entity_id,
                                   known.version)
        return current is not None and all(
            current.fields.get(n) == fields.get(n)
            for n in SPECS[entity].names if n not in _NOT_CONTENT)
