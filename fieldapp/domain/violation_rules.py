"""A violation's legal rule as it stood on a day, and which version a case applies.

The catalogue ships national provisions; a city configures its own (local 条例 articles,
amounts, benchmark) as dated versions. 行政处罚法 art. 37 (从旧兼从轻): the rule in force
when the act was done applies, unless the rule in force when the decision is made is
lighter for the party. The chosen version and the reason are stated in the advice and
printed on the decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from fieldapp.domain.errors import ValidationError
from fieldapp.domain.fine_limits import FineLimits, heavier_limits, placeholder_in


@dataclass(frozen=True)
class ViolationRule:
    """One version of a violation type's 违则, 罚则, range and benchmark."""

    code: str
    name: str
    provision: str  # 违则: the article the act breaks
    penalty_provision: str  # 罚则: the article that sets the penalty
    penalty_range: str
    limits: FineLimits
    effective_from: dt.date = dt.date.min
    label: str = ""  # e.g. the catalogue version or the city rule's document number

    def placeholders(self) -> list[tuple[str, str]]:
        """(field, marker) of every element that still is a placeholder."""
        out = []
        for field, text in (("violation.provision", self.provision),
                            ("violation.penalty_provision", self.penalty_provision)):
            marker = placeholder_in(text)
            if marker:
                out.append((field, marker))
        return out


def check_rule_text(rule: ViolationRule) -> None:
    """A rule a city configures must be complete: both articles, distinct, no
    placeholder."""
    for field, text in (("violated provision", rule.provision),
                        ("penalty provision", rule.penalty_provision)):
        if not text.strip():
            raise ValidationError(field, "is required")
        marker = placeholder_in(text)
        if marker:
            raise ValidationError(field, "still says '{marker}': give the city's own "
                                  "article", marker=marker)
    if rule.provision.strip() == rule.penalty_provision.strip():
        raise ValidationError("penalty provision", "cite the article that sets the penalty "
                              "(罚则) apart from the one the act breaks (违则)")


def rule_on(versions: Sequence[ViolationRule], day: dt.date) -> ViolationRule:
    """The version in force on ``day`` (the newest that started on or before it)."""
    started = [v for v in versions if v.effective_from <= day]
    if not started:
        raise ValidationError("violation code", "no rule was in force on {day}",
                              day=day.isoformat())
    return max(started, key=lambda v: v.effective_from)


class Choice(StrEnum):
    """Why a version applies (art. 37)."""

    AT_ACT = "at_act"  # 违法行为发生时的规定
    LIGHTER_AT_DECISION = "lighter_at_decision"  # 作出决定时的规定更轻
    SAME = "same"  # no change between the act and the decision


CHOICE_TEXT = {
    Choice.AT_ACT: "适用违法行为发生时施行的规定（《中华人民共和国行政处罚法》第三十七条）",
    Choice.LIGHTER_AT_DECISION: "违法行为发生后规定已修改，作出决定时施行的规定处罚较轻，"
    "依照《中华人民共和国行政处罚法》第三十七条适用作出决定时的规定",
    Choice.SAME: "适用违法行为发生时施行的规定",
}


@dataclass(frozen=True)
class AppliedRule:
    rule: ViolationRule
    choice: Choice

    @property
    def reason(self) -> str:
        return CHOICE_TEXT[self.choice]


def applicable_rule(versions: Sequence[ViolationRule], *, act_day: dt.date,
                    decision_day: dt.date, organisation: bool) -> AppliedRule:
    """从旧兼从轻: the act's version unless the decision day's is lighter."""
    at_act = rule_on(versions, act_day)
    at_decision = rule_on(versions, max(decision_day, act_day))
    if at_decision == at_act:
        return AppliedRule(at_act, Choice.SAME)
    if heavier_limits(at_act.limits, at_decision.limits, organisation=organisation):
        return AppliedRule(at_decision, Choice.LIGHTER_AT_DECISION)
    return AppliedRule(at_act, Choice.AT_ACT)
