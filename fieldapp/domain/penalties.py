"""Penalties: kinds (行政处罚法 art. 9), summary-procedure limits, the overdue surcharge.

Money is held in fen (分, integer) so sums and caps are exact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from fieldapp.domain.errors import ValidationError
from fieldapp.domain.rules_config import RuleConfig


class PenaltyKind(StrEnum):
    WARNING = "warning"  # 警告
    CRITICISM = "criticism"  # 通报批评
    FINE = "fine"  # 罚款
    CONFISCATE_GAINS = "confiscate_gains"  # 没收违法所得
    CONFISCATE_PROPERTY = "confiscate_property"  # 没收非法财物
    SUSPEND_LICENCE = "suspend_licence"  # 暂扣许可证件
    LOWER_QUALIFICATION = "lower_qualification"  # 降低资质等级
    REVOKE_LICENCE = "revoke_licence"  # 吊销许可证件
    RESTRICT_BUSINESS = "restrict_business"  # 限制开展生产经营活动
    SUSPEND_BUSINESS = "suspend_business"  # 责令停产停业
    CLOSE_BUSINESS = "close_business"  # 责令关闭
    RESTRICT_PRACTICE = "restrict_practice"  # 限制从业


# Kinds that give the party a hearing right whatever the amount (art. 63).
HEARING_KINDS = frozenset({
    PenaltyKind.LOWER_QUALIFICATION, PenaltyKind.REVOKE_LICENCE,
    PenaltyKind.SUSPEND_BUSINESS, PenaltyKind.CLOSE_BUSINESS,
    PenaltyKind.RESTRICT_PRACTICE, PenaltyKind.RESTRICT_BUSINESS,
})


@dataclass(frozen=True)
class Penalty:
    kinds: frozenset[PenaltyKind]
    fine_fen: int = 0
    confiscation_fen: int = 0

    def __post_init__(self) -> None:
        if not self.kinds:
            raise ValidationError("penalty", "choose at least one kind of penalty")
        if self.fine_fen < 0 or self.confiscation_fen < 0:
            raise ValidationError("fine", "must not be negative")
        if (PenaltyKind.FINE in self.kinds) != (self.fine_fen > 0):
            raise ValidationError("fine", "give an amount exactly when the penalty is a fine")

    def to_json(self) -> dict[str, object]:
        return {"kinds": sorted(k.value for k in self.kinds), "fine_fen": self.fine_fen,
                "confiscation_fen": self.confiscation_fen}

    @staticmethod
    def from_json(data: dict[str, object]) -> Penalty:
        kinds = data.get("kinds", [])
        assert isinstance(kinds, list)
        return Penalty(frozenset(PenaltyKind(k) for k in kinds),
                       int(str(data.get("fine_fen", 0))),
                       int(str(data.get("confiscation_fen", 0))))

    def not_heavier_than(self, other: Penalty) -> bool:
        """Art. 45: the decision may not be heavier than what the party was told."""
        return (self.kinds <= other.kinds and self.fine_fen <= other.fine_fen
                and self.confiscation_fen <= other.confiscation_fen)


def yuan_to_fen(yuan: float) -> int:
    return round(yuan * 100)


def _limit(config_individual: float, config_org: float, organisation: bool) -> int:
    return yuan_to_fen(config_org if organisation else config_individual)


def check_summary_allowed(penalty: Penalty, *, organisation: bool, config: RuleConfig) -> None:
    """Art. 51: on the spot only a warning, or a fine ≤ ¥200 (citizen) / ¥3,000 (organisation)."""
    if not penalty.kinds <= {PenaltyKind.WARNING, PenaltyKind.FINE}:
        raise ValidationError("penalty", "the summary procedure allows only a warning or a fine")
    limit = _limit(config.summary_fine_max_individual, config.summary_fine_max_organisation,
                   organisation)
    if penalty.fine_fen > limit:
        raise ValidationError(
            "fine", "{amount} yuan is above the summary-procedure limit of {limit} yuan",
            amount=penalty.fine_fen / 100, limit=limit / 100)


def hearing_right(penalty: Penalty, *, organisation: bool, config: RuleConfig) -> bool:
    """Art. 63: large fines (as the city sets them) and heavy penalties."""
    limit = _limit(config.hearing_fine_individual, config.hearing_fine_organisation,
                   organisation)
    return bool(penalty.kinds & HEARING_KINDS) or penalty.fine_fen >= limit


def legal_review_required(penalty: Penalty, *, organisation: bool, hearing: bool,
                          config: RuleConfig) -> bool:
    """Art. 58: major decisions (configured thresholds, or every ordinary case)."""
    limit = _limit(config.legal_review_fine_individual, config.legal_review_fine_organisation,
                   organisation)
    return config.legal_review_all_ordinary_cases or hearing or penalty.fine_fen >= limit


def collective_discussion_required(penalty: Penalty, *, organisation: bool,
                                   config: RuleConfig) -> bool:
    limit = _limit(config.collective_fine_individual, config.collective_fine_organisation,
                   organisation)
    return penalty.fine_fen >= limit or bool(penalty.kinds & HEARING_KINDS)


def surcharge_fen(fine_fen: int, due: dt.date, on: dt.date) -> int:
    """Art. 72: 3% of the fine for each day overdue, never more than the fine itself."""
    days = (on - due).days
    if days <= 0:
        return 0
    return min(fine_fen, fine_fen * 3 * days // 100)
