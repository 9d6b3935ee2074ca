"""The ladder through the services: advice from the squad's history, the step recorded,
revisits from warnings, cases from enforcement, 721 figures."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from fieldapp import i18n
from fieldapp.domain.entities import (
    FindingData,
    InspectionData,
    StepKind,
    SubjectData,
    SubjectKind,
)
from fieldapp.domain.errors import ValidationError
from fieldapp.services.inspections import complete_revisit, list_revisits, record_inspection
from fieldapp.services.reports import figures_721
from fieldapp.services.subjects import create_subject

LOCAL = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 9, 1, 10, 0, tzinfo=LOCAL)
VENDING = "JM01"


@pytest.fixture
def vendor(org) -> str:
    return create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
        kind=SubjectKind.UNIDENTIFIED_VENDOR, goods="水果", appearance="中年男子，蓝色三轮车",
        usual_place="人民路地铁站B口")).id


def _record(org, subject, at, officers=(1, 2), step=None, reason="", code=VENDING):
    return record_inspection(ctx=org.ctx, data=InspectionData(
        subject_id=subject, officer_ids=tuple(org.officers[i] for i in officers), at=at,
        address="人民路地铁站B口", findings=(FindingData(
            violation_code=code, facts="占用人行道摆摊销售水果", corrected_on_spot=False,
            step=step, override_reason=reason),)))


def _steps(org) -> list[tuple[str, str]]:
    with sqlite3.connect(org.ctx.store.data_dir / "fieldapp.sqlite3") as conn:
        return conn.execute("SELECT kind, override_reason FROM ladder_step "
                            "ORDER BY taken_at_utc").fetchall()


def test_the_ladder_climbs_across_officers(org, vendor) -> None:
    _record(org, vendor, T0, officers=(1, 2))
    _record(org, vendor, T0 + dt.timedelta(days=30), officers=(0, 2))  # another officer
    rec = _record(org, vendor, T0 + dt.timedelta(days=40), officers=(0, 1))
    assert [k for k, _ in _steps(org)] == ["educate", "warn", "enforce"]
    with sqlite3.connect(org.ctx.store.data_dir / "fieldapp.sqlite3") as conn:
        case = conn.execute("SELECT c.status, c.lead_officer_id, s.case_id FROM ladder_step s "
                            "JOIN case_file c ON c.id = s.case_id WHERE s.id = ?",
                            (rec.step_ids[0],)).fetchone()
    assert case[0] == "filing" and case[1] == org.officers[0]


def test_a_warning_creates_a_revisit_whose_correction_resets_the_ladder(org, vendor) -> None:
    _record(org, vendor, T0)
    _record(org, vendor, T0 + dt.timedelta(days=5))
    (revisit,) = list_revisits(ctx=org.ctx, now=T0 + dt.timedelta(days=6))
    # JM01 gives 1 day to correct: warned Sunday 2026-09-06, due Monday 2026-09-07.
    assert revisit.due_at.astimezone(LOCAL).date() == dt.date(2026, 9, 7)
    assert not revisit.overdue
    assert list_revisits(ctx=org.ctx, overdue_only=True, now=T0 + dt.timedelta(days=9)) != []
    complete_revisit(ctx=org.ctx, revisit_id=revisit.id, officer_id=org.officers[1],
                     corrected=True, at=T0 + dt.timedelta(days=7))
    assert list_revisits(ctx=org.ctx, now=T0 + dt.timedelta(days=9)) == []
    _record(org, vendor, T0 + dt.timedelta(days=60))
    assert [k for k, _ in _steps(org)] == ["educate", "warn", "educate"]


def test_overriding_the_advice_needs_a_reason_which_is_recorded(org, vendor) -> None:
    _record(org, vendor, T0)
    with pytest.raises(ValidationError) as err:
        _record(org, vendor, T0 + dt.timedelta(days=3), step=StepKind.EDUCATE)
    assert i18n.describe(err.value).startswith("改变处置步骤的理由")
    _record(org, vendor, T0 + dt.timedelta(days=3), step=StepKind.EDUCATE,
            reason="当事人年逾七十，再次教育")
    assert _steps(org)[-1] == ("educate", "当事人年逾七十，再次教育")
    from fieldapp.services.rules import list_overrides

    (shown,) = list_overrides(ctx=org.ctx, start=T0, end=T0 + dt.timedelta(days=10),
                              squad_id=org.squad_id)
    assert (shown.kind, shown.reason, shown.officer) == (StepKind.EDUCATE,
                                                         "当事人年逾七十，再次教育", "李秀英")


def test_a_violation_that_skips_the_ladder_opens_a_case_at_once(org, vendor) -> None:
    _record(org, vendor, T0, code="GH01")  # 在建违法建设
    assert [k for k, _ in _steps(org)] == ["enforce"]


def test_721_figures_per_officer_and_squad(org, vendor) -> None:
    _record(org, vendor, T0, officers=(1, 2))
    _record(org, vendor, T0 + dt.timedelta(days=1), officers=(1, 2))
    _record(org, vendor, T0 + dt.timedelta(days=2), officers=(2, 1))
    start, end = T0 - dt.timedelta(days=1), T0 + dt.timedelta(days=10)
    by_officer = {f.key: f for f in figures_721(ctx=org.ctx, start=start, end=end)}
    assert (by_officer[org.officers[1]].educate, by_officer[org.officers[1]].warn) == (1, 1)
    assert by_officer[org.officers[2]].enforce == 1
    (squad,) = figures_721(ctx=org.ctx, start=start, end=end, by="squad")
    assert (squad.total, round(squad.share("educate"), 2)) == (3, 0.33)
    assert figures_721(ctx=org.ctx, start=end, end=end + dt.timedelta(days=1)) == []


def test_advice_for_a_vendor_educated_last_month_by_another_officer(org, vendor) -> None:
    from fieldapp.domain.document_kinds import DocumentKind
    from fieldapp.domain.no_penalty import Applicability, ConditionKind
    from fieldapp.services.rules import advise

    first = advise(ctx=org.ctx, subject_id=vendor, violation_code=VENDING, at=T0)
    assert first.step is StepKind.EDUCATE and first.first_offence
    assert first.documents[0] is DocumentKind.EDUCATION_NOTICE
    (item,) = [a for a in first.items if VENDING in a.item.violation_codes]
    by_kind = {c.condition.kind: c.verdict.value for c in item.conditions}
    assert by_kind[ConditionKind.FIRST_OFFENCE] == "met"
    assert item.outcome is Applicability.UNDETERMINED  # the officer must still answer
    assert "城市道路管理条例" in first.basis.provision or first.basis.local_regulation

    answered = advise(ctx=org.ctx, subject_id=vendor, violation_code=VENDING, at=T0,
                      answers={k: True for k in ConditionKind
                               if k.value not in ("area_max_m2", "duration_max_days",
                                                  "overdue_max_months", "volume_max_m3")})
    assert answered.no_penalty_applies is not None
    assert "第三十三条" in answered.explanation

    _record(org, vendor, T0, officers=(1, 2))
    later = advise(ctx=org.ctx, subject_id=vendor, violation_code=VENDING,
                   at=T0 + dt.timedelta(days=30))
    assert later.step is StepKind.WARN and not later.first_offence
    assert [s.officer for s in later.ladder.counted] == ["李秀英"]
    assert "2026-09-01" in later.explanation and "告诫" in later.explanation
    assert later.documents == (DocumentKind.WARNING_NOTICE, DocumentKind.CORRECTION_ORDER)
    (item,) = [a for a in later.items if VENDING in a.item.violation_codes]
    assert item.outcome is Applicability.DOES_NOT_APPLY  # not a first offence any more


def test_a_no_fault_item_of_an_imported_list_asks_for_the_proof(org, vendor, tmp_path) -> None:
    import json

    from fieldapp.domain.no_penalty import Applicability, ConditionKind
    from fieldapp.services.rules import advise, export_list, import_list, load_default_list

    path = export_list(ctx=org.ctx, list_id=load_default_list(ctx=org.ctx).list_id,
                       path=tmp_path / "list.json")
    data = json.loads(path.read_text("utf-8"))
    data["items"].append({
        "item_no": len(data["items"]) + 1, "domain": "市容环境卫生", "name": "受他人冒名摆摊",
        "violation_codes": [VENDING], "exemption_kind": "无过错不罚",
        "conditions": [{"kind": "first_offence", "text": "首次被发现"}],
        "required_measure": "教育"})
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    import_list(ctx=org.ctx, officer_id=org.officers[0],
                path=path, metadata={"doc_no": "示城管发〔2026〕9号"})

    def no_fault_item(answers):
        advice = advise(ctx=org.ctx, subject_id=vendor, violation_code=VENDING, at=T0,
                        answers=answers)
        (item,) = [a for a in advice.items if a.item.name == "受他人冒名摆摊"]
        return item

    asked = no_fault_item({})
    assert [c.kind for c in asked.open_questions] == [ConditionKind.NO_FAULT_PROVEN]
    assert asked.mandatory
    assert no_fault_item({ConditionKind.NO_FAULT_PROVEN: True}).outcome is Applicability.APPLIES
    assert no_fault_item({ConditionKind.NO_FAULT_PROVEN: False}).outcome \
        is Applicability.DOES_NOT_APPLY
