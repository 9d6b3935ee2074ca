"""What one recorded finding came to, as the inspection screen shows it after recording:
the step taken, for whom, the case it opened, the documents the step calls for on the
spot and those already issued for it (read-only)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from fieldapp.domain.document_kinds import DocumentKind, documents_for_step
from fieldapp.domain.entities import StepKind
from fieldapp.domain.errors import NotFound
from fieldapp.services.context import ServiceContext
from fieldapp.services.paperwork import list_documents
from fieldapp.services.subjects import display_name
from fieldapp.store.tables import CaseFile, Finding, LadderStep, Subject, ViolationType

# Issued from the case once it is filed, not from the finding on the street.
CASE_DOCUMENTS = frozenset({DocumentKind.FILING_APPROVAL, DocumentKind.INSPECTION_RECORD,
                            DocumentKind.ON_SPOT_DECISION})
_KINDS = frozenset(k.value for k in DocumentKind)  # not the void records


@dataclass(frozen=True)
class IssuedForFinding:
    """A document issued for the finding and not voided."""

    id: str
    kind: DocumentKind
    number: str


@dataclass(frozen=True)
class FindingOutcome:
    finding_id: str
    subject_id: str
    subject_name: str
    violation_code: str
    violation_name: str
    step: StepKind
    corrected_on_spot: bool
    case_id: str | None
    case_no: str  # "" until the filing is approved
    documents: tuple[DocumentKind, ...]  # what the step calls for on the spot, in order
    issued: tuple[IssuedForFinding, ...]

    def issued_as(self, kind: DocumentKind) -> IssuedForFinding | None:
        return next((d for d in self.issued if d.kind is kind), None)


def finding_outcome(*, ctx: ServiceContext, finding_id: str,
                    no_penalty_commitment: bool = False,
                    summary_possible: bool = False) -> FindingOutcome:
    """The finding as recorded; the two flags are the advice's at recording time."""
    with ctx.read() as session:
        finding = session.get(Finding, finding_id)
        if finding is None:
            raise NotFound("finding", finding_id)
        step = session.exec(select(LadderStep).where(
            LadderStep.finding_id == finding_id)).first()
        subject = session.get(Subject, finding.subject_id)
        violation = session.get(ViolationType, finding.violation_code)
        case = session.get(CaseFile, step.case_id) if step and step.case_id else None
    kind = StepKind(step.kind if step is not None else finding.step)
    needed = tuple(d for d in documents_for_step(
        kind, no_penalty_commitment=no_penalty_commitment, summary_possible=summary_possible)
        if d not in CASE_DOCUMENTS)
    issued = tuple(IssuedForFinding(d.id, DocumentKind(d.kind), d.number)
                   for d in list_documents(ctx=ctx, finding_id=finding_id)
                   if d.kind in _KINDS and not (d.voided_by or d.voids or d.amended_by))
    return FindingOutcome(
        finding_id, finding.subject_id, display_name(subject) if subject else "",
        finding.violation_code, violation.name if violation else finding.violation_code,
        kind, finding.corrected_on_spot, case.id if case else None,
        case.case_no if case else "", needed, issued)
