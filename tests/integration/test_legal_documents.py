"""What a legal reviewer reads on the printed documents, per kind (issue 13): the ground
of a 不予行政处罚决定书, the photo on the evidence page, the rule that applied."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from pypdf import PdfReader

from fieldapp.domain.document_kinds import DocumentKind as K
from fieldapp.domain.entities import (
    EvidenceData,
    EvidenceType,
    FindingData,
    InspectionData,
    SubjectKind,
)
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.workflow import Action
from fieldapp.services.inspections import record_inspection
from fieldapp.services.paperwork import get_document, issue_document, snapshot_of
from fieldapp.services.rules import CityRule, applied_rule, set_city_rule
from tests.integration import test_legal_refusals
from tests.integration.test_legal_refusals import (
    AT,
    fine,
    new_case,
    step,
    text_of,
)

people = test_legal_refusals.people  # the same officers, as a fixture of this module


def decided_without_penalty(org, people, reason: str) -> str:
    case_id = new_case(org, people)
    step(org, case_id, people["leader"], Action.APPROVE_FILING, on=dt.date(2026, 9, 1))
    step(org, case_id, people["head"], Action.APPROVE_FILING, on=dt.date(2026, 9, 2))
    step(org, case_id, people["officer"], Action.FINISH_INVESTIGATION,
         {"decision": "no_penalty"}, on=dt.date(2026, 9, 5))
    step(org, case_id, people["head"], Action.DECIDE,
         {"decision": "no_penalty", "reason": reason}, on=dt.date(2026, 9, 8))
    return case_id


@pytest.mark.parametrize(("reason", "basis", "finding"), [
    ("minor", "第三十三条第一款第一句、第五十七条第一款第（二）项", "没有造成危害后果"),
    ("first_offence", "第三十三条第一款第二句、第五十七条第一款第（二）项", "初次违法"),
    ("no_fault", "第三十三条第二款、第五十七条第一款第（二）项", "没有主观过错"),
])
def test_a_no_penalty_decision_names_its_ground_and_the_education(org, people, reason, basis,
                                                                  finding):
    case_id = decided_without_penalty(org, people, reason)
    doc = issue_document(ctx=org.ctx, officer_id=people["officer"],
                         kind=K.NO_PENALTY_DECISION, case_id=case_id,
                         fields={"finding.place": "东华门广场"})
    text = text_of(doc.pdf_path.read_bytes())
    assert f"根据《中华人民共和国行政处罚法》{basis}的规定，本机关决定对当事人不予行政处罚" in text
    assert finding in text
    assert "违反了《中华人民共和国噪声污染防治法》第六十四条第一款" in text
    assert "第三十三条第三款的规定，本机关已对当事人进行了教育" in text
    assert "六十日内" in text and "六个月内" in text  # remedies
    assert "二〇二六年九月八日" in text  # the day of the decision


def test_facts_not_established_asserts_no_breach_and_gives_no_education(org, people):
    case_id = decided_without_penalty(org, people, "not_established")
    doc = issue_document(ctx=org.ctx, officer_id=people["officer"],
                         kind=K.NO_PENALTY_DECISION, case_id=case_id,
                         fields={"finding.place": "东华门广场"})
    text = text_of(doc.pdf_path.read_bytes())
    assert "第五十七条第一款第（三）项的规定，本机关决定对当事人不予行政处罚" in text
    assert "违法事实不能成立" in text
    assert "违反了" not in text and "进行了教育" not in text and "第三十三条" not in text


def _jpeg(path, colour=(200, 40, 40)):
    Image.new("RGB", (320, 240), colour).save(path, "JPEG")
    return path


def test_the_photo_page_embeds_the_photo_with_its_full_hash(org, people, tmp_path):
    from fieldapp.domain.entities import SubjectData
    from fieldapp.services.subjects import create_subject

    subject = create_subject(ctx=org.ctx, officer_id=people["officer"], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL, name="钱九")).id
    photo = EvidenceData(path=str(_jpeg(tmp_path / "p.jpg")),
                         evidence_type=EvidenceType.AUDIOVISUAL, captured_at=AT,
                         place="东华门广场南侧", description="音响设备摆放在广场南侧")
    with_photo = record_inspection(ctx=org.ctx, data=InspectionData(
        subject_id=subject, officer_ids=(people["officer"], people["assist"]), at=AT,
        address="东华门广场", evidence=(photo,), findings=(FindingData(
            violation_code="DQ08", facts="广场健身活动音响音量过大",
            corrected_on_spot=True),))).finding_ids[0]
    doc = issue_document(ctx=org.ctx, officer_id=people["officer"], kind=K.PHOTO_EVIDENCE,
                         finding_id=with_photo)
    snap = snapshot_of(get_document(ctx=org.ctx, document_id=doc.id))
    assert len(snap["photo.sha256"]) == 64
    pdf = doc.pdf_path.read_bytes()
    text = text_of(pdf)
    for part in (snap["photo.sha256"], "东华门广场南侧", "李秀英、张伟", "2026年9月1日09时30分"):
        assert part in text, part
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1
    without = record_inspection(ctx=org.ctx, data=InspectionData(
        subject_id=subject, officer_ids=(people["officer"], people["assist"]),
        at=AT + dt.timedelta(days=1), address="东华门广场", findings=(FindingData(
            violation_code="DQ08", facts="广场健身活动音响音量过大",
            corrected_on_spot=True),))).finding_ids[0]
    with pytest.raises(ValidationError) as err:
        issue_document(ctx=org.ctx, officer_id=people["officer"], kind=K.PHOTO_EVIDENCE,
                       finding_id=without)
    assert err.value.field == "photo"


def test_evidence_preservation_needs_its_items_and_storage_place(org, people):
    case_id = new_case(org, people)
    step(org, case_id, people["leader"], Action.APPROVE_FILING, on=dt.date(2026, 9, 1))
    step(org, case_id, people["head"], Action.APPROVE_FILING, on=dt.date(2026, 9, 2))
    step(org, case_id, people["head"], Action.PRESERVE_EVIDENCE,
         {"items": "音箱|JBL 便携式|1台|完好"}, on=dt.date(2026, 9, 3))
    with pytest.raises(ValidationError) as err:
        issue_document(ctx=org.ctx, officer_id=people["officer"],
                       kind=K.EVIDENCE_PRESERVATION, case_id=case_id)
    assert err.value.params["key"] == "evidence.storage_place"
    other = new_case(org, people)
    step(org, other, people["leader"], Action.APPROVE_FILING, on=dt.date(2026, 9, 1))
    step(org, other, people["head"], Action.APPROVE_FILING, on=dt.date(2026, 9, 2))
    step(org, other, people["head"], Action.PRESERVE_EVIDENCE,
         {"items": "音箱|JBL 便携式|1台|完好", "storage_place": "东华门中队暂扣物品仓库"},
         on=dt.date(2026, 9, 3))
    doc = issue_document(ctx=org.ctx, officer_id=people["officer"],
                         kind=K.EVIDENCE_PRESERVATION, case_id=other)
    text = text_of(doc.pdf_path.read_bytes())
    assert "东华门中队暂扣物品仓库" in text and "JBL便携式" in text
    assert snapshot_of(get_document(ctx=org.ctx, document_id=doc.id))[
        "document.date"] == "2026-09-03"


def test_the_lighter_rule_at_the_decision_applies_and_the_decision_says_so(org, people):
    # The demo city's JM02 rule (2024): a person ¥50–1,000. A new version from
    # 2026-09-10 lowers it to ¥50–300: an act of 2026-09-01 decided later gets the lighter.
    set_city_rule(ctx=org.ctx, officer_id=people["leader"], rule=CityRule(
        violation_code="JM02", provision="《示例市城市管理条例》第十二条（店外经营）",
        penalty_provision="《示例市城市管理条例》第四十二条（2026年修正）", fine_min_yuan=50,
        fine_max_yuan=300, fine_min_org_yuan=500, fine_max_org_yuan=3000,
        effective_from=dt.date(2026, 9, 10), source="示例市城市管理条例（2026年修正）"))
    before = applied_rule(ctx=org.ctx, violation_code="JM02", act_day=dt.date(2026, 9, 1),
                          decision_day=dt.date(2026, 9, 5))
    after = applied_rule(ctx=org.ctx, violation_code="JM02", act_day=dt.date(2026, 9, 1),
                         decision_day=dt.date(2026, 9, 20))
    assert before.rule.limits.individual.max_fen == 100000
    assert after.rule.limits.individual.max_fen == 30000
    assert "第三十七条" in after.reason and "较轻" in after.reason
    case_id = new_case(org, people, code="JM02")
    step(org, case_id, people["leader"], Action.APPROVE_FILING, on=dt.date(2026, 9, 1))
    step(org, case_id, people["head"], Action.APPROVE_FILING, on=dt.date(2026, 9, 2))
    with pytest.raises(ValidationError, match="outside"):  # ¥800: allowed then, not now
        step(org, case_id, people["officer"], Action.FINISH_INVESTIGATION,
             {"penalty": fine(800)}, on=dt.date(2026, 9, 12))
    step(org, case_id, people["officer"], Action.FINISH_INVESTIGATION,
         {"penalty": fine(300)}, on=dt.date(2026, 9, 12))
    step(org, case_id, people["officer"], Action.NOTIFY, on=dt.date(2026, 9, 14))
    step(org, case_id, people["head"], Action.DECIDE,
         {"decision": "penalty", "penalty": fine(300), "statement_waived_in_writing": True},
         on=dt.date(2026, 9, 20))
    doc = issue_document(ctx=org.ctx, officer_id=people["officer"], kind=K.PENALTY_DECISION,
                         case_id=case_id)
    text = text_of(doc.pdf_path.read_bytes())
    assert "《示例市城市管理条例》第四十二条（2026年修正）" in text
    assert "作出决定时施行的规定处罚较轻" in text


def test_the_catalogue_cites_the_violated_and_the_penalty_provision_apart() -> None:
    import json

    from fieldapp.resources import resource

    data = json.loads(resource("catalogue", "violations.json").read_text("utf-8"))
    same = [t["code"] for t in data["types"]
            if t["provision"].strip() == t["penalty_provision"].strip()]
    assert same == []
    noise = {t["code"]: t for t in data["types"] if t["code"] in ("DQ07", "DQ08", "DQ09")}
    assert all("第八十二条" not in t["provision"] for t in noise.values())
    assert all("第八十二条" in t["penalty_provision"] for t in noise.values())


def test_verification_shows_the_key_content_and_names_the_algorithm(org, people):
    from fieldapp.services.paperwork import verify
    from fieldapp.services.paperwork.verify import key_content_lines

    case_id = new_case(org, people)
    test_legal_refusals.to_notice(org, people, case_id, fine(500))
    step(org, case_id, people["head"], Action.DECIDE,
         {"decision": "penalty", "penalty": fine(500), "statement_waived_in_writing": True},
         on=dt.date(2026, 9, 15))
    doc = issue_document(ctx=org.ctx, officer_id=people["officer"], kind=K.PENALTY_DECISION,
                         case_id=case_id)
    result = verify(ctx=org.ctx, payload_or_pdf=doc.qr_payload)
    assert result.status == "genuine" and result.algorithm == "ed25519"
    assert result.content is not None
    assert (result.content.title, result.content.number, result.content.party) == (
        "行政处罚决定书", doc.number, "赵六")
    assert result.content.amount == "罚款人民币伍佰元整"
    assert result.content.date == "二〇二六年九月十五日"
    assert result.issued_on == dt.date(2026, 9, 15)
    lines = key_content_lines(result)
    assert f"文号：{doc.number}" in lines and "处罚：罚款人民币伍佰元整" in lines


def test_a_deadline_in_a_year_without_a_calendar_is_printed_as_provisional(org, people):
    case_id = new_case(org, people)
    step(org, case_id, people["leader"], Action.APPROVE_FILING, on=dt.date(2026, 12, 1))
    step(org, case_id, people["head"], Action.APPROVE_FILING, on=dt.date(2026, 12, 1))
    step(org, case_id, people["officer"], Action.FINISH_INVESTIGATION,
         {"penalty": fine(500)}, on=dt.date(2026, 12, 20))
    step(org, case_id, people["officer"], Action.NOTIFY, on=dt.date(2026, 12, 28))
    from fieldapp.services.cases import get_case

    deadline = next(d for d in get_case(ctx=org.ctx, case_id=case_id,
                                        today=dt.date(2026, 12, 28)).deadlines
                    if d.kind.value == "statement_window")
    assert deadline.due.year == 2027 and deadline.provisional
    doc = issue_document(ctx=org.ctx, officer_id=people["officer"], kind=K.PRIOR_NOTICE,
                         case_id=case_id, fields={"finding.place": "东华门广场"})
    text = text_of(doc.pdf_path.read_bytes())
    assert "2027年1月" in text and "暂定：所涉年度的法定节假日安排尚未公布" in text


def test_the_advice_cites_the_citys_rule_in_force_and_says_which(org, people):
    from fieldapp.domain.entities import SubjectData
    from fieldapp.services.rules import advise
    from fieldapp.services.subjects import create_subject

    subject = create_subject(ctx=org.ctx, officer_id=people["officer"], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL, name="周十")).id
    advice = advise(ctx=org.ctx, subject_id=subject, violation_code="JM02", at=AT)
    assert "待本市配置" not in advice.basis.provision
    assert advice.basis.provision.startswith("《示例市城市管理条例》")
    assert "示例市城市管理条例" in advice.basis.version
    assert advice.basis.reason


def test_an_amendment_states_what_it_replaces_and_why_within_the_same_limits(org, people):
    from fieldapp.services.paperwork import amend_document

    case_id = new_case(org, people)
    step(org, case_id, people["leader"], Action.APPROVE_FILING, on=dt.date(2026, 9, 1))
    step(org, case_id, people["head"], Action.APPROVE_FILING, on=dt.date(2026, 9, 2))
    old = issue_document(ctx=org.ctx, officer_id=people["officer"], kind=K.FILING_APPROVAL,
                         case_id=case_id, fields={"finding.place": "东华门广场"})
    with pytest.raises(ValidationError) as err:  # a legal element is not corrected as text
        amend_document(ctx=org.ctx, officer_id=people["officer"], document_id=old.id,
                       fields={"subject.name": "赵七"}, reason="当事人姓名有误")
    assert err.value.params["key"] == "subject.name"
    new = amend_document(ctx=org.ctx, officer_id=people["officer"], document_id=old.id,
                         fields={"finding.place": "东华门广场南侧"}, reason="检查地点表述不准确")
    text = text_of(new.pdf_path.read_bytes())
    assert f"本文书更正{old.number}，更正原因：检查地点表述不准确。" in text
    assert "东华门广场南侧" in text
