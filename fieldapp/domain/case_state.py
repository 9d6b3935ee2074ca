"""The state of a case (案件) as the workflow keeps it, and its procedures and outcomes.

Stored as JSON on the case row; ``fieldapp.domain.workflow`` moves it from step to step.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from fieldapp.domain.entities import CaseStatus, OfficerRole
from fieldapp.domain.penalties import Penalty

S = CaseStatus


class Procedure(StrEnum):
    ORDINARY = "ordinary"  # 一般程序
    SUMMARY = "summary"  # 简易程序 (当场处罚)


class Decision(StrEnum):
    PENALTY = "penalty"  # 给予行政处罚
    NO_PENALTY = "no_penalty"  # 不予行政处罚
    TRANSFER = "transfer"  # 移送


class NoPenaltyReason(StrEnum):
    MINOR = "minor"  # 违法行为轻微并及时改正，没有造成危害后果 (art. 33 ¶1)
    FIRST_OFFENCE = "first_offence"  # 初次违法且危害后果轻微并及时改正 (art. 33 ¶1)
    NO_FAULT = "no_fault"  # 无主观过错 (art. 33 ¶2)
    NOT_ESTABLISHED = "not_established"  # 违法事实不能成立 (art. 57)


@dataclass(frozen=True)
class CaseState:
    procedure: Procedure
    organisation: bool  # the party is an organisation (单位), for the thresholds
    status: CaseStatus = S.FILING
    filing_approvals: frozenset[OfficerRole] = frozenset()
    filed_on: dt.date | None = None
    preserved_on: dt.date | None = None  # 先行登记保存 approved, not yet handled
    proposed: Penalty | None = None
    legal_review_required: bool = False
    legal_review_opinion: str = ""
    collective_required: bool = False
    collective_conclusion: str = ""
    notified: Penalty | None = None
    notified_on: dt.date | None = None
    reviewed: Penalty | None = None  # the penalty after 复核, when the statement lowered it
    statement_text: str = ""  # what the party stated (陈述、申辩)
    review_text: str = ""  # what the 复核 found
    statement_waived: bool = False  # the party waived in writing (书面放弃)
    hearing_waived: bool = False
    hearing_summary: str = ""
    discretion_tier: str = ""  # 裁量基准档次
    discretion_reasons: str = ""
    fine_units: float | None = None  # when the range is per unit (m², days, cost)
    correction_requirement: str = ""  # 责令改正的内容 (art. 28)
    correction_deadline: str = ""  # ISO local date and time
    preserved_items: str = ""  # 先行登记保存物品, one a line: 名称|规格|数量|状况
    storage_place: str = ""  # 保存地点
    hearing_offered: bool = False
    hearing_request_due: dt.date | None = None
    statement_due: dt.date | None = None
    statement_recorded: bool = False
    hearing_requested: bool = False
    hearing_held: bool = False
    decision: Decision | None = None
    decided: Penalty | None = None
    no_penalty_reason: NoPenaltyReason | None = None
    decided_on: dt.date | None = None
    served_on: dt.date | None = None
    payment_due: dt.date | None = None
    paid_fen: int = 0
    close_requested: bool = False
    closed_on: dt.date | None = None
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Penalty):
                value = value.to_json()
            elif isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, frozenset):
                value = sorted(str(v) for v in value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> CaseState:
        parsers: dict[str, Callable[[Any], Any]] = {
            "procedure": Procedure, "status": CaseStatus,
            "filing_approvals": lambda v: frozenset(OfficerRole(x) for x in v),
            "proposed": Penalty.from_json, "notified": Penalty.from_json,
            "reviewed": Penalty.from_json,
            "decided": Penalty.from_json, "decision": Decision,
            "no_penalty_reason": NoPenaltyReason, "notes": tuple,
        }
        values = {}
        for f in dataclasses.fields(CaseState):
            if f.name not in data or data[f.name] is None:
                continue
            raw = data[f.name]
            if f.name in parsers:
                values[f.name] = parsers[f.name](raw)
            elif f.name.endswith(("_on", "_due")):
                values[f.name] = dt.date.fromisoformat(raw)
            else:
                values[f.name] = raw
        return CaseState(**values)


