"""The case dossier: what a case lacks, and the printed volume read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlmodel import select

from fieldapp.demo.load import generate_demo
from fieldapp.domain.document_kinds import DocumentKind as K
from fieldapp.domain.entities import (
    EvidenceData,
    EvidenceType,
    FindingData,
    InspectionData,
    OfficerRole,
    StepKind,
    SubjectData,
    SubjectKind,
)
from fieldapp.domain.permissions import Action as Permission
from fieldapp.domain.workflow import Action
from fieldapp.services.cases import act
from fieldapp.services.context import open_context
from fieldapp.services.inspections import record_inspection
from fieldapp.services.paperwork import (
    DossierCancelled,
    dossier_completeness,
    issue_document,
    print_dossier,
    record_service,
    void_document,
)
from fieldapp.services.staff import add_officer
from fieldapp.services.subjects import create_subject
from fieldapp.store.tables import AgencyProfile, CaseFile

LOCAL = dt.timezone(dt.timedelta(hours=8))
AT = dt.datetime(2026, 11, 2, 9, 30, tzinfo=LOCAL)
NOW = dt.datetime(2026, 11, 21, 10, 0, tzinfo=LOCAL)
FINE = {"kinds": ["fine"], "fine_fen": 50000}
AGENCY = {"address": "示例市东城区东华门大街16号", "postcode": "100006",
          "phone": "010-65120000", "review_body": "示例市东城区人民政府",
          "court": "示例市东城区人民法院", "bank": "中国工商银行示例市东城支行"}


def _photo(path: Path, colour: tuple[int, int, int]) -> Path:
    Image.new("RGB", (320, 240), colour).save(path, "JPEG")
    return path


@pytest.fixture
def case(org, tmp_path):
    """An ordinary case with photos, opened by a finding on the street."""
    ctx = org.ctx
    ctx.clock = lambda: NOW
    with ctx.write(action=Permission.SET_UP) as tx:
        tx.update(tx.session.exec(select(AgencyProfile)).one(), AGENCY)
    head = add_officer(ctx=ctx, squad_id=org.squad_id, name="刘局长", certificate_no="H001",
                       valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2030, 1, 1),
                       role=OfficerRole.AGENCY_HEAD).id
    subject = create_subject(ctx=ctx, officer_id=org.officers[1], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL_BUSINESS, name="刘德华", shop_sign="鲜果坊水果店",
        id_number="110101198001010010", gender="male",
        phone="13800138000", address="东华门大街28号")).id
    photos = tuple(EvidenceData(path=str(_photo(tmp_path / f"p{n}.jpg", c)),
                                evidence_type=EvidenceType.AUDIOVISUAL,
                                captured_at=AT + dt.timedelta(minutes=n),
                                place="东华门大街28号门前", description="店外摆放的水果摊位")
                   for n, c in enumerate([(200, 30, 30), (30, 200, 30), (30, 30, 200)]))
    record_inspection(ctx=ctx, data=InspectionData(
        subject_id=subject, officer_ids=tuple(org.officers[1:3]), at=AT,
        address="东华门大街28号门前", evidence=photos, findings=(FindingData(
            violation_code="JM02", facts="在东华门大街28号店外占道摆放水果摊位约6平方米",
            corrected_on_spot=False, step=StepKind.ENFORCE, override_reason="经劝导拒不改正"),)))
    with ctx.read() as session:
        case_id = session.exec(select(CaseFile.id)).one()
    return org, case_id, {"leader": org.officers[0], "officer": org.officers[1], "head": head}


def _issue(org, kind, case_id, **kw):
    return issue_document(ctx=org.ctx, officer_id=org.officers[1], kind=kind, case_id=case_id,
                          **kw)


def _through_decision(org, case_id, who):
    """立案 → 调查 → 告知 (served) → 决定, each with its document."""
    ctx = org.ctx
    docs = {"filing": _issue(org, K.FILING_APPROVAL, case_id)}
    act(ctx=ctx, case_id=case_id, officer_id=who["leader"], action=Action.APPROVE_FILING)
    act(ctx=ctx, case_id=case_id, officer_id=who["head"], action=Action.APPROVE_FILING)
    docs["inspection"] = _issue(org, K.INSPECTION_RECORD, case_id)
    act(ctx=ctx, case_id=case_id, officer_id=who["officer"],
        action=Action.FINISH_INVESTIGATION, payload={"penalty": FINE})
    act(ctx=ctx, case_id=case_id, officer_id=who["officer"], action=Action.NOTIFY)
    docs["notice"] = _issue(org, K.PRIOR_NOTICE, case_id)
    record_service(ctx=ctx, document_id=docs["notice"].id, method="direct", served_at=NOW,
                   officer_ids=(org.officers[1], org.officers[2]), receiver="刘德华")
    docs["notice_receipt"] = _issue(org, K.SERVICE_RECEIPT, case_id,
                                    served_document_id=docs["notice"].id)
    act(ctx=ctx, case_id=case_id, officer_id=who["head"], action=Action.DECIDE,
        payload={"decision": "penalty", "penalty": FINE, "party_waived_statement": True})
    docs["decision"] = _issue(org, K.PENALTY_DECISION, case_id)
    return docs


def test_a_new_case_lacks_its_filing_form(case) -> None:
    org, case_id, _who = case
    assert dossier_completeness(ctx=org.ctx, case_id=case_id) == ["缺少立案审批表"]


def test_completeness_follows_the_case_and_its_documents(case) -> None:
    org, case_id, who = case
    docs = _through_decision(org, case_id, who)
    assert dossier_completeness(ctx=org.ctx, case_id=case_id) == [
        f"行政处罚决定书（{docs['decision'].number}）缺少送达回证"]
    void_document(ctx=org.ctx, officer_id=org.officers[1], document_id=docs["notice"].id,
                  reason="告知内容有误")
    missing = dossier_completeness(ctx=org.ctx, case_id=case_id)
    assert "缺少行政处罚事先告知书" in missing


def test_the_decision_without_its_notice_is_reported(case) -> None:
    org, case_id, who = case
    _through_decision(org, case_id, who)
    with org.ctx.read() as session:
        decided = session.get(CaseFile, case_id)
    assert decided.status == "decided"
    db = org.ctx.store.data_dir / "fieldapp.sqlite3"
    with sqlite3.connect(db) as conn:
        kinds = [r[0] for r in conn.execute("SELECT kind FROM document ORDER BY issued_at")]
    assert kinds == ["filing_approval", "inspection_record", "prior_notice",
                     "service_receipt", "penalty_decision"]


def _page_texts(pdf: bytes) -> list[str]:
    return ["".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def _first_page_with(texts: list[str], needle: str, start: int = 0) -> int:
    needle = "".join(needle.split())
    return next(i for i, t in enumerate(texts) if i >= start and needle in t)


def test_the_printed_dossier_files_everything_in_order(case, tmp_path) -> None:
    org, case_id, who = case
    docs = _through_decision(org, case_id, who)
    seen = []
    result = print_dossier(ctx=org.ctx, case_id=case_id, path=tmp_path / "卷.pdf",
                           progress=lambda *a: seen.append(a), officer_id=org.officers[0])
    assert result.documents == 6 and result.photos == 3
    assert result.missing == (f"行政处罚决定书（{docs['decision'].number}）缺少送达回证",)
    assert seen[-1] == ("documents", 6, 6)
    pdf = result.path.read_bytes()
    texts = _page_texts(pdf)
    assert "城市管理行政执法案卷" in texts[0] and "刘德华店外经营案" in texts[0]
    assert docs["decision"].number in texts[0]  # 处罚决定书文号 on the cover
    assert "卷内文件目录" in texts[1]
    for doc in docs.values():
        assert doc.number in texts[1], doc.number
    body = 2
    pages = [_first_page_with(texts, docs["filing"].number, body),
             _first_page_with(texts, docs["inspection"].number, body),
             _first_page_with(texts, "SHA-256", body),
             _first_page_with(texts, docs["notice"].number, body),
             _first_page_with(texts, "送达回证", body),
             _first_page_with(texts, "行政处罚决定书", _first_page_with(texts, "送达回证", body))]
    assert pages == sorted(pages) and len(set(pages)) == len(pages)
    photo_page = texts[pages[2]]
    assert "拍摄人：王建国" not in photo_page  # the photographer is the lead officer
    assert "拍摄人：李秀英" in photo_page and "东华门大街28号门前" in photo_page
    note = texts[-1]
    assert "卷内备考表" in note and "缺少送达回证" in note
    # The dossier holds the archive copy only: the decision's three copies are not all in.
    assert sum("第一联交当事人" in t for t in texts) == 0
    outline = [o.title for o in PdfReader(io.BytesIO(pdf)).outline if hasattr(o, "title")]
    assert outline[0] == "卷宗封面" and outline[-1] == "卷内备考表"
    assert any(docs["decision"].number in t for t in outline)
    db = org.ctx.store.data_dir / "fieldapp.sqlite3"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM audit_event WHERE action = 'dossier.print'"
                            ).fetchone()[0] == 1


def test_printing_can_be_cancelled_and_writes_nothing(case, tmp_path) -> None:
    org, case_id, who = case
    _through_decision(org, case_id, who)
    with pytest.raises(DossierCancelled):
        print_dossier(ctx=org.ctx, case_id=case_id, path=tmp_path / "x.pdf",
                      cancel=lambda: True, officer_id=org.officers[0])
    assert not (tmp_path / "x.pdf").exists()


def test_demo_cases_print_with_their_missing_list(tmp_path) -> None:
    ctx = open_context(tmp_path / "demo", clock=lambda: NOW)
    try:
        generate_demo(ctx=ctx, subjects=40, inspections=300)
        with ctx.read() as session:
            cases = session.exec(select(CaseFile).where(CaseFile.status == "closed")).all()
            numbers = set(session.exec(select(CaseFile.case_no)))
        closed = cases[0]
        missing = dossier_completeness(ctx=ctx, case_id=closed.id)
        for needed in ("缺少立案审批表", "缺少现场检查（勘验）笔录", "缺少行政处罚事先告知书",
                       "缺少行政处罚决定书", "缺少结案审批表"):
            assert needed in missing
        with ctx.read() as session:
            officer = session.get(CaseFile, closed.id).lead_officer_id
        filing = issue_document(ctx=ctx, officer_id=officer, kind=K.FILING_APPROVAL,
                                case_id=closed.id)
        # Demo case numbers were written without blocks: issuing never repeats one.
        assert filing.number not in numbers
        closing = issue_document(ctx=ctx, officer_id=officer, kind=K.CLOSING_APPROVAL,
                                 case_id=closed.id)
        result = print_dossier(ctx=ctx, case_id=closed.id, path=tmp_path / "demo.pdf",
                               officer_id=officer)
        assert "缺少立案审批表" not in result.missing and "缺少结案审批表" not in result.missing
        texts = _page_texts(result.path.read_bytes())
        assert filing.number in texts[1] and closing.number in texts[1]
        assert "缺少行政处罚决定书" in texts[-1]
    finally:
        ctx.close()


@pytest.fixture
def laddered(org):
    """A vendor educated in May, warned in August (both with their notices, the warning
    served), then met a third time in November: the case is opened by the ladder. An
    older, separate episode's notice and a notice for another violation stay out."""
    ctx = org.ctx
    ctx.clock = lambda: NOW
    with ctx.write(action=Permission.SET_UP) as tx:
        tx.update(tx.session.exec(select(AgencyProfile)).one(), AGENCY)
    subject = create_subject(ctx=ctx, officer_id=org.officers[1], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL_BUSINESS, name="陈小明", shop_sign="小明早餐店",
        id_number="110101198506150027", gender="female",
        phone="13900139000", address="东华门大街30号")).id
    pair = tuple(org.officers[1:3])

    def meet(at: dt.datetime, code: str, facts: str, corrected: bool = False) -> str:
        return record_inspection(ctx=ctx, data=InspectionData(
            subject_id=subject, officer_ids=pair, at=at, address="东华门大街30号门前",
            findings=(FindingData(violation_code=code, facts=facts,
                                  corrected_on_spot=corrected),))).finding_ids[0]

    def issue(kind, finding_id, **kw):
        return issue_document(ctx=ctx, officer_id=org.officers[1], kind=kind,
                              finding_id=finding_id, **kw)

    old = meet(dt.datetime(2025, 3, 3, 10, 0, tzinfo=LOCAL), "JM02", "店外摆放早餐摊位")
    other = meet(dt.datetime(2026, 5, 6, 9, 0, tzinfo=LOCAL), "SR09", "乱贴小广告")
    first = meet(dt.datetime(2026, 5, 6, 9, 10, tzinfo=LOCAL), "JM02", "店外摆放早餐摊位约3平方米")
    second = meet(dt.datetime(2026, 8, 12, 8, 40, tzinfo=LOCAL), "JM02", "再次店外摆放早餐摊位")
    notices = {"old": issue(K.EDUCATION_NOTICE, old), "other": issue(K.EDUCATION_NOTICE, other),
               "education": issue(K.EDUCATION_NOTICE, first),
               "warning": issue(K.WARNING_NOTICE, second),
               # The warning step hands over both papers (告诫书 and 责令限期改正通知书).
               "correction": issue(K.CORRECTION_ORDER, second)}
    record_service(ctx=ctx, document_id=notices["warning"].id, method="direct",
                   served_at=dt.datetime(2026, 8, 12, 8, 50, tzinfo=LOCAL), officer_ids=pair,
                   receiver="陈小明")
    notices["receipt"] = issue(K.SERVICE_RECEIPT, second,
                               served_document_id=notices["warning"].id)
    record_service(ctx=ctx, document_id=notices["correction"].id, method="direct",
                   served_at=dt.datetime(2026, 8, 12, 8, 50, tzinfo=LOCAL), officer_ids=pair,
                   receiver="陈小明")
    notices["correction_receipt"] = issue(K.SERVICE_RECEIPT, second,
                                          served_document_id=notices["correction"].id)
    meet(AT, "JM02", "第三次店外摆放早餐摊位约5平方米")
    with ctx.read() as session:
        case_id = session.exec(select(CaseFile.id).where(CaseFile.subject_id == subject)).one()
    return org, case_id, notices


def test_the_dossier_holds_the_notices_of_the_steps_that_led_to_the_case(laddered,
                                                                         tmp_path) -> None:
    org, case_id, notices = laddered
    assert dossier_completeness(ctx=org.ctx, case_id=case_id) == ["缺少立案审批表"]
    filing = issue_document(ctx=org.ctx, officer_id=org.officers[1], kind=K.FILING_APPROVAL,
                            case_id=case_id)
    result = print_dossier(ctx=org.ctx, case_id=case_id, path=tmp_path / "卷.pdf",
                           officer_id=org.officers[0])
    assert result.missing == () and result.documents == 6
    texts = _page_texts(result.path.read_bytes())
    index = texts[1]
    for key in ("education", "warning", "correction", "receipt", "correction_receipt"):
        assert notices[key].number in index, key
    # The education notice of March 2025 is older than the 12-month window, and the
    # notice for the handbill is another violation: neither belongs to this case.
    assert notices["old"].number not in index and notices["other"].number not in index
    pages = [_first_page_with(texts, filing.number, 2),
             _first_page_with(texts, notices["education"].number, 2),
             _first_page_with(texts, notices["warning"].number, 2),
             _first_page_with(texts, "送达回证", 2)]
    assert pages == sorted(pages) and len(set(pages)) == 4


def test_a_case_after_a_warning_without_its_notice_lacks_it(laddered) -> None:
    org, case_id, notices = laddered
    void_document(ctx=org.ctx, officer_id=org.officers[1], document_id=notices["warning"].id,
                  reason="告诫内容有误")
    missing = dossier_completeness(ctx=org.ctx, case_id=case_id)
    assert "缺少立案前送达的告诫书" in missing
    void_document(ctx=org.ctx, officer_id=org.officers[1],
                  document_id=notices["correction"].id, reason="改正期限有误")
    assert "缺少立案前送达的责令限期改正通知书" in dossier_completeness(ctx=org.ctx,
                                                                case_id=case_id)
