"""Issuing documents: numbers from blocks, snapshot, signature, PDF, void, amend, service.

Real SQLite files, real PDFs read back with pypdf.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import select

from fieldapp.domain.document_kinds import DocumentKind as K
from fieldapp.domain.entities import (
    FindingData,
    InspectionData,
    OfficerRole,
    StepKind,
    SubjectData,
    SubjectKind,
)
from fieldapp.domain.errors import DomainError, ValidationError
from fieldapp.domain.numbering import NumbersExhausted
from fieldapp.domain.permissions import Action, PermissionDenied
from fieldapp.services.context import open_context
from fieldapp.services.inspections import record_inspection
from fieldapp.services.paperwork import (
    amend_document,
    get_document,
    issue_document,
    list_blocks,
    list_documents,
    list_voided,
    record_service,
    reprint_document,
    reserve_block,
    set_number_pattern,
    snapshot_of,
    void_document,
    void_unused_number,
)
from fieldapp.services.rules import load_catalogue, load_city_rules, load_default_list
from fieldapp.services.staff import add_officer, add_squad, set_agency
from fieldapp.services.subjects import create_subject
from fieldapp.store.tables import AgencyProfile, CaseFile

LOCAL = dt.timezone(dt.timedelta(hours=8))
AT = dt.datetime(2026, 11, 20, 9, 30, tzinfo=LOCAL)
NOW = dt.datetime(2026, 11, 21, 10, 0, tzinfo=LOCAL)
AGENCY = {"address": "示例市东城区东华门大街16号", "postcode": "100006",
          "phone": "010-65120000", "review_body": "示例市东城区人民政府",
          "court": "示例市东城区人民法院", "bank": "中国工商银行示例市东城支行"}


def text_of(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def flat(text: str) -> str:
    return "".join(text.split())


def complete_agency(ctx) -> None:
    with ctx.write(action=Action.SET_UP) as tx:
        agency = tx.session.exec(select(AgencyProfile)).one()
        tx.update(agency, AGENCY)


FACTS = "在东华门大街28号店外占道摆放水果摊位"


def finding(ctx, officers, subject_id, *, step=None, at=AT, facts=FACTS, code="JM02",
            corrected=False, reason="") -> str:
    data = InspectionData(subject_id=subject_id, officer_ids=tuple(officers), at=at,
                          address="东华门大街28号门前", findings=(FindingData(
                              violation_code=code, facts=facts, corrected_on_spot=corrected,
                              step=step, override_reason=reason),))
    return record_inspection(ctx=ctx, data=data).finding_ids[0]


@pytest.fixture
def scene(org):
    org.ctx.clock = lambda: NOW
    complete_agency(org.ctx)
    subject = create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL_BUSINESS, name="刘德华", shop_sign="鲜果坊水果店",
        phone="13800138000", address="东华门大街28号")).id
    officers = org.officers[1:3]
    first = finding(org.ctx, officers, subject, at=AT - dt.timedelta(days=30))
    second = finding(org.ctx, officers, subject)  # the ladder says: warn
    return org, subject, first, second


def issue(org, kind, **kw):
    return issue_document(ctx=org.ctx, officer_id=org.officers[1], kind=kind, **kw)


def test_issuing_writes_number_snapshot_signature_pdf_audit_and_outbox(scene) -> None:
    org, _subject, first, second = scene
    edu = issue(org, K.EDUCATION_NOTICE, finding_id=first)
    warn = issue(org, K.WARNING_NOTICE, finding_id=second)
    assert edu.number == "东城管劝字〔2026〕第1号"
    assert warn.number == "东城管告字〔2026〕第1号"
    row = get_document(ctx=org.ctx, document_id=warn.id)
    snap = snapshot_of(row)
    assert snap["document.number"] == warn.number and snap["document.id"] == warn.id
    # Dated with the day of the warning it records (the finding's day), not the printing day.
    assert snap["document.date_cn"] == "二〇二六年十一月二十日"
    assert snap["ladder.step"] == "告诫"
    assert snap["ladder.history"] == "2026年10月21日 教育劝导（李秀英、张伟）"
    assert snap["correction.deadline"].startswith("2026年11月")
    assert snap["officers.1.certificate_no"] == "11010023002"
    assert row.content_sha256 == hashlib.sha256(
        json.dumps(snap, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        .encode()).hexdigest()
    pdf = warn.pdf_path.read_bytes()
    assert warn.pdf_path == org.ctx.store.data_dir / "documents" / f"{warn.id}.pdf"
    assert hashlib.sha256(pdf).hexdigest() == row.pdf_sha256
    assert row.qr_payload.startswith("FA1.") and row.signature
    text = flat(text_of(pdf))
    for value in ("告诫书", warn.number, "刘德华", "在东华门大街28号店外占道摆放水果摊位",
                  snap["correction.deadline"], "二〇二六年十一月二十日", "11010023002"):
        assert flat(value) in text, value
    db = org.ctx.store.data_dir / "fieldapp.sqlite3"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM outbox WHERE entity = 'document' AND "
                            "entity_id = ?", (warn.id,)).fetchone()[0] == 1
        assert conn.execute("SELECT action FROM audit_event WHERE entity_id = ?",
                            (warn.id,)).fetchone()[0] == "document.issue"
        assert conn.execute("SELECT public_key FROM device WHERE is_local = 1").fetchone()[0]
    key = org.ctx.store.data_dir / "keys" / "device_ed25519.pem"
    assert key.stat().st_mode & 0o777 == 0o600


def test_a_missing_required_field_is_refused_by_name_and_uses_no_number(scene) -> None:
    org, _subject, _first, second = scene
    with org.ctx.write(action=Action.SET_UP) as tx:
        agency = tx.session.exec(select(AgencyProfile)).one()
        tx.update(agency, {"phone": ""})
    with pytest.raises(ValidationError) as err:
        issue(org, K.CORRECTION_ORDER, finding_id=second)
    assert err.value.field == "document field"
    assert err.value.params["key"] == "agency.phone"
    assert err.value.params["label"] == "执法机关联系电话"
    assert list_documents(ctx=org.ctx) == []
    assert not list((org.ctx.store.data_dir / "documents").glob("*.pdf"))
    # The value can be given by the officer; the number used is still the first.
    doc = issue(org, K.CORRECTION_ORDER, finding_id=second,
                fields={"agency.phone": "010-65129999"})
    assert doc.number.endswith("第1号")
    assert "010-65129999" in text_of(doc.pdf_path.read_bytes())


def test_fields_override_the_store_but_not_the_documents_own_keys(scene) -> None:
    org, _subject, first, _second = scene
    doc = issue(org, K.EDUCATION_NOTICE, finding_id=first,
                fields={"education.content": "向当事人讲解了《城市道路管理条例》第二十七条。"})
    snap = snapshot_of(get_document(ctx=org.ctx, document_id=doc.id))
    assert snap["education.content"] == "向当事人讲解了《城市道路管理条例》第二十七条。"
    with pytest.raises(ValidationError, match=r"document\.number"):
        issue(org, K.EDUCATION_NOTICE, finding_id=first, fields={"document.number": "1"})


def test_reprint_gives_the_same_pdf_and_a_redraw_the_same_text(scene) -> None:
    org, _subject, _first, second = scene
    doc = issue(org, K.WARNING_NOTICE, finding_id=second)
    original = doc.pdf_path.read_bytes()
    assert reprint_document(ctx=org.ctx, document_id=doc.id) == original
    redrawn = reprint_document(ctx=org.ctx, document_id=doc.id, rerender=True)
    assert text_of(redrawn) == text_of(original)
    doc.pdf_path.unlink()  # lost: drawn again from the snapshot
    assert text_of(reprint_document(ctx=org.ctx, document_id=doc.id)) == text_of(original)


def test_void_keeps_the_document_lists_the_number_and_never_reuses_it(scene) -> None:
    org, _subject, first, _second = scene
    doc = issue(org, K.EDUCATION_NOTICE, finding_id=first)
    with pytest.raises(ValidationError):
        void_document(ctx=org.ctx, officer_id=org.officers[1], document_id=doc.id, reason=" ")
    void = void_document(ctx=org.ctx, officer_id=org.officers[1], document_id=doc.id,
                         reason="当事人姓名填写错误")
    voided = list_voided(ctx=org.ctx, year=2026)
    assert [(v.number, v.reason, v.document_id) for v in voided] == [
        (doc.number, "当事人姓名填写错误", doc.id)]
    assert list_voided(ctx=org.ctx, year=2025) == []
    views = {v.id: v for v in list_documents(ctx=org.ctx)}
    assert views[doc.id].voided_by == void.id and views[void.id].voids == doc.id
    assert get_document(ctx=org.ctx, document_id=doc.id).content_sha256  # unchanged row
    with pytest.raises(DomainError, match="voided"):
        void_document(ctx=org.ctx, officer_id=org.officers[1], document_id=doc.id,
                      reason="again")
    again = issue(org, K.EDUCATION_NOTICE, finding_id=first)
    assert again.number == "东城管劝字〔2026〕第2号"
    db = org.ctx.store.data_dir / "fieldapp.sqlite3"
    with sqlite3.connect(db) as conn, pytest.raises(sqlite3.IntegrityError, match="append"):
        conn.execute("DELETE FROM voided_number")


def test_an_unused_number_can_be_voided_and_is_skipped(scene) -> None:
    org, _subject, first, _second = scene
    doc = issue(org, K.EDUCATION_NOTICE, finding_id=first)
    # One live notice per finding: a new one only after the first is voided.
    void_document(ctx=org.ctx, officer_id=org.officers[1], document_id=doc.id,
                  reason="当事人姓名填写错误")
    squad = org.squad_id
    void_unused_number(ctx=org.ctx, officer_id=org.officers[1], squad_id=squad,
                       kind="education_notice", year=2026, serial=2, reason="预印文书损毁")
    with pytest.raises(DomainError):
        void_unused_number(ctx=org.ctx, officer_id=org.officers[1], squad_id=squad,
                           kind="education_notice", year=2026, serial=1, reason="x")
    assert issue(org, K.EDUCATION_NOTICE, finding_id=first).number.endswith("第3号")
    assert [v.serial for v in list_voided(ctx=org.ctx, year=2026)] == [1, 2]


def test_amend_issues_a_new_document_pointing_at_the_old(scene) -> None:
    org, _subject, _first, second = scene
    old = issue(org, K.WARNING_NOTICE, finding_id=second)
    new = amend_document(ctx=org.ctx, officer_id=org.officers[1], document_id=old.id,
                         fields={"finding.facts": "在东华门大街28号店外占道摆放水果摊位约6平方米"},
                         reason="补充占道面积")
    row = get_document(ctx=org.ctx, document_id=new.id)
    assert row.amends_document_id == old.id and row.reason == "补充占道面积"
    assert new.number == "东城管告字〔2026〕第2号"
    snap = snapshot_of(row)
    assert snap["amends.number"] == old.number
    assert "约6平方米" in text_of(new.pdf_path.read_bytes())
    with pytest.raises(DomainError, match="already amended"):
        amend_document(ctx=org.ctx, officer_id=org.officers[1], document_id=old.id,
                       fields={}, reason="again")
    views = {v.id: v for v in list_documents(ctx=org.ctx)}
    assert views[old.id].amended_by == new.id


def test_service_is_recorded_and_the_receipt_names_the_served_document(scene) -> None:
    org, _subject, _first, second = scene
    order = issue(org, K.CORRECTION_ORDER, finding_id=second)
    with pytest.raises(ValidationError, match="method"):
        record_service(ctx=org.ctx, document_id=order.id, method="pigeon", served_at=AT,
                       officer_ids=(org.officers[1], org.officers[2]), receiver="刘德华")
    with pytest.raises(ValidationError):
        record_service(ctx=org.ctx, document_id=order.id, method="left_at_address",
                       served_at=AT, officer_ids=(org.officers[1], org.officers[2]))
    record_service(ctx=org.ctx, document_id=order.id, method="left_at_address",
                   served_at=AT, officer_ids=(org.officers[1], org.officers[2]),
                   refused=True, refusal_note="当事人拒绝签收", witness="社区网格员陈芳",
                   place="东华门大街28号")
    receipt = issue(org, K.SERVICE_RECEIPT, finding_id=second, served_document_id=order.id)
    snap = snapshot_of(get_document(ctx=org.ctx, document_id=receipt.id))
    assert snap["served.title"] == "责令限期改正通知书"
    assert snap["served.number"] == order.number
    assert snap["service.method"] == "留置送达"
    text = flat(text_of(receipt.pdf_path.read_bytes()))
    for value in (order.number, "留置送达", "当事人拒绝签收", "社区网格员陈芳"):
        assert flat(value) in text, value
    assert next(v for v in list_documents(ctx=org.ctx) if v.id == order.id).served
    with pytest.raises(ValidationError) as err:  # a receipt must say what it serves
        issue(org, K.SERVICE_RECEIPT, finding_id=second)
    assert err.value.params["key"] == "served.title"


def test_only_certified_officers_issue(scene) -> None:
    org, _subject, first, _second = scene
    with pytest.raises(PermissionDenied) as denied:
        issue_document(ctx=org.ctx, officer_id=org.officers[3], kind=K.EDUCATION_NOTICE,
                       finding_id=first)
    assert denied.value.role is OfficerRole.AUXILIARY
    with pytest.raises(ValidationError):
        issue(org, "no_such_kind", finding_id=first)
    with pytest.raises(ValidationError):
        issue(org, K.EDUCATION_NOTICE)


def test_receipt_layout_for_on_site_notices(scene) -> None:
    org, _subject, first, _second = scene
    doc = issue(org, K.EDUCATION_NOTICE, finding_id=first, layout="receipt")
    page = PdfReader(io.BytesIO(doc.pdf_path.read_bytes())).pages[0]
    assert float(page.mediabox.width) < 300  # 80 mm roll
    assert get_document(ctx=org.ctx, document_id=doc.id).layout == "receipt"


def test_case_documents_fill_the_case_and_the_filing_form_numbers_it(scene, tmp_path) -> None:
    org, subject, _first, _second = scene
    third = finding(org.ctx, org.officers[1:3], subject, step=StepKind.ENFORCE,
                    at=AT + dt.timedelta(hours=2), reason="当事人拒不改正")
    with org.ctx.read() as session:
        case = session.exec(select(CaseFile)).one()
    doc = issue(org, K.FILING_APPROVAL, case_id=case.id)
    snap = snapshot_of(get_document(ctx=org.ctx, document_id=doc.id))
    assert doc.number == "东城管立字〔2026〕第1号"
    assert snap["case.cause"] == "店外经营案"
    assert snap["case.source"] == "巡查发现"
    assert snap["finding.place"] == "东华门大街28号门前"
    assert get_document(ctx=org.ctx, document_id=doc.id).finding_id == third
    with org.ctx.read() as session:
        assert session.get(CaseFile, case.id).case_no == doc.number
    assert [v.id for v in list_documents(ctx=org.ctx, case_id=case.id)] == [doc.id]


def _device(root: Path, name: str):
    """A data directory of its own (another laptop of the same squad)."""
    ctx = open_context(root / name, clock=lambda: NOW)
    load_catalogue(ctx=ctx)
    load_default_list(ctx=ctx)
    load_city_rules(ctx=ctx)
    set_agency(ctx=ctx, full_name="示例市东城区城市管理综合行政执法局", short_code="东城管")
    squad = add_squad(ctx=ctx, name="东华门中队", code="DHM").id
    officers = [add_officer(ctx=ctx, squad_id=squad, name=n, certificate_no=c,
                            valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2030, 12, 31),
                            role=OfficerRole.OFFICER).id
                for n, c in (("李秀英", "11010023002"), ("张伟", "11010023003"))]
    subject = create_subject(ctx=ctx, officer_id=officers[0], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL, name="陈小明")).id
    return ctx, squad, officers, finding(ctx, officers, subject, code="JM01")


def test_two_devices_issuing_offline_never_produce_the_same_number(tmp_path) -> None:
    a_ctx, a_squad, a_officers, a_finding = _device(tmp_path, "a")
    b_ctx, b_squad, b_officers, b_finding = _device(tmp_path, "b")
    try:
        # HQ leases 1–50 to device A and 51–100 to device B (simulated: explicit ranges).
        reserve_block(ctx=a_ctx, squad_id=a_squad, kind="education_notice", year=2026,
                      first=1, last=50, officer_id=a_officers[0])
        reserve_block(ctx=b_ctx, squad_id=b_squad, kind="education_notice", year=2026,
                      first=51, last=100, officer_id=b_officers[0])
        numbers: dict[str, list[str]] = {"a": [], "b": []}

        def issue_and_void(ctx, officer: str, finding_id: str) -> str:
            # One live notice per finding: each is voided so the next uses a new number.
            doc = issue_document(ctx=ctx, officer_id=officer, kind="education_notice",
                                 finding_id=finding_id)
            void_document(ctx=ctx, officer_id=officer, document_id=doc.id, reason="重新出具")
            return doc.number

        for _ in range(50):
            numbers["a"].append(issue_and_void(a_ctx, a_officers[0], a_finding))
        for _ in range(20):
            numbers["b"].append(issue_and_void(b_ctx, b_officers[0], b_finding))
        assert len(set(numbers["a"])) == 50 and len(set(numbers["b"])) == 20
        assert not set(numbers["a"]) & set(numbers["b"])
        assert numbers["a"][-1] == "东城管劝字〔2026〕第50号"
        assert numbers["b"][0] == "东城管劝字〔2026〕第51号"
        # A's lease is used up: it does not invent numbers that may be B's.
        with pytest.raises(NumbersExhausted):
            issue_document(ctx=a_ctx, officer_id=a_officers[0], kind="education_notice",
                           finding_id=a_finding)
        # A block overlapping a known one is refused.
        with pytest.raises(ValidationError, match="overlaps"):
            reserve_block(ctx=b_ctx, squad_id=b_squad, kind="education_notice", year=2026,
                          first=90, last=120, officer_id=b_officers[0])
        [block] = list_blocks(ctx=b_ctx, this_device=True)
        assert (block.first, block.last, block.next, block.source) == (51, 100, 71, "hq")
    finally:
        a_ctx.close()
        b_ctx.close()


def test_a_local_block_starts_after_every_block_known_here(org) -> None:
    org.ctx.clock = lambda: NOW
    reserve_block(ctx=org.ctx, squad_id=org.squad_id, kind="prior_notice", year=2026,
                  first=101, last=150, officer_id=org.officers[0])
    local = reserve_block(ctx=org.ctx, squad_id=org.squad_id, kind="prior_notice", year=2026,
                          officer_id=org.officers[0])
    assert (local.first, local.last, local.source) == (151, 200, "local")


def test_the_agency_pattern_applies(scene) -> None:
    org, _subject, first, _second = scene
    set_number_pattern(ctx=org.ctx, officer_id=org.officers[0],
                       pattern="{agency}{squad}{code}〔{year}〕{serial}号")
    with pytest.raises(ValidationError):
        set_number_pattern(ctx=org.ctx, officer_id=org.officers[0], pattern="{agency}{serial}")
    assert issue(org, K.EDUCATION_NOTICE, finding_id=first).number == "东城管DHM劝字〔2026〕1号"
