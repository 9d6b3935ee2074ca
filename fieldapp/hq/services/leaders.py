"""What squad leaders see and decide at HQ: conflicts (marked resolved), proposed subject
merges (a merge keeps both histories under one subject), ladder steps recorded without
the squad's full history, and the squad's sync status."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, func, select

from fieldapp.hq.context import Hq
from fieldapp.hq.db import tables as t
from fieldapp.hq.errors import HqError, out_of_scope
from fieldapp.hq.services.auth import OfficerAuth
from fieldapp.hq.services.chain import problem_text
from fieldapp.hq.services.records import newest_envelope
from fieldapp.hq.services.reference import HqWriter
from fieldapp.sync.protocol import (
    ConflictRecord,
    DeviceStatus,
    Entity,
    ErrorCode,
    LateStep,
    MergeBasis,
    MergeDecision,
    MergeProposal,
    SquadInfo,
    SquadStatus,
)

LIST_LIMIT = 500


def _conflict(row: Any) -> ConflictRecord:
    return ConflictRecord(
        id=row.id, entity=Entity(row.entity), entity_id=row.entity_id, field=row.field,
        kept=json.loads(row.kept_json), lost=json.loads(row.lost_json),
        kept_hlc=row.kept_hlc, lost_hlc=row.lost_hlc, lost_device=row.lost_device,
        at=row.at, resolved_by=row.resolved_by, resolved_at=row.resolved_at or "",
        note=row.note)


def conflicts(hq: Hq, *, squad_id: str) -> list[ConflictRecord]:
    with hq.db.read() as conn:
        rows = conn.execute(select(t.conflict).where(t.conflict.c.squad_id == squad_id)
                            .order_by(t.conflict.c.resolved_at.is_not(None),
                                      t.conflict.c.at.desc()).limit(LIST_LIMIT))
        return [_conflict(r) for r in rows]


def resolve(hq: Hq, *, squad_id: str, conflict_id: str, officer: OfficerAuth,
            note: str) -> ConflictRecord:
    with hq.db.write() as conn:
        row = conn.execute(select(t.conflict).where(t.conflict.c.id == conflict_id)).first()
        if row is None or row.squad_id != squad_id:
            raise out_of_scope()
        if row.resolved_at:
            raise HqError(ErrorCode.ALREADY_DONE, "this was decided already")
        conn.execute(t.conflict.update().where(t.conflict.c.id == conflict_id).values(
            resolved_by=officer.id, resolved_at=hq.now_text(), note=note))
        return _conflict(conn.execute(select(t.conflict).where(
            t.conflict.c.id == conflict_id)).one())


def _proposal(row: Any) -> MergeProposal:
    return MergeProposal(id=row.id, squad_id=row.squad_id,
                         subject_ids=(row.subject_a, row.subject_b),
                         basis=MergeBasis(row.basis), score=row.score, state=row.state,
                         at=row.at)


def proposals(hq: Hq, *, squad_id: str) -> list[MergeProposal]:
    with hq.db.read() as conn:
        rows = conn.execute(select(t.merge_proposal).where(
            t.merge_proposal.c.squad_id == squad_id).order_by(
            t.merge_proposal.c.at.desc()).limit(LIST_LIMIT))
        return [_proposal(r) for r in rows]


def decide(hq: Hq, *, squad_id: str, proposal_id: str, officer: OfficerAuth,
           decision: MergeDecision) -> MergeProposal:
    with hq.db.write() as conn:
        row = conn.execute(select(t.merge_proposal).where(
            t.merge_proposal.c.id == proposal_id).with_for_update()).first()
        if row is None or row.squad_id != squad_id:
            raise out_of_scope()
        if row.state != "proposed":
            raise HqError(ErrorCode.ALREADY_DONE, "this was decided already")
        state = "dismissed"
        if decision.merge:
            kept = decision.kept_id or row.subject_a  # UUIDv7: the older sorts first
            if kept not in (row.subject_a, row.subject_b):
                raise HqError(ErrorCode.INVALID_REQUEST, "keep one of the two subjects",
                              field="kept_id")
            merged = row.subject_b if kept == row.subject_a else row.subject_a
            _merge(hq, conn, squad_id, kept, merged, officer)
            state = "merged"
        conn.execute(t.merge_proposal.update().where(t.merge_proposal.c.id == proposal_id)
                     .values(state=state, decided_by=officer.id))
        return _proposal(conn.execute(select(t.merge_proposal).where(
            t.merge_proposal.c.id == proposal_id)).one())


def _merge(hq: Hq, conn: Connection, squad_id: str, kept: str, merged: str,
           officer: OfficerAuth) -> None:
    """The merged subject gets a new version that says so (its sequence number places
    the merge record in every device's pull)."""
    current = newest_envelope(conn, Entity.SUBJECT.value, merged)
    if current is None:
        raise out_of_scope()
    writer = HqWriter(conn, hq.now(), hq.now_text(), lock=hq.db.lock_sequence)
    fields = dict(current.fields)
    fields["notes"] = f"{fields.get('notes') or ''}\n[merged into {kept}]".strip()
    fields["updated_at"] = hq.now_text()
    change = writer.write(Entity.SUBJECT, merged, fields, squad_id=squad_id)
    seq = writer.known[(Entity.SUBJECT.value, merged)]
    writer.flush()
    assert seq is not None and change.version > current.version
    conn.execute(t.subject_merge.insert().values(
        id=hq.new_id(), squad_id=squad_id, kept_id=kept, merged_id=merged,
        decided_by=officer.id, decided_at=hq.now_text(), seq=seq.seq))


def _late(row: Any) -> LateStep:
    return LateStep(step_id=row.step_id, subject_id=row.subject_id,
                    violation_code=row.violation_code, taken=row.taken, advised=row.advised,
                    officer_id=row.officer_id, device_id=row.device_id,
                    earlier_steps=tuple(json.loads(row.earlier_json)), at=row.at,
                    seen_by=row.seen_by)


def late_steps(hq: Hq, *, squad_id: str) -> list[LateStep]:
    with hq.db.read() as conn:
        rows = conn.execute(select(t.late_step).where(t.late_step.c.squad_id == squad_id)
                            .order_by(t.late_step.c.at.desc()).limit(LIST_LIMIT))
        return [_late(r) for r in rows]


def mark_seen(hq: Hq, *, squad_id: str, step_id: str, officer: OfficerAuth) -> LateStep:
    with hq.db.write() as conn:
        row = conn.execute(select(t.late_step).where(t.late_step.c.step_id == step_id)).first()
        if row is None or row.squad_id != squad_id:
            raise out_of_scope()
        if row.seen_by:
            raise HqError(ErrorCode.ALREADY_DONE, "this was decided already")
        conn.execute(t.late_step.update().where(t.late_step.c.step_id == step_id)
                     .values(seen_by=officer.id))
        return _late(conn.execute(select(t.late_step).where(
            t.late_step.c.step_id == step_id)).one())


def squad_status(hq: Hq, *, squad_id: str, lang: str) -> SquadStatus:
    with hq.db.read() as conn:
        squad = conn.execute(select(t.squad).where(t.squad.c.id == squad_id)).one()
        devices = conn.execute(select(t.device).where(t.device.c.squad_id == squad_id)
                               .order_by(t.device.c.enrolled_at)).all()
        ids = [d.id for d in devices] or [""]
        rejected = _count(conn, select(func.count()).select_from(t.change).where(
            t.change.c.device_id.in_(ids), t.change.c.status == "rejected"))
        held = _count(conn, select(func.count()).select_from(t.parked).where(
            t.parked.c.device_id.in_(ids)))
        open_conflicts = _count(conn, select(func.count()).select_from(t.conflict).where(
            t.conflict.c.squad_id == squad_id, t.conflict.c.resolved_at.is_(None)))
        merges = _count(conn, select(func.count()).select_from(t.merge_proposal).where(
            t.merge_proposal.c.squad_id == squad_id, t.merge_proposal.c.state == "proposed"))
        late = _count(conn, select(func.count()).select_from(t.late_step).where(
            t.late_step.c.squad_id == squad_id, t.late_step.c.seen_by == ""))
    items = tuple(DeviceStatus(
        id=d.id, name=d.name, enrolled_at=d.enrolled_at, revoked=bool(d.revoked_at),
        last_push_at=d.last_push_at or "", last_pull_at=d.last_pull_at or "",
        oldest_unsynced_at=d.oldest_unsynced_at or "", skew_ms=d.skew_ms,
        chain_seq=d.chain_seq, quarantined_from=d.bad_from_seq,
        quarantine_problem=problem_text(d.bad_problem, lang)) for d in devices)
    return SquadStatus(squad=SquadInfo(id=squad.id, code=squad.code, name=squad.name),
                       devices=items, rejected=rejected, held=held,
                       open_conflicts=open_conflicts, merge_proposals=merges,
                       late_steps=late,
                       quarantined_devices=sum(1 for d in items
                                               if d.quarantined_from is not None))


def _count(conn: Connection, query: Any) -> int:
    return int(conn.execute(query).scalar_one())
