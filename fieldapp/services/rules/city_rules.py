"""The city's own rules per violation type (本市规则) and the version a case applies.

The catalogue ships national provisions; where it says "待本市配置" the city's leader
sets the local 条例's articles, amounts and benchmark here, as a version in force from a
date. Every version is kept (行政处罚法 art. 37 compares the one in force at the act
with the one in force at the decision).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from fieldapp.domain.errors import NotFound, ValidationError
from fieldapp.domain.fine_limits import FineLimits, fine_range, tiers_from_json
from fieldapp.domain.localtime import local_date
from fieldapp.domain.permissions import Action
from fieldapp.domain.violation_rules import (
    AppliedRule,
    ViolationRule,
    applicable_rule,
    check_rule_text,
)
from fieldapp.domain.workflow import CaseState
from fieldapp.interchange.city_rules import (
    city_rule_fields,
    city_rule_id,
    default_city_rules_path,
    read_city_rules_file,
)
from fieldapp.services.context import ServiceContext
from fieldapp.services.results import Written
from fieldapp.store.tables import CaseFile, CityViolationRule, Finding, LadderStep, ViolationType
from fieldapp.store.unit import Tx


@dataclass(frozen=True)
class CityRule:
    """What a leader gives for one violation type (amounts in yuan, None: no limit)."""

    violation_code: str
    provision: str
    penalty_provision: str
    effective_from: dt.date
    penalty_range: str = ""
    fine_min_yuan: float | None = None
    fine_max_yuan: float | None = None
    fine_min_org_yuan: float | None = None
    fine_max_org_yuan: float | None = None
    fine_unit: str = ""
    discretion: tuple[Mapping[str, Any], ...] = ()
    source: str = ""

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> CityRule:
        """A rule of a city rules file (read as HQ reads it for publication)."""
        fields = city_rule_fields(data)
        discretion = tuple(json.loads(fields.pop("discretion_json")))
        return CityRule(**{**fields, "effective_from": dt.date.fromisoformat(
            fields["effective_from"]), "discretion": discretion})


def _limits(article: str, row: ViolationType | CityViolationRule) -> FineLimits:
    return FineLimits(article, fine_range(row.fine_min_yuan, row.fine_max_yuan),
                      fine_range(row.fine_min_org_yuan, row.fine_max_org_yuan),
                      row.fine_unit, tiers_from_json(json.loads(row.discretion_json or "[]")))


def catalogue_rule(row: ViolationType) -> ViolationRule:
    return ViolationRule(row.code, row.name, row.provision, row.penalty_provision,
                         row.penalty_range, _limits(row.penalty_provision, row),
                         label=f"目录{row.catalogue_version}")


def _city_version(row: CityViolationRule, name: str) -> ViolationRule:
    return ViolationRule(row.violation_code, name, row.provision, row.penalty_provision,
                         row.penalty_range, _limits(row.penalty_provision, row),
                         row.effective_from, row.source)


def rule_versions(session: Session, code: str) -> list[ViolationRule]:
    """The catalogue's rule (in force since always) and the city's dated versions."""
    violation = session.get(ViolationType, code)
    if violation is None:
        raise NotFound("violation code", code)
    rows = session.exec(select(CityViolationRule).where(
        CityViolationRule.violation_code == code).order_by(
        col(CityViolationRule.effective_from))).all()
    return [catalogue_rule(violation), *(_city_version(r, violation.name) for r in rows)]


def applied_rule_in(session: Session, code: str, *, act_day: dt.date,
                    decision_day: dt.date, organisation: bool) -> AppliedRule:
    """The version a case applies (从旧兼从轻, art. 37)."""
    return applicable_rule(rule_versions(session, code), act_day=act_day,
                           decision_day=decision_day, organisation=organisation)


def applied_rule(*, ctx: ServiceContext, violation_code: str, act_day: dt.date,
                 decision_day: dt.date, organisation: bool = False) -> AppliedRule:
    with ctx.read() as session:
        return applied_rule_in(session, violation_code, act_day=act_day,
                               decision_day=decision_day, organisation=organisation)


def set_city_rule(*, ctx: ServiceContext, officer_id: str, rule: CityRule) -> Written:
    """A leader sets the city's version of a violation type's rule (from a date)."""
    with ctx.write(officer_id, action=Action.SET_RULES) as tx:
        rule_id = _add_in(tx, rule, officer_id)
    return Written(rule_id, frozenset(tx.changed))


def load_city_rules(*, ctx: ServiceContext, path: Path | None = None,
                    officer_id: str = "") -> int:
    """Load a city's rules file (the demo city's by default); versions already there are
    skipped. Returns how many versions were added. The built-in file loads with nobody
    (as the catalogue does); any other file needs a leader."""
    rules = [CityRule.from_json(r)
             for r in read_city_rules_file(path or default_city_rules_path())]
    action = Action.SET_RULES if officer_id or path is not None else Action.LOAD_CATALOGUE
    added = 0
    with ctx.write(officer_id, action=action) as tx:
        for rule in rules:
            if _existing(tx.session, rule) is None:
                _add_in(tx, rule, officer_id)
                added += 1
    return added


def _existing(session: Session, rule: CityRule) -> CityViolationRule | None:
    return session.exec(select(CityViolationRule).where(
        CityViolationRule.violation_code == rule.violation_code,
        CityViolationRule.effective_from == rule.effective_from)).first()


def _add_in(tx: Tx, rule: CityRule, officer_id: str) -> str:
    violation = tx.session.get(ViolationType, rule.violation_code)
    if violation is None:
        raise NotFound("violation code", rule.violation_code)
    discretion = json.dumps(list(rule.discretion), ensure_ascii=False)
    check_rule_text(ViolationRule(
        rule.violation_code, violation.name, rule.provision, rule.penalty_provision,
        rule.penalty_range, FineLimits(rule.penalty_provision, fine_range(
            rule.fine_min_yuan, rule.fine_max_yuan), fine_range(
            rule.fine_min_org_yuan, rule.fine_max_org_yuan), rule.fine_unit,
            tiers_from_json(rule.discretion))))
    if _existing(tx.session, rule) is not None:
        raise ValidationError("effective from", "a version of this rule already starts on "
                              "{day}", day=rule.effective_from.isoformat())
    row = tx.add(CityViolationRule(
        id=city_rule_id(rule.violation_code, rule.effective_from.isoformat()),
        violation_code=rule.violation_code,
        effective_from=rule.effective_from, provision=rule.provision.strip(),
        penalty_provision=rule.penalty_provision.strip(), penalty_range=rule.penalty_range,
        fine_min_yuan=rule.fine_min_yuan, fine_max_yuan=rule.fine_max_yuan,
        fine_min_org_yuan=rule.fine_min_org_yuan, fine_max_org_yuan=rule.fine_max_org_yuan,
        fine_unit=rule.fine_unit, discretion_json=discretion, source=rule.source,
        created_at=tx.now, created_by=officer_id))
    tx.audit("city_rule.set", "city_violation_rule", row.id, {
        "violation": rule.violation_code, "effective_from": rule.effective_from.isoformat(),
        "provision": rule.provision, "penalty_provision": rule.penalty_provision})
    return row.id


def missing_city_rules(*, ctx: ServiceContext, on: dt.date) -> list[tuple[str, str, str]]:
    """(code, name, field) of every violation type whose rule in force on ``on`` still
    carries a placeholder: what the leader has to configure."""
    out: list[tuple[str, str, str]] = []
    with ctx.read() as session:
        codes = session.exec(select(ViolationType.code).order_by(ViolationType.code)).all()
        for code in codes:
            versions: Sequence[ViolationRule] = rule_versions(session, code)
            rule = max((v for v in versions if v.effective_from <= on),
                       key=lambda v: v.effective_from)
            out.extend((code, rule.name, f) for f, _m in rule.placeholders())
    return out


def act_day(session: Session, case: CaseFile) -> dt.date:
    """The day of the act: the finding that led to the case, else the day it was opened."""
    step = session.exec(select(LadderStep).where(LadderStep.case_id == case.id).order_by(
        col(LadderStep.taken_at_utc))).first()
    finding = session.get(Finding, step.finding_id) if step and step.finding_id else None
    return local_date(finding.at_utc if finding else case.opened_at)


def applied_rule_of(session: Session, case: CaseFile, state: CaseState,
                    decision_day: dt.date) -> AppliedRule:
    return applied_rule_in(session, case.violation_code, act_day=act_day(session, case),
                           decision_day=state.decided_on or decision_day,
                           organisation=state.organisation)
