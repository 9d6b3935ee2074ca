"""Recording an inspection (巡查检查) with its findings, ladder steps and evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from fieldapp.domain import deadlines
from fieldapp.domain.deadlines import DeadlineKind
from fieldapp.domain.entities import EvidenceData, FindingData, InspectionData, StepKind
from fieldapp.domain.errors import NotFound, ValidationError
from fieldapp.domain.ladder import check_step_taken
from fieldapp.domain.localtime import agency_zone
from fieldapp.domain.permissions import Action
from fieldapp.domain.rules_config import RuleConfig
from fieldapp.domain.validation import check_two_officers, validate_finding
from fieldapp.services.cases import open_case_in
from fieldapp.services.context import ServiceContext
from fieldapp.services.inspections.revisits import create_revisit
from fieldapp.services.rules import deadline_calendar, ladder_decision, rule_config
from fieldapp.services.staff import officer_ref
from fieldapp.store.blobs import StoredBlob
from fieldapp.store.tables import (
    Evidence,
    Finding,
    Inspection,
    LadderStep,
    Officer,
    Subject,
    ViolationType,
)
from fieldapp.store.unit import Tx


@dataclass(frozen=True)
class RecordedInspection:
    inspection_id: str
    finding_ids: tuple[str, ...]
    step_ids: tuple[str, ...]
    evidence_ids: tuple[str, ...]
    changed: frozenset[str]


def record_inspection(*, ctx: ServiceContext, data: InspectionData,
                      inspection_id: str | None = None) -> RecordedInspection:
    """Validate everything, store the evidence files, then write all rows in one commit.

    ``inspection_id`` may be given by the caller so a retried command is idempotent: an
    inspection that already exists is returned as it is, also to the loser of a race
    between two processes sending the same id at once.
    """
    if data.officer_ids:
        ctx.authorize(data.officer_ids[0], Action.RECORD_INSPECTION)
    if inspection_id is not None:
        existing = _existing(ctx, inspection_id)
        if existing is not None:
            return existing
    if data.at.tzinfo is None:
        raise ValidationError("time", "must carry a UTC offset")
    if not data.address.strip():
        # Every document about the finding prints the place (检查地点).
        raise ValidationError("address", "give the address or a landmark where it was found")
    config = rule_config(ctx=ctx)
    with ctx.read() as session:
        officers = _officers(session, data.officer_ids)
        check_two_officers([officer_ref(o) for o in officers], data.at.date())
        subject = session.get(Subject, data.subject_id)
        if subject is None or subject.deleted:
            raise NotFound("subject", data.subject_id)
        # Only the types named (a primary-key look-up each), not the whole catalogue.
        named = {f.violation_code for f in data.findings}
        types = {code: vt for code in named
                 if (vt := session.get(ViolationType, code)) is not None}
        findings = tuple(validate_finding(f, set(types)) for f in data.findings)
        plans = [_plan(session, ctx, data, f, types[f.violation_code], config)
                 for f in findings]
    blobs = [ctx.store.blobs.put(Path(e.path)) for e in data.evidence]
    lead = officers[0]
    with ctx.write(lead.id, action=Action.RECORD_INSPECTION) as tx:
        # Checked again under the write lock: two processes retrying the same id at
        # once are serialised here, and the second finds the first one's inspection.
        raced = inspection_id is not None and _taken(tx.session, inspection_id)
        recorded = None if raced else _write(tx, ctx, data, inspection_id, subject,
                                             officers, plans, blobs)
    if recorded is None:
        existing = _existing(ctx, inspection_id or "")
        assert existing is not None  # it was there under the lock; inspections stay
        return existing
    return recorded


def _write(tx: Tx, ctx: ServiceContext, data: InspectionData, inspection_id: str | None,
           subject: Subject, officers: list[Officer], plans: list[_FindingPlan],
           blobs: list[StoredBlob]) -> RecordedInspection:
    lead = officers[0]
    inspection = tx.add(Inspection(
        id=inspection_id or tx.new_id(), squad_id=lead.squad_id,
        device_id=ctx.device_id, subject_id=subject.id, grid_id=data.grid_id,
        address=data.address, latitude=data.latitude, longitude=data.longitude,
        at_utc=data.at, utc_offset_min=_offset(data.at), officer1_id=officers[0].id,
        officer2_id=officers[1].id, notes=data.notes, created_at=tx.now))
    pairs = [_add_finding(tx, inspection, p, lead, officers[1]) for p in plans]
    evidence_ids = [_add_evidence(tx, inspection, e, b, lead.id)
                    for e, b in zip(data.evidence, blobs, strict=True)]
    tx.audit("inspection.record", "inspection", inspection.id, {
        "subject": subject.id, "officers": [o.id for o in officers],
        "findings": [{"id": fid, "violation": p.finding.violation_code,
                      "step": p.step.value, "advised": p.advised.value,
                      "override_reason": p.override_reason,
                      "corrected_on_spot": p.finding.corrected_on_spot}
                     for (fid, _), p in zip(pairs, plans, strict=True)],
        "evidence": [b.sha256 for b in blobs]})
    return RecordedInspection(inspection.id, tuple(p[0] for p in pairs),
                              tuple(p[1] for p in pairs), tuple(evidence_ids),
                              frozenset(tx.changed))


def _taken(session: Session, inspection_id: str) -> bool:
    return session.get(Inspection, inspection_id) is not None


def _existing(ctx: ServiceContext, inspection_id: str) -> RecordedInspection | None:
    with ctx.read() as session:
        if session.get(Inspection, inspection_id) is None:
            return None
        findings = list(session.exec(select(Finding.id).where(
            Finding.inspection_id == inspection_id)))
        steps = list(session.exec(select(LadderStep.id).where(
            LadderStep.finding_id.in_(findings))))  # type: ignore[union-attr]
        evidence = list(session.exec(select(Evidence.id).where(
            Evidence.inspection_id == inspection_id)))
    return RecordedInspection(inspection_id, tuple(findings), tuple(steps),
                              tuple(evidence), frozenset())


def _officers(session: Session, ids: tuple[str, ...]) -> list[Officer]:
    officers = []
    for officer_id in ids:
        officer = session.get(Officer, officer_id)
        if officer is None:
            raise NotFound("officer", officer_id)
        officers.append(officer)
    if len(officers) < 2:
        raise ValidationError("officers", "at least two different officers are required")
    return officers


def _offset(at: dt.datetime) -> int:
    offset = at.utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


@dataclass(frozen=True)
class _FindingPlan:
    """A finding with the step to record, decided before anything is written."""

    finding: FindingData
    advised: StepKind
    step: StepKind
    override_reason: str
    correction_deadline: dt.datetime | None


def _plan(session: Session, ctx: ServiceContext, data: InspectionData, finding: FindingData,
          violation: ViolationType, config: RuleConfig) -> _FindingPlan:
    decision = ladder_decision(
        session.connection(), subject_id=data.subject_id,
        violation_code=finding.violation_code, at=data.at, config=config,
        ladder_applies=violation.ladder_applies)
    step = finding.step or decision.due
    reason = check_step_taken(decision.due, step, finding.override_reason)
    deadline = finding.correction_deadline
    if step is StepKind.WARN and deadline is None:
        deadline = correction_deadline(ctx, data.at, violation.correction_days)
    return _FindingPlan(finding, decision.due, step, reason, deadline)


def correction_deadline(ctx: ServiceContext, at: dt.datetime, days: int) -> dt.datetime:
    """The end of the correction period (calendar days, moved off holidays), 23:59 local."""
    local = at.astimezone(agency_zone())
    day = deadlines.due(DeadlineKind.CORRECTION, local.date(), deadline_calendar(ctx=ctx),
                        days=max(days, 1))
    return dt.datetime.combine(day, dt.time(23, 59), agency_zone())


def _add_finding(tx: Tx, inspection: Inspection, plan: _FindingPlan, lead: Officer,
                 assist: Officer) -> tuple[str, str]:
    finding = plan.finding
    row = tx.add(Finding(
        id=tx.new_id(), inspection_id=inspection.id, subject_id=inspection.subject_id,
        violation_code=finding.violation_code, facts=finding.facts,
        corrected_on_spot=finding.corrected_on_spot, step=plan.step.value,
        at_utc=inspection.at_utc, created_at=tx.now))
    case_id = None
    if plan.step is StepKind.ENFORCE:
        case_id = open_case_in(tx, officer_ids=(lead.id, assist.id),
                               subject_id=inspection.subject_id,
                               violation_code=finding.violation_code, summary=finding.facts,
                               at=inspection.at_utc)
    step = tx.add(LadderStep(
        id=tx.new_id(), finding_id=row.id, subject_id=inspection.subject_id,
        violation_code=finding.violation_code, squad_id=lead.squad_id,
        kind=plan.step.value, taken_at_utc=inspection.at_utc, officer_id=lead.id,
        correction_deadline_utc=plan.correction_deadline,
        override_reason=plan.override_reason, case_id=case_id, created_at=tx.now))
    if plan.step is StepKind.WARN and plan.correction_deadline is not None:
        create_revisit(tx, step, plan.correction_deadline)
    return row.id, step.id


def _add_evidence(tx: Tx, inspection: Inspection, data: EvidenceData, blob: StoredBlob,
                  officer_id: str) -> str:
    row = tx.add(Evidence(
        id=tx.new_id(), sha256=blob.sha256, evidence_type=data.evidence_type.value,
        media_type=blob.media_type, size_bytes=blob.size_bytes,
        original_name=Path(data.path).name, captured_at_utc=data.captured_at,
        utc_offset_min=_offset(data.captured_at), place=data.place,
        latitude=data.latitude, longitude=data.longitude, officer_id=officer_id,
        inspection_id=inspection.id, description=data.description, created_at=tx.now))
    return row.id
