"""When a document may be issued: procedure before paper.

A document records an act. Its kind must match what was recorded (no 教育劝导书 for a
step recorded as 告诫), a decision only once the case has been decided that way, the
当场处罚决定书 only under the summary procedure and within its limits (art. 51). The law
means one live document per kind and case for some kinds (立案审批表, decisions…) and
one per finding for the notices of the ladder; a second request opens the first.
No legal element (party, amount, penalty, provisions, dates, deadlines) is set by a
free-text field: those come from the case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fieldapp.domain.document_kinds import DocumentKind as K
from fieldapp.domain.entities import CaseStatus, StepKind, SubjectKind
from fieldapp.domain.errors import DomainError, ValidationError
from fieldapp.domain.fine_limits import placeholder_in
from fieldapp.domain.party import PARTY_BLOCK_KEYS
from fieldapp.domain.penalties import check_summary_allowed
from fieldapp.domain.rules_config import RuleConfig
from fieldapp.domain.validation import CLOCK_TOLERANCE, check_moment
from fieldapp.domain.workflow import CaseState, Decision, Procedure

DECISION_KINDS = frozenset({K.PENALTY_DECISION, K.ON_SPOT_DECISION, K.NO_PENALTY_DECISION})
ONE_PER_CASE = DECISION_KINDS | {K.FILING_APPROVAL, K.PRIOR_NOTICE, K.CLOSING_APPROVAL}
ONE_PER_FINDING = frozenset({K.EDUCATION_NOTICE, K.WARNING_NOTICE, K.CORRECTION_ORDER,
                             K.NO_PENALTY_COMMITMENT, K.INSPECTION_RECORD})
# Documents handed to the party: their legal basis must be the city's real rule.
OUTGOING = frozenset({K.EDUCATION_NOTICE, K.WARNING_NOTICE, K.CORRECTION_ORDER,
                      K.NO_PENALTY_COMMITMENT, K.EVIDENCE_PRESERVATION, K.PRIOR_NOTICE,
                      K.PENALTY_DECISION, K.ON_SPOT_DECISION, K.NO_PENALTY_DECISION})
# The ladder step each finding notice records.
STEP_OF: Mapping[K, frozenset[StepKind]] = {
    K.EDUCATION_NOTICE: frozenset({StepKind.EDUCATE}),
    K.NO_PENALTY_COMMITMENT: frozenset({StepKind.EDUCATE}),
    K.WARNING_NOTICE: frozenset({StepKind.WARN}),
    K.CORRECTION_ORDER: frozenset({StepKind.WARN, StepKind.ENFORCE}),
}
# Snapshot keys that are legal elements: never given as free text (--field).
LEGAL_PREFIXES = ("subject.", "case.", "violation.", "no_penalty.", "ladder.", "officers.",
                  "served.", "service.", "document.", "amends.", "rule.", "act.")
LEGAL_KEYS = frozenset({"correction.deadline", "finding.at", "record.started_at",
                        "record.ended_at", "photo.taken_at"})


def check_free_fields(fields: Iterable[str]) -> None:
    """Refuse a free-text value for a legal element."""
    for key in sorted(fields):
        if key in LEGAL_KEYS or key.startswith(LEGAL_PREFIXES):
            raise ValidationError("document field", "'{key}' is a legal element of the "
                                  "document: it comes from the case and cannot be given as "
                                  "text", key=key)


@dataclass(frozen=True)
class IssueContext:
    """What the issuing service knows about the record a document is about."""

    kind: K
    step: StepKind | None  # the ladder step of the finding, if any
    case_status: CaseStatus | None
    state: CaseState | None
    organisation: bool


def check_issuable(ctx: IssueContext, config: RuleConfig) -> None:
    """Refuse a document the recorded procedure does not allow (yet)."""
    kind, state = ctx.kind, ctx.state
    if ctx.case_status is CaseStatus.ARCHIVED:
        raise DomainError("the case is archived: nothing more is issued for it")
    steps = STEP_OF.get(kind)
    if steps is not None and ctx.step is not None and ctx.step not in steps:
        raise ValidationError("document kind", "a {kind} does not fit the step recorded for "
                              "this finding ({step})", kind=kind.value, step=ctx.step.value)
    if kind in DECISION_KINDS or kind in (K.PRIOR_NOTICE, K.FILING_APPROVAL,
                                          K.CLOSING_APPROVAL, K.EVIDENCE_PRESERVATION):
        if state is None:
            raise ValidationError("document kind", "a {kind} is issued for a case",
                                  kind=kind.value)
        _check_case_document(kind, state, config, ctx.organisation)


def _check_case_document(kind: K, state: CaseState, config: RuleConfig,
                         organisation: bool) -> None:
    summary = state.procedure is Procedure.SUMMARY
    if kind is K.ON_SPOT_DECISION:
        if not summary:
            raise ValidationError("document kind", "the 当场行政处罚决定书 is only for a case "
                                  "under the summary procedure (art. 51)")
        if state.decided is None:
            raise DomainError("record the on-the-spot decision first")
        check_summary_allowed(state.decided, organisation=organisation, config=config)
    elif kind is K.PENALTY_DECISION:
        if summary or state.decision is not Decision.PENALTY or state.decided is None:
            raise DomainError("a 行政处罚决定书 needs the case decided with a penalty "
                              "under the ordinary procedure")
    elif kind is K.NO_PENALTY_DECISION:
        if state.decision is not Decision.NO_PENALTY or state.no_penalty_reason is None:
            raise DomainError("a 不予行政处罚决定书 needs the case decided without penalty, "
                              "with its ground")
    elif kind is K.PRIOR_NOTICE and state.notified is None:
        raise DomainError("record the prior notice (事先告知) in the case first")
    elif kind is K.FILING_APPROVAL and summary:
        raise ValidationError("document kind", "a summary-procedure case is not filed by "
                              "approval")
    elif kind is K.CLOSING_APPROVAL and not (state.close_requested or state.closed_on):
        raise DomainError("request the closing of the case first")
    elif kind is K.EVIDENCE_PRESERVATION and state.preserved_on is None:
        raise DomainError("the agency head's approval of 先行登记保存 is not recorded")


def check_no_placeholder(kind: K, snapshot: Mapping[str, str], missing_rule: str) -> None:
    """A party never receives "待本市配置" or a list of alternatives as its legal basis."""
    if kind not in OUTGOING:
        return
    for key, label in (("violation.provision", "violated provision"),
                       ("violation.penalty_provision", "penalty provision")):
        marker = placeholder_in(snapshot.get(key, ""))
        if marker:
            raise ValidationError(label, "the legal basis still says '{marker}': the city rule "
                                  "for {violation} is missing; a leader sets it under the "
                                  "city's rules", marker=marker, violation=missing_rule)


# Documents whose party block must be complete (DOMAIN.md §2.3; 行政处罚法 art. 59).
FORMAL = DECISION_KINDS | {K.PRIOR_NOTICE}


def missing_party_keys(kind: K, subject_kind: SubjectKind,
                       snapshot: Mapping[str, str]) -> list[str]:
    """The party block's keys a formal document lacks, for this kind of party."""
    if kind not in FORMAL:
        return []
    return [k for k in PARTY_BLOCK_KEYS[subject_kind] if not snapshot.get(k, "").strip()]


def check_served_after(served_on: dt.date, document_day: dt.date, number: str) -> None:
    if served_on < document_day:
        raise ValidationError("service date", "{served} is before {number} was made "
                              "({day}): a document cannot be served before it exists",
                              served=served_on.isoformat(), number=number,
                              day=document_day.isoformat())


# The 笔录 that record a sitting: they carry when it began and when it ended.
RECORD_KINDS = frozenset({K.INSPECTION_RECORD, K.INQUIRY_RECORD, K.STATEMENT_RECORD})
MAX_SITTING = dt.timedelta(hours=12)  # one sitting; a longer one is two records


@dataclass(frozen=True)
class RecordTimes:
    """When the inspection or interview a 笔录 records began and ended (aware times)."""

    started: dt.datetime
    ended: dt.datetime


# An interview's times only the officers know: they give them. An inspection record
# began with the inspection and ends, by default, when it is closed and issued.
TIMES_GIVEN = frozenset({K.INQUIRY_RECORD, K.STATEMENT_RECORD})


def check_record_times(kind: K, times: RecordTimes, *, now: dt.datetime,
                       act: dt.datetime | None = None) -> RecordTimes:
    """A sitting's times: only for a 笔录, the end after the start, neither in the
    future, within one sitting, and not before the act it is about."""
    if kind not in RECORD_KINDS:
        raise ValidationError("record times", "only an inspection or interview record "
                              "(笔录) carries start and end times")
    check_moment("start time", times.started, now=now)
    check_moment("end time", times.ended, now=now)
    if times.ended <= times.started:
        raise ValidationError("end time", "must be after the start time")
    if times.ended - times.started > MAX_SITTING:
        raise ValidationError("end time", "a record covers one sitting of at most {hours} "
                              "hours", hours=int(MAX_SITTING.total_seconds() // 3600))
    if act is not None and times.started < act - CLOCK_TOLERANCE:
        raise ValidationError("start time", "is before the inspection it records")
    return times
