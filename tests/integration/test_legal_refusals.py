"""What the law forbids, refused through the services with the field and the article
named, and nothing written (issue 13, "Done when")."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3

import pytest
from pypdf import PdfReader
from sqlmodel import select

from fieldapp.domain.document_kinds import DocumentKind as K
from fieldapp.domain.entities import (
    FindingData,
    InspectionData,
    OfficerRole,
    SubjectData,
    SubjectKind,
)
from fieldapp.domain.errors import DomainError, ValidationError
from fieldapp.domain.permissions import Action as Permission
from fieldapp.domain.workflow import Action, Procedure
from fieldapp.services.cases import act, get_case, open_case
from fieldapp.services.context import open_context
from fieldapp.services.inspections import record_inspection
from fieldapp.services.paperwork import (
    get_document,
    issue_document,
    list_documents,
    record_service,
    snapshot_of,
)
from fieldapp.services.rules import (
    CityRule,
    load_catalogue,
    load_default_list,
    set_city_rule,
)
from fieldapp.services.staff import add_officer, add_squad, set_agency
from fieldapp.services.subjects import create_subject
from fieldapp.store.tables import AgencyProfile

LOCAL = dt.timezone(dt.timedelta(hours=8))
AT = dt.datetime(2026, 9, 1, 9, 30, tzinfo=LOCAL)
PLACE = {"finding.place": "东华门广场"}
AGENCY = {"address": "示例市东城区东华门大街16号", "postcode": "100006",
          "phone": "010-65120000", "review_body": "示例市东城区人民政府",
          "court": "示例市东城区人民法院", "bank": "中国工商银行示例市东城支行"}
PERSON_ID = "110101198001010010"
_serial = iter(range(100, 1000))


def person_id() -> str:
    from fieldapp.domain.identity import resident_id_check_digit

    first = f"11010119800101{next(_serial):03d}"
    return first + resident_id_check_digit(first)


def credit_code() -> str:
    from fieldapp.domain.identity import credit_code_check_char

    first = f"91110101MA01A{next(_serial):03d}D"
    return first + credit_code_check_char(first)


def fine(yuan: int) -> dict[str, object]:
    return {"kinds": ["fine"], "fine_fen": yuan * 100}


def text_of(pdf: bytes) -> str:
    return "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def counts(ctx) -> tuple[int, int, int]:
    with sqlite3.connect(ctx.store.data_dir / "fieldapp.sqlite3") as conn:
        return tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # type: ignore
                     for t in ("case_event", "document", "document_service"))


@pytest.fixture
def people(org):
    org.ctx.clock = lambda: dt.datetime(2026, 12, 1, 10, tzinfo=LOCAL)
    with org.ctx.write(action=Permission.SET_UP) as tx:
        tx.update(tx.session.exec(select(AgencyProfile)).one(), AGENCY)
    extra = {role: add_officer(ctx=org.ctx, squad_id=org.squad_id, name=name,
                               certificate_no=cert, valid_from=dt.date(2020, 1, 1),
                               valid_to=dt.date(2030, 1, 1), role=role).id
             for name, cert, role in (("刘局长", "11010020001", OfficerRole.AGENCY_HEAD),
                                      ("周法制", "11010020002", OfficerRole.LEGAL_REVIEWER))}
    leader, officer, assist = org.officers[:3]
    return {"leader": leader, "officer": officer, "assist": assist,
            "head": extra[OfficerRole.AGENCY_HEAD],
            "reviewer": extra[OfficerRole.LEGAL_REVIEWER]}


def new_case(org, people, *, code="DQ07", kind=SubjectKind.INDIVIDUAL,
             procedure=Procedure.ORDINARY, **subject) -> str:
    data = {"name": "赵六", "id_number": person_id(), "gender": "male",
            "address": "东华门大街30号", "phone": "13900139000"} | subject
    if kind is SubjectKind.BUSINESS:
        data = {"name": "示例市好运来商贸有限公司", "credit_code": credit_code(),
                "legal_representative": "钱七", "address": "东华门大街31号"} | subject
    if kind is SubjectKind.UNIDENTIFIED_VENDOR:
        data = {"appearance": "中年男子，穿蓝色外套", "goods": "水果"} | subject
    sid = create_subject(ctx=org.ctx, officer_id=people["officer"],
                         data=SubjectData(kind=kind, **data)).id
    return open_case(ctx=org.ctx, officer_ids=(people["officer"], people["assist"]),
                     subject_id=sid, violation_code=code, procedure=procedure, at=AT,
                     summary="在东华门广场使用高音音响开展健身活动，经劝阻拒不改正").id


def step(org, case_id, who, action, payload=None, on=None):
    return act(ctx=org.ctx, case_id=case_id, officer_id=who, action=action,
               payload=payload or {}, on=on)


def to_notice(org, people, case_id, penalty, *, review=False):
    step(org, case_id, people["leader"], Action.APPROVE_FILING, on=dt.date(2026, 9, 1))
    step(org, case_id, people["head"], Action.APPROVE_FILING, on=dt.date(2026, 9, 2))
    step(org, case_id, people["officer"], Action.FINISH_INVESTIGATION, {"penalty": penalty},
         on=dt.date(2026, 9, 10))
    if review:
        step(org, case_id, people["reviewer"], Action.LEGAL_REVIEW,
             {"opinion": "事实清楚，证据确实充分，适用依据正确，程序合法，处罚适当。"},
             on=dt.date(2026, 9, 11))
    step(org, case_id, people["officer"], Action.NOTIFY, on=dt.date(2026, 9, 14))


def test_a_fine_above_the_statutory_maximum_is_refused_naming_the_article(org, people):
    case_id = new_case(org, people)  # 噪声污染防治法 art. 82: a person ¥200–1,000
    step(org, case_id, people["leader"], Action.APPROVE_FILING, on=dt.date(2026, 9, 1))
    step(org, case_id, people["head"], Action.APPROVE_FILING, on=dt.date(2026, 9, 2))
    before = counts(org.ctx)
    with pytest.raises(ValidationError) as err:
        step(org, case_id, people["officer"], Action.FINISH_INVESTIGATION,
             {"penalty": fine(5000)})
    assert err.value.field == "fine"
    assert err.value.params["article"] == "《中华人民共和国噪声污染防治法》第八十二条第（一）项"
    assert err.value.params["high"] == 1000
    assert counts(org.ctx) == before
    with pytest.raises(ValidationError, match="outside the range"):  # below the minimum
        step(org, case_id, people["officer"], Action.FINISH_INVESTIGATION,
             {"penalty": fine(100)})
    # An organisation's range is its own: ¥5,000 is within ¥2,000–20,000.
    org_case = new_case(org, people, kind=SubjectKind.BUSINESS)
    step(org, org_case, people["leader"], Action.APPROVE_FILING, on=dt.date(2026, 9, 1))
    step(org, org_case, people["head"], Action.APPROVE_FILING, on=dt.date(2026, 9, 2))
    step(org, org_case, people["officer"], Action.FINISH_INVESTIGATION,
         {"penalty": fine(5000)})


def test_a_per_unit_range_and_the_discretion_tier_are_checked(org, people):
    case_id = new_case(org, people, code="JM01")  # the demo city's benchmark has tiers
    step(org, case_id, people["leader"], Action.APPROVE_FILING, on=dt.date(2026, 9, 1))
    step(org, case_id, people["head"], Action.APPROVE_FILING, on=dt.date(2026, 9, 2))
    with pytest.raises(ValidationError) as err:
        step(org, case_id, people["officer"], Action.FINISH_INVESTIGATION,
             {"penalty": fine(200)})
    assert err.value.field == "discretion tier"
    with pytest.raises(ValidationError, match="轻微"):
        step(org, case_id, people["officer"], Action.FINISH_INVESTIGATION,
             {"penalty": fine(200), "discretion_tier": "轻微"})
    step(org, case_id, people["officer"], Action.FINISH_INVESTIGATION,
         {"penalty": fine(200), "discretion_tier": "一般"})
    cost = new_case(org, people, code="GH01")  # 5–10 % of the construction cost
    step(org, cost, people["leader"], Action.APPROVE_FILING, on=dt.date(2026, 9, 1))
    step(org, cost, people["head"], Action.APPROVE_FILING, on=dt.date(2026, 9, 2))
    with pytest.raises(ValidationError, match=r"fine units|how many"):
        step(org, cost, people["officer"], Action.FINISH_INVESTIGATION,
             {"penalty": fine(3000)})
    with pytest.raises(ValidationError, match="outside"):
        step(org, cost, people["officer"], Action.FINISH_INVESTIGATION,
             {"penalty": fine(3000), "fine_units": 100000})
    step(org, cost, people["officer"], Action.FINISH_INVESTIGATION,
         {"penalty": fine(6000), "fine_units": 100000})


def test_the_decision_never_exceeds_the_notified_nor_the_reviewed_amount(org, people):
    case_id = new_case(org, people)
    to_notice(org, people, case_id, fine(800))
    step(org, case_id, people["officer"], Action.RECORD_STATEMENT,
         {"statement": "当事人称系初次组织活动，音响已拆除", "review": "当事人已改正，"
          "采纳其意见，罚款减为五百元", "revised_penalty": fine(500)}, on=dt.date(2026, 9, 15))
    before = counts(org.ctx)
    for amount in (900, 600):  # above the notice; above the amount after 复核
        with pytest.raises(ValidationError) as err:
            step(org, case_id, people["head"], Action.DECIDE,
                 {"decision": "penalty", "penalty": fine(amount)}, on=dt.date(2026, 9, 30))
        assert err.value.field == "penalty" and "art. 45" in err.value.problem
    with pytest.raises(ValidationError, match="lighter"):
        step(org, case_id, people["officer"], Action.RECORD_STATEMENT,
             {"revised_penalty": fine(700)}, on=dt.date(2026, 9, 16))
    assert counts(org.ctx) == before
    step(org, case_id, people["head"], Action.DECIDE,
         {"decision": "penalty", "penalty": fine(500)}, on=dt.date(2026, 9, 30))
    doc = issue_document(ctx=org.ctx, officer_id=people["officer"],
                         kind=K.PENALTY_DECISION, case_id=case_id)
    text = text_of(doc.pdf_path.read_bytes())
    for part in ("当事人提出陈述、申辩：当事人称系初次组织活动，音响已拆除。",
                 "经复核，当事人已改正，采纳其意见，罚款减为五百元。",
                 "违反了《中华人民共和国噪声污染防治法》第六十四条第一款",
                 "依据《中华人民共和国噪声污染防治法》第八十二条第（一）项", "罚款人民币伍佰元整",
                 "同时责令当事人", "2026年10月", "二〇二六年九月三十日",
                 "本机关综合考虑当事人违法行为的事实、性质、情节及社会危害程度"):
        assert part in text, part
    assert snapshot_of(get_document(ctx=org.ctx, document_id=doc.id))[
        "document.date"] == "2026-09-30"  # the day the decision was made


def test_on_the_spot_decisions_stay_within_the_summary_limits(org, people):
    case_id = new_case(org, people, code="SR01", procedure=Procedure.SUMMARY)
    before = counts(org.ctx)
    with pytest.raises(ValidationError) as err:
        step(org, case_id, people["officer"], Action.DECIDE_ON_SPOT, {"penalty": fine(300)})
    assert err.value.field == "fine" and err.value.params["limit"] == 200
    assert counts(org.ctx) == before
    step(org, case_id, people["officer"], Action.DECIDE_ON_SPOT, {"penalty": fine(50)},
         on=dt.date(2026, 9, 1))
    doc = issue_document(ctx=org.ctx, officer_id=people["officer"], kind=K.ON_SPOT_DECISION,
                         case_id=case_id, fields=PLACE)
    assert "罚款人民币伍拾元整" in text_of(doc.pdf_path.read_bytes())
    ordinary = new_case(org, people, code="SR01")
    with pytest.raises(ValidationError, match="summary procedure"):
        issue_document(ctx=org.ctx, officer_id=people["officer"], kind=K.ON_SPOT_DECISION,
                       case_id=ordinary)


def test_no_decision_inside_the_hearing_period_unless_waived_in_writing(org, people):
    case_id = new_case(org, people, kind=SubjectKind.BUSINESS)  # ¥20,000 ≥ hearing? no:
    to_notice(org, people, case_id, fine(20000))
    view = get_case(ctx=org.ctx, case_id=case_id, today=dt.date(2026, 9, 14))
    assert not view.state.hearing_offered  # the organisation threshold is ¥50,000
    big = new_case(org, people, code="DQ05", kind=SubjectKind.BUSINESS)  # ¥10,000–100,000
    to_notice(org, people, big, fine(60000), review=True)
    state = get_case(ctx=org.ctx, case_id=big).state
    assert state.hearing_offered and state.hearing_request_due is not None
    due = state.hearing_request_due
    before = counts(org.ctx)
    with pytest.raises(ValidationError) as err:
        step(org, big, people["head"], Action.DECIDE, {
            "decision": "penalty", "penalty": fine(60000),
            "statement_waived_in_writing": True}, on=due)
    assert err.value.field == "decision date" and "art. 64" in err.value.problem
    assert counts(org.ctx) == before
    step(org, big, people["head"], Action.DECIDE, {
        "decision": "penalty", "penalty": fine(60000), "statement_waived_in_writing": True,
        "hearing_waived_in_writing": True}, on=due)
    doc = issue_document(ctx=org.ctx, officer_id=people["officer"], kind=K.PENALTY_DECISION,
                         case_id=big)
    text = text_of(doc.pdf_path.read_bytes())
    assert "当事人书面表示放弃陈述、申辩的权利。" in text
    assert "当事人书面表示放弃听证的权利。" in text


def test_a_decision_needs_the_legal_review_the_case_requires(org, people):
    big = new_case(org, people, code="DQ05", kind=SubjectKind.BUSINESS)
    step(org, big, people["leader"], Action.APPROVE_FILING, on=dt.date(2026, 9, 1))
    step(org, big, people["head"], Action.APPROVE_FILING, on=dt.date(2026, 9, 2))
    step(org, big, people["officer"], Action.FINISH_INVESTIGATION, {"penalty": fine(60000)})
    with pytest.raises(DomainError, match=r"法制审核|legal review"):
        step(org, big, people["officer"], Action.NOTIFY)


def test_a_placeholder_basis_never_reaches_a_party(tmp_path):
    ctx = open_context(tmp_path / "bare", clock=lambda: AT + dt.timedelta(hours=1))
    try:
        load_catalogue(ctx=ctx)
        load_default_list(ctx=ctx)
        set_agency(ctx=ctx, full_name="某市城市管理综合行政执法局", short_code="某城管")
        squad = add_squad(ctx=ctx, name="一中队", code="YZD").id
        ids = [add_officer(ctx=ctx, squad_id=squad, name=n, certificate_no=c,
                           valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2030, 1, 1),
                           role=r).id
               for n, c, r in (("王队长", "C001", OfficerRole.SQUAD_LEADER),
                               ("李队员", "C002", OfficerRole.OFFICER),
                               ("张队员", "C003", OfficerRole.OFFICER))]
        subject = create_subject(ctx=ctx, officer_id=ids[1], data=SubjectData(
            kind=SubjectKind.INDIVIDUAL, name="陈小明")).id
        finding = record_inspection(ctx=ctx, data=InspectionData(
            subject_id=subject, officer_ids=(ids[1], ids[2]), at=AT, address="东大街",
            findings=(FindingData(violation_code="JM02", facts="店外摆放货架",
                                  corrected_on_spot=False),))).finding_ids[0]
        with pytest.raises(ValidationError) as err:
            issue_document(ctx=ctx, officer_id=ids[1], kind=K.EDUCATION_NOTICE,
                           finding_id=finding)
        assert err.value.field == "violated provision"
        assert err.value.params["marker"] == "待本市配置"
        assert "JM02" in err.value.params["violation"]
        assert list_documents(ctx=ctx) == []
        set_city_rule(ctx=ctx, officer_id=ids[0], rule=CityRule(
            violation_code="JM02", provision="《某市市容管理条例》第二十条第一款",
            penalty_provision="《某市市容管理条例》第五十条", fine_min_yuan=50,
            fine_max_yuan=500, fine_min_org_yuan=500, fine_max_org_yuan=5000,
            effective_from=dt.date(2025, 1, 1)))
        doc = issue_document(ctx=ctx, officer_id=ids[1], kind=K.EDUCATION_NOTICE,
                             finding_id=finding)
        text = text_of(doc.pdf_path.read_bytes())
        assert "《某市市容管理条例》第二十条第一款" in text and "待本市配置" not in text
        with pytest.raises(ValidationError, match="待本市配置"):  # a rule must be complete
            set_city_rule(ctx=ctx, officer_id=ids[0], rule=CityRule(
                violation_code="JM05", provision="本市规定（待本市配置）",
                penalty_provision="x", effective_from=dt.date(2025, 1, 1)))
    finally:
        ctx.close()


def test_an_unidentified_party_is_identified_before_a_decision(org, people):
    case_id = new_case(org, people, code="SR01", kind=SubjectKind.UNIDENTIFIED_VENDOR,
                       procedure=Procedure.SUMMARY)
    no_id = new_case(org, people, code="SR01", procedure=Procedure.SUMMARY, id_number="")
    before = counts(org.ctx)
    with pytest.raises(ValidationError) as err:
        step(org, case_id, people["officer"], Action.DECIDE_ON_SPOT, {"penalty": fine(50)})
    assert err.value.field == "party" and "art. 59" in err.value.problem
    with pytest.raises(ValidationError) as err:
        step(org, no_id, people["officer"], Action.DECIDE_ON_SPOT, {"penalty": fine(50)})
    assert err.value.field == "party ID number"
    assert counts(org.ctx) == before


def test_one_decision_per_case_and_the_second_request_opens_the_first(org, people):
    case_id = new_case(org, people)
    to_notice(org, people, case_id, fine(500))
    step(org, case_id, people["head"], Action.DECIDE,
         {"decision": "penalty", "penalty": fine(500), "statement_waived_in_writing": True},
         on=dt.date(2026, 9, 15))
    first = issue_document(ctx=org.ctx, officer_id=people["officer"],
                           kind=K.PENALTY_DECISION, case_id=case_id)
    before = counts(org.ctx)
    again = issue_document(ctx=org.ctx, officer_id=people["assist"],
                           kind=K.PENALTY_DECISION, case_id=case_id, layout="a4")
    assert (again.id, again.number) == (first.id, first.number)
    with pytest.raises(DomainError, match="already has a decision"):
        issue_document(ctx=org.ctx, officer_id=people["officer"],
                       kind=K.NO_PENALTY_DECISION, case_id=case_id)
    assert counts(org.ctx) == before


def test_no_service_before_the_document(org, people):
    case_id = new_case(org, people)
    to_notice(org, people, case_id, fine(500))
    step(org, case_id, people["head"], Action.DECIDE,
         {"decision": "penalty", "penalty": fine(500), "statement_waived_in_writing": True},
         on=dt.date(2026, 9, 15))
    doc = issue_document(ctx=org.ctx, officer_id=people["officer"],
                         kind=K.PENALTY_DECISION, case_id=case_id)
    before = counts(org.ctx)
    with pytest.raises(ValidationError) as err:
        record_service(ctx=org.ctx, document_id=doc.id, method="direct",
                       served_at=dt.datetime(2026, 9, 14, 16, tzinfo=LOCAL),
                       officer_ids=(people["officer"], people["assist"]), receiver="赵六")
    assert err.value.field == "service date"
    with pytest.raises(ValidationError) as err:
        step(org, case_id, people["officer"], Action.SERVE, on=dt.date(2026, 9, 14))
    assert err.value.field == "service date"
    assert counts(org.ctx) == before
    record_service(ctx=org.ctx, document_id=doc.id, method="direct",
                   served_at=dt.datetime(2026, 9, 15, 16, tzinfo=LOCAL),
                   officer_ids=(people["officer"], people["assist"]), receiver="赵六")


def test_nobody_approves_their_own_case_and_only_its_officers_issue(org, people):
    leader_case = open_case(ctx=org.ctx, officer_ids=(people["leader"], people["officer"]),
                            subject_id=create_subject(
                                ctx=org.ctx, officer_id=people["officer"],
                                data=SubjectData(kind=SubjectKind.INDIVIDUAL, name="孙八",
                                                 id_number=person_id())).id,
                            violation_code="SR01", at=AT).id
    with pytest.raises(ValidationError) as err:
        step(org, leader_case, people["leader"], Action.APPROVE_FILING)
    assert err.value.field == "officer"
    other = new_case(org, people)
    with pytest.raises(ValidationError, match="not one of the officers"):
        issue_document(ctx=org.ctx, officer_id=people["leader"], kind=K.FILING_APPROVAL,
                       case_id=other)


def test_no_legal_element_is_given_as_free_text(org, people):
    case_id = new_case(org, people)
    for key in ("case.penalty", "case.fine_yuan", "subject.name", "violation.provision",
                "correction.deadline", "case.decision_on"):
        with pytest.raises(ValidationError) as err:
            issue_document(ctx=org.ctx, officer_id=people["officer"], kind=K.FILING_APPROVAL,
                           case_id=case_id, fields={key: "x"})
        assert err.value.params["key"] == key


def test_the_filing_form_is_dated_the_day_of_approval_and_carries_the_case_number(
        org, people):
    case_id = new_case(org, people)
    step(org, case_id, people["leader"], Action.APPROVE_FILING, on=dt.date(2026, 9, 1))
    step(org, case_id, people["head"], Action.APPROVE_FILING, on=dt.date(2026, 9, 2))
    doc = issue_document(ctx=org.ctx, officer_id=people["officer"], kind=K.FILING_APPROVAL,
                         case_id=case_id, fields=PLACE)
    snap = snapshot_of(get_document(ctx=org.ctx, document_id=doc.id))
    assert snap["document.date"] == "2026-09-02"  # the day it was approved, not today
    assert get_case(ctx=org.ctx, case_id=case_id).case_no == doc.number
    again = issue_document(ctx=org.ctx, officer_id=people["officer"],
                           kind=K.FILING_APPROVAL, case_id=case_id)
    assert again.number == doc.number  # one filing form per case


def test_an_archived_case_gets_no_more_documents(org, people):
    case_id = new_case(org, people, code="SR01", procedure=Procedure.SUMMARY)
    step(org, case_id, people["officer"], Action.DECIDE_ON_SPOT, {"penalty": fine(50)},
         on=dt.date(2026, 9, 1))
    step(org, case_id, people["officer"], Action.RECORD_PAYMENT, {"amount_fen": 5000},
         on=dt.date(2026, 9, 2))
    step(org, case_id, people["officer"], Action.REQUEST_CLOSE, on=dt.date(2026, 9, 2))
    step(org, case_id, people["leader"], Action.APPROVE_CLOSE, on=dt.date(2026, 9, 3))
    step(org, case_id, people["leader"], Action.ARCHIVE, on=dt.date(2026, 9, 4))
    with pytest.raises(DomainError, match="archived"):
        issue_document(ctx=org.ctx, officer_id=people["officer"], kind=K.ON_SPOT_DECISION,
                       case_id=case_id)


def test_an_interview_record_carries_its_start_and_end_times(org, people):
    from fieldapp.domain.issuance import RecordTimes

    case_id = new_case(org, people)
    step(org, case_id, people["leader"], Action.APPROVE_FILING, on=dt.date(2026, 9, 1))
    step(org, case_id, people["head"], Action.APPROVE_FILING, on=dt.date(2026, 9, 2))
    before = counts(org.ctx)
    with pytest.raises(ValidationError) as missing:
        issue_document(ctx=org.ctx, officer_id=people["officer"], kind=K.INQUIRY_RECORD,
                       case_id=case_id, fields=PLACE)
    assert missing.value.field == "start time"
    start = dt.datetime(2026, 9, 3, 9, 30, tzinfo=LOCAL)
    for bad, field in ((RecordTimes(start, start), "end time"),
                       (RecordTimes(start, start + dt.timedelta(hours=13)), "end time"),
                       (RecordTimes(start, dt.datetime(2027, 1, 1, tzinfo=LOCAL)), "end time")):
        with pytest.raises(ValidationError) as refused:
            issue_document(ctx=org.ctx, officer_id=people["officer"], kind=K.INQUIRY_RECORD,
                           case_id=case_id, fields=PLACE, record_times=bad)
        assert refused.value.field == field
    with pytest.raises(ValidationError) as not_a_record:
        issue_document(ctx=org.ctx, officer_id=people["officer"], kind=K.FILING_APPROVAL,
                       case_id=case_id, record_times=RecordTimes(
                           start, start + dt.timedelta(hours=1)))
    assert not_a_record.value.field == "record times"
    assert counts(org.ctx) == before  # nothing written, no number used
    doc = issue_document(ctx=org.ctx, officer_id=people["officer"], kind=K.INQUIRY_RECORD,
                         case_id=case_id, fields=PLACE, record_times=RecordTimes(
                             start, start + dt.timedelta(hours=1, minutes=10)))
    text = text_of(doc.pdf_path.read_bytes())
    assert "询问时间2026年9月3日09时30分至2026年9月3日10时40分" in text
