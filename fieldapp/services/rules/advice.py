"""Advice for one subject and violation on the street: the step due and why, every
no-penalty item considered condition by condition, the legal basis, the documents.

The officer answers the conditions only they can judge (corrected on the spot? harm?);
everything the store knows (is this a first offence?) is answered here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from fieldapp.domain.applicability import choose_applicable, known_answers
from fieldapp.domain.document_kinds import DocumentKind, documents_for_step
from fieldapp.domain.entities import StepKind, SubjectKind
from fieldapp.domain.errors import NotFound
from fieldapp.domain.ladder import LadderDecision, PastStep, is_first_offence
from fieldapp.domain.localtime import agency_zone
from fieldapp.domain.no_penalty import (
    ConditionKind,
    ItemAssessment,
    NoPenaltyList,
    RequiredMeasure,
    evaluate,
    items_for_violation,
)
from fieldapp.domain.rules_config import RuleConfig
from fieldapp.i18n import _
from fieldapp.services.context import ServiceContext
from fieldapp.services.rules.city_rules import applied_rule_in
from fieldapp.services.rules.ladder import ladder_decision
from fieldapp.services.rules.no_penalty import list_in_force_on
from fieldapp.services.rules.settings import rule_config
from fieldapp.store.tables import Subject, ViolationType

Answers = Mapping[ConditionKind, bool | float | None]


@dataclass(frozen=True)
class LegalBasis:
    provision: str  # 违则
    penalty_provision: str  # 罚则
    penalty_range: str
    local_regulation: bool
    version: str = ""  # the catalogue version or the city rule that applies
    reason: str = ""  # why that version (行政处罚法 art. 37: 从旧兼从轻)


@dataclass(frozen=True)
class Advice:
    subject_id: str
    violation_code: str
    violation_name: str
    at: dt.datetime
    ladder: LadderDecision
    first_offence: bool
    no_penalty_list: NoPenaltyList | None
    items: tuple[ItemAssessment, ...]
    basis: LegalBasis
    documents: tuple[DocumentKind, ...]
    summary_possible: bool
    explanation: str

    @property
    def step(self) -> StepKind:
        return self.ladder.due

    @property
    def no_penalty_applies(self) -> ItemAssessment | None:
        """The item that applies (the same choice the documents make)."""
        return choose_applicable(self.items)


def advise(*, ctx: ServiceContext, subject_id: str, violation_code: str, at: dt.datetime,
           answers: Answers | None = None, config: RuleConfig | None = None) -> Advice:
    """What the law and the squad's history call for now."""
    config = config or rule_config(ctx=ctx)
    with ctx.read() as session:
        subject = session.get(Subject, subject_id)
        if subject is None:
            raise NotFound("subject", subject_id)
        violation = session.get(ViolationType, violation_code)
        if violation is None:
            raise NotFound("violation code", violation_code)
        decision = ladder_decision(
            session.connection(), subject_id=subject_id, violation_code=violation_code,
            at=at, config=config, ladder_applies=violation.ladder_applies)
        # On the street the act and the decision are the same day: the rule of that day.
        day = at.astimezone(agency_zone()).date()
        applied = applied_rule_in(session, violation_code, act_day=day, decision_day=day,
                                  organisation=subject.kind == SubjectKind.BUSINESS.value)
    first = is_first_offence(decision)
    known = known_answers(decision, given=answers)
    no_penalty = list_in_force_on(ctx=ctx, on=at.astimezone(agency_zone()).date())
    items = tuple(evaluate(item, known) for item in
                  (items_for_violation(no_penalty, violation_code) if no_penalty else ()))
    advice = Advice(
        subject_id=subject_id, violation_code=violation_code, violation_name=violation.name,
        at=at, ladder=decision, first_offence=first, no_penalty_list=no_penalty,
        items=items, basis=LegalBasis(
            applied.rule.provision, applied.rule.penalty_provision,
            applied.rule.penalty_range, violation.local_regulation, applied.rule.label,
            applied.reason),
        documents=(), summary_possible=violation.summary_allowed and
        subject.kind != SubjectKind.UNIDENTIFIED_VENDOR.value, explanation="")
    commitment = any(a.applies and a.item.required_measure is RequiredMeasure.COMMITMENT
                     for a in items)
    documents = documents_for_step(decision.due, no_penalty_commitment=commitment,
                                   summary_possible=advice.summary_possible)
    return replace(advice, documents=documents, explanation=explain(advice, config))


def explain(advice: Advice, config: RuleConfig) -> str:
    """One or two sentences a citizen understands, in the user's language."""
    months = config.lookback_months
    ladder = advice.ladder
    if ladder.skipped:
        text = _("This violation is not handled by education first; a case is opened "
                 "under the law.")
    elif ladder.due is StepKind.EDUCATE:
        text = _("Nothing like this was recorded in the last {months} months: the officer "
                 "explains the rule and asks you to put it right; there is no penalty.",
                 months=months)
    elif ladder.due is StepKind.WARN:
        text = _("You were already told about this on {date}: this time you get a formal "
                 "warning and an order to correct it by a deadline. If it is not "
                 "corrected, a case will be opened.", date=_local_date(ladder.counted[0]))
    else:
        text = _("You were told on {first} and warned on {last} and it happened again: a "
                 "case is opened under the law.", first=_local_date(ladder.counted[0]),
                 last=_local_date(ladder.counted[-1]))
    applying = advice.no_penalty_applies
    if applying is not None and not ladder.skipped:
        text += " " + (_("Because it is minor and was corrected in time, the law says there "
                         "is no penalty (art. 33 of the Administrative Penalty Law).")
                       if applying.mandatory else
                       _("As a first, minor violation corrected in time, it may go "
                         "unpunished under art. 33 of the Administrative Penalty Law."))
    return text


def _local_date(step: PastStep) -> str:
    local = step.taken_at.astimezone(agency_zone())
    return f"{local.year}-{local.month:02d}-{local.day:02d}"
