"""What a dossier lacks at each stage of a case, and the order documents are filed in."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from fieldapp.domain.dossier_rules import (
    PHOTOS,
    FiledDocument,
    dossier_order,
    missing_materials,
)
from fieldapp.domain.entities import CaseStatus
from fieldapp.domain.penalties import Penalty, PenaltyKind
from fieldapp.domain.workflow import CaseState, Decision, NoPenaltyReason, Procedure, new_case

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
SERVED = ("warning_notice", "correction_order", "prior_notice", "penalty_decision",
          "no_penalty_decision")
FINE = Penalty(frozenset({PenaltyKind.FINE}), 50000)


def doc(kind: str, n: int, serves: str = "") -> FiledDocument:
    return FiledDocument(f"{kind}-{n}", kind, f"{kind}〔2026〕第{n}号",
                         T0 + dt.timedelta(days=n), serves)


def state(status: CaseStatus, **kw: object) -> CaseState:
    return replace(new_case(procedure=Procedure.ORDINARY, organisation=False), status=status,
                   **kw)  # type: ignore[arg-type]


def test_a_filed_case_needs_its_approval_form_only() -> None:
    assert missing_materials(state(CaseStatus.FILING), [], 0, SERVED) == ["缺少立案审批表"]
    assert missing_materials(state(CaseStatus.FILING), [doc("filing_approval", 1)], 0,
                             SERVED) == []


def test_an_investigated_case_needs_its_record_and_photos() -> None:
    missing = missing_materials(state(CaseStatus.REVIEWING), [doc("filing_approval", 1)], 0,
                                SERVED)
    assert missing == ["缺少现场检查（勘验）笔录", "缺少现场照片证据"]
    assert missing_materials(state(CaseStatus.REVIEWING),
                             [doc("filing_approval", 1), doc("inspection_record", 2)], 3,
                             SERVED) == []


def test_a_penalty_needs_notice_decision_and_their_receipts() -> None:
    decided = state(CaseStatus.DECIDED, notified=FINE, decision=Decision.PENALTY,
                    decided=FINE, statement_recorded=True)
    docs = [doc("filing_approval", 1), doc("inspection_record", 2),
            doc("penalty_decision", 5)]
    assert missing_materials(decided, docs, 2, SERVED) == [
        "缺少行政处罚事先告知书", "缺少陈述申辩笔录",
        "行政处罚决定书（penalty_decision〔2026〕第5号）缺少送达回证"]
    docs += [doc("prior_notice", 3), doc("service_receipt", 4, serves="prior_notice-3"),
             doc("statement_record", 4), doc("service_receipt", 6, serves="penalty_decision-5")]
    assert missing_materials(decided, docs, 2, SERVED) == []


def test_no_penalty_and_summary_decisions_and_closing() -> None:
    no_penalty = state(CaseStatus.CLOSED, decision=Decision.NO_PENALTY,
                       no_penalty_reason=NoPenaltyReason.MINOR)
    docs = [doc("filing_approval", 1), doc("inspection_record", 2)]
    assert missing_materials(no_penalty, docs, 1, SERVED) == [
        "缺少不予行政处罚决定书", "缺少结案审批表"]
    summary = replace(new_case(procedure=Procedure.SUMMARY, organisation=False),
                      status=CaseStatus.SERVED, decision=Decision.PENALTY, decided=FINE)
    assert missing_materials(summary, [], 1, SERVED) == ["缺少当场行政处罚决定书"]


def test_order_follows_the_groups_with_receipts_after_what_they_serve() -> None:
    docs = [doc("penalty_decision", 6), doc("service_receipt", 7, serves="penalty_decision-6"),
            doc("prior_notice", 4), doc("service_receipt", 5, serves="prior_notice-4"),
            doc("inspection_record", 2), doc("filing_approval", 1), doc("closing_approval", 9),
            doc("mystery", 3)]
    groups = [["filing_approval"], ["inspection_record", PHOTOS],
              ["prior_notice", "penalty_decision"], ["service_receipt", "closing_approval"]]
    order = dossier_order(docs, groups, receipts_follow_served=True, has_photos=True)
    assert [e if isinstance(e, str) else e.id for e in order] == [
        "filing_approval-1", "inspection_record-2", PHOTOS, "prior_notice-4",
        "service_receipt-5", "penalty_decision-6", "service_receipt-7", "closing_approval-9",
        "mystery-3"]
    grouped = dossier_order(docs, groups, receipts_follow_served=False)
    assert [e.id for e in grouped if isinstance(e, FiledDocument)][4:6] == [
        "service_receipt-5", "service_receipt-7"]



def test_the_note_lists_legal_review_hearing_record_and_a_second_decision() -> None:
    import dataclasses
    import datetime as dt

    from fieldapp.domain.dossier_rules import FiledDocument, missing_materials
    from fieldapp.domain.entities import CaseStatus
    from fieldapp.domain.workflow import CaseState, Decision, Procedure

    state = dataclasses.replace(
        CaseState(procedure=Procedure.ORDINARY, organisation=True),
        status=CaseStatus.DECIDED, legal_review_required=True, hearing_requested=True,
        hearing_held=True, decision=Decision.PENALTY)
    at = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    docs = [FiledDocument("a", "penalty_decision", "罚决字〔2026〕第1号", at),
            FiledDocument("b", "no_penalty_decision", "不罚字〔2026〕第1号", at)]
    missing = missing_materials(state, docs, 1, ())
    assert "缺少法制审核意见" in missing
    assert "缺少听证笔录" in missing
    assert any(m.startswith("本案有2份决定书") and "罚决字〔2026〕第1号" in m for m in missing)
    reviewed = dataclasses.replace(state, legal_review_opinion="同意", hearing_summary="已听证")
    assert "缺少法制审核意见" not in missing_materials(reviewed, docs[:1], 1, ())
    assert "缺少听证笔录" not in missing_materials(reviewed, docs[:1], 1, ())
