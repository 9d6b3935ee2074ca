"""Plain types of the domain: kinds, statuses and the values services pass around."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class SubjectKind(StrEnum):
    """当事人类别."""

    INDIVIDUAL = "individual"  # 自然人
    BUSINESS = "business"  # 单位
    INDIVIDUAL_BUSINESS = "individual_business"  # 个体工商户
    UNIDENTIFIED_VENDOR = "unidentified_vendor"  # 身份不明的流动摊贩


class OfficerRole(StrEnum):
    OFFICER = "officer"  # 执法队员
    SQUAD_LEADER = "squad_leader"  # 中队长
    LEGAL_REVIEWER = "legal_reviewer"  # 法制审核员
    AGENCY_HEAD = "agency_head"  # 负责人
    AUXILIARY = "auxiliary"  # 协管员: may not count as one of the two officers


class StepKind(StrEnum):
    """The three-step ladder: 教育劝导 → 告诫 → 立案."""

    EDUCATE = "educate"
    WARN = "warn"
    ENFORCE = "enforce"


class EvidenceType(StrEnum):
    """The eight statutory evidence types of 行政处罚法 art. 46."""

    DOCUMENTARY = "documentary"  # 书证
    PHYSICAL = "physical"  # 物证
    AUDIOVISUAL = "audiovisual"  # 视听资料
    ELECTRONIC = "electronic"  # 电子数据
    WITNESS = "witness"  # 证人证言
    PARTY_STATEMENT = "party_statement"  # 当事人的陈述
    EXPERT_OPINION = "expert_opinion"  # 鉴定意见
    INSPECTION_RECORD = "inspection_record"  # 勘验笔录、现场笔录


class CaseStatus(StrEnum):
    """案件状态 (see domain/workflow.py for the transitions)."""

    FILING = "filing"  # 立案审批中
    INVESTIGATING = "investigating"  # 调查取证
    REVIEWING = "reviewing"  # 审查
    NOTIFYING = "notifying"  # 告知
    DECIDED = "decided"  # 决定
    SERVED = "served"  # 送达
    EXECUTING = "executing"  # 执行
    CLOSED = "closed"  # 结案
    ARCHIVED = "archived"  # 归档
    WITHDRAWN = "withdrawn"  # 撤案
    TRANSFERRED = "transferred"  # 移送


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class OfficerRef:
    """What the two-officer rule needs to know of an officer."""

    id: str
    name: str
    certificate_no: str
    certificate_valid_from: dt.date
    certificate_valid_to: dt.date
    role: OfficerRole
    active: bool = True


@dataclass
class SubjectData:
    """The editable profile of a subject (当事人)."""

    kind: SubjectKind
    name: str = ""
    id_number: str = ""
    credit_code: str = ""
    legal_representative: str = ""
    shop_sign: str = ""
    phone: str = ""
    address: str = ""
    gender: str = ""
    birth_date: dt.date | None = None
    appearance: str = ""
    goods: str = ""
    usual_place: str = ""
    photo_sha256: str = ""
    grid_id: str | None = None
    notes: str = ""


@dataclass(frozen=True)
class FindingData:
    """One violation found during an inspection."""

    violation_code: str
    facts: str
    corrected_on_spot: bool
    step: StepKind | None = None  # None: take the step the ladder advises
    correction_deadline: dt.datetime | None = None
    override_reason: str = ""


@dataclass(frozen=True)
class InspectionData:
    """An inspection (巡查检查): who, where, when, about whom, what was found."""

    subject_id: str
    officer_ids: tuple[str, ...]
    at: dt.datetime
    address: str
    findings: tuple[FindingData, ...] = ()
    grid_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    notes: str = ""
    evidence: tuple[EvidenceData, ...] = field(default=())


@dataclass(frozen=True)
class EvidenceData:
    """A file offered as evidence (stored by its SHA-256)."""

    path: str
    evidence_type: EvidenceType
    captured_at: dt.datetime
    place: str = ""
    description: str = ""
    latitude: float | None = None
    longitude: float | None = None
