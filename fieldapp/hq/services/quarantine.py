"""An administrator's review of a quarantined device: its chain from the first bad event,
and releasing it (the records it covers are then applied and shared, and the chain is
anchored at the newest event HQ kept)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from fieldapp.domain.errors import ValidationError
from fieldapp.hq.context import Hq
from fieldapp.hq.db import tables as t
from fieldapp.hq.services import chain as chains
from fieldapp.hq.services import checks
from fieldapp.hq.services.push import Author, Batch
from fieldapp.hq.services.records import VersionWriter, next_seq
from fieldapp.sync.protocol import Change


def quarantined(hq: Hq) -> list[dict[str, Any]]:
    with hq.db.read() as conn:
        rows = conn.execute(select(t.device.c.id, t.device.c.name, t.device.c.squad_id,
                                   t.device.c.bad_from_seq, t.device.c.bad_problem)
                            .where(t.device.c.bad_from_seq.is_not(None))).all()
        out = []
        for row in rows:
            held = conn.execute(select(t.parked.c.change_id).where(
                t.parked.c.device_id == row.id, t.parked.c.reason == "chain_broken")).all()
            out.append({**row._mapping, "problem": chains.problem_text(row.bad_problem,
                                                                       "zh_CN"),
                        "changes": len(held)})
        return out


def release(hq: Hq, *, device_id: str, note: str) -> int:
    """Accept the device's record as it stands after review; returns changes applied."""
    now = hq.now_text()
    with hq.db.write() as conn:
        hq.db.lock_sequence(conn)
        device = conn.execute(select(t.device).where(t.device.c.id == device_id)).first()
        if device is None or device.bad_from_seq is None:
            raise ValidationError("device", "'{value}' is not quarantined", value=device_id)
        bad_from = int(device.bad_from_seq)
        last = conn.execute(select(t.chain_event.c.seq, t.chain_event.c.hash).where(
            t.chain_event.c.device_id == device_id).order_by(t.chain_event.c.seq.desc())
            .limit(1)).first()
        conn.execute(update(t.chain_event).where(
            t.chain_event.c.device_id == device_id,
            t.chain_event.c.seq >= device.bad_from_seq).values(valid=True))
        conn.execute(t.device.update().where(t.device.c.id == device_id).values(
            bad_from_seq=None, bad_problem="", chain_seq=last.seq if last else 0,
            chain_hash=last.hash if last else "0" * 64))
        rows = conn.execute(select(t.parked).where(
            t.parked.c.device_id == device_id, t.parked.c.reason == "chain_broken")
            .order_by(t.parked.c.version)).mappings().all()
        conn.execute(delete(t.parked).where(t.parked.c.device_id == device_id,
                                            t.parked.c.reason == "chain_broken"))
        device = conn.execute(select(t.device).where(t.device.c.id == device_id)).one()
        batch = Batch(hq, conn, Author(device.id, device.squad_id), chains.load(conn, device),
                      "zh_CN", now, VersionWriter(conn, next_seq(conn), now),
                      checks.officers(conn))
        changes = [Change.model_validate_json(r["envelope"]) for r in rows]
        batch.preload(changes)
        for change in changes:
            batch.record(change, batch.apply(change, verified=True))
        batch.writer.flush()
        if batch.change_rows:
            conn.execute(t.change.insert(), batch.change_rows)
        if batch.parked_rows:
            conn.execute(t.parked.insert(), batch.parked_rows)
        conn.execute(t.review.insert().values(
            id=hq.new_id(), device_id=device_id, from_seq=bad_from,
            decision="released", note=note, released=len(changes), at=now))
    return len(changes)
