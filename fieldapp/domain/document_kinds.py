"""The kinds of enforcement documents (执法文书) and which the ladder calls for.

Titles are the official Chinese titles printed on the documents (DOMAIN.md §2.3); they
are data of the document set, not user-interface text, so they are not translated.
"""

from __future__ import annotations

from enum import StrEnum

from fieldapp.domain.entities import StepKind


class DocumentKind(StrEnum):
    EDUCATION_NOTICE = "education_notice"  # 教育劝导书
    WARNING_NOTICE = "warning_notice"  # 告诫书
    CORRECTION_ORDER = "correction_order"  # 责令(限期)改正通知书
    NO_PENALTY_COMMITMENT = "no_penalty_commitment"  # 轻微违法行为免于处罚告知承诺书
    INSPECTION_RECORD = "inspection_record"  # 现场检查(勘验)笔录
    INQUIRY_RECORD = "inquiry_record"  # 询问(调查)笔录
    FILING_APPROVAL = "filing_approval"  # 立案审批表
    EVIDENCE_PRESERVATION = "evidence_preservation"  # 证据先行登记保存通知书
    PRIOR_NOTICE = "prior_notice"  # 行政处罚事先告知书
    STATEMENT_RECORD = "statement_record"  # 陈述申辩笔录
    PENALTY_DECISION = "penalty_decision"  # 行政处罚决定书
    ON_SPOT_DECISION = "on_spot_decision"  # 当场行政处罚决定书
    NO_PENALTY_DECISION = "no_penalty_decision"  # 不予行政处罚决定书
    SERVICE_RECEIPT = "service_receipt"  # 送达回证
    SERVICE_ADDRESS = "service_address"  # 送达地址确认书
    CLOSING_APPROVAL = "closing_approval"  # 结案审批表
    PHOTO_EVIDENCE = "photo_evidence"  # 现场照片证据


TITLES: dict[DocumentKind, str] = {
    DocumentKind.EDUCATION_NOTICE: "教育劝导书",
    DocumentKind.WARNING_NOTICE: "告诫书",
    DocumentKind.CORRECTION_ORDER: "责令限期改正通知书",
    DocumentKind.NO_PENALTY_COMMITMENT: "轻微违法行为免于处罚告知承诺书",
    DocumentKind.INSPECTION_RECORD: "现场检查（勘验）笔录",
    DocumentKind.INQUIRY_RECORD: "询问（调查）笔录",
    DocumentKind.FILING_APPROVAL: "立案审批表",
    DocumentKind.EVIDENCE_PRESERVATION: "证据先行登记保存通知书",
    DocumentKind.PRIOR_NOTICE: "行政处罚事先告知书",
    DocumentKind.STATEMENT_RECORD: "陈述申辩笔录",
    DocumentKind.PENALTY_DECISION: "行政处罚决定书",
    DocumentKind.ON_SPOT_DECISION: "当场行政处罚决定书",
    DocumentKind.NO_PENALTY_DECISION: "不予行政处罚决定书",
    DocumentKind.SERVICE_RECEIPT: "送达回证",
    DocumentKind.SERVICE_ADDRESS: "送达地址确认书",
    DocumentKind.CLOSING_APPROVAL: "结案审批表",
    DocumentKind.PHOTO_EVIDENCE: "现场照片证据",
}


def documents_for_step(step: StepKind, *, no_penalty_commitment: bool = False,
                       summary_possible: bool = False) -> tuple[DocumentKind, ...]:
    """The documents to issue on the spot for the step taken."""
    if step is StepKind.EDUCATE:
        extra = (DocumentKind.NO_PENALTY_COMMITMENT,) if no_penalty_commitment else ()
        return (DocumentKind.EDUCATION_NOTICE, *extra)
    if step is StepKind.WARN:
        return (DocumentKind.WARNING_NOTICE, DocumentKind.CORRECTION_ORDER)
    on_spot = (DocumentKind.ON_SPOT_DECISION,) if summary_possible else ()
    return (*on_spot, DocumentKind.INSPECTION_RECORD, DocumentKind.FILING_APPROVAL)
