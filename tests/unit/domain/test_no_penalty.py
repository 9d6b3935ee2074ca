"""The no-penalty list: which version governs an act, whether an item applies, and
reading the lists' own words (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldapp.domain.errors import ValidationError
from fieldapp.domain.no_penalty import (
    Applicability,
    Condition,
    ConditionKind,
    ExemptionKind,
    ImportErrors,
    NoPenaltyItem,
    NoPenaltyList,
    Problems,
    RequiredMeasure,
    Verdict,
    check_condition,
    evaluate,
    format_conditions,
    items_for_violation,
    list_in_force,
    parse_conditions,
    parse_date,
    parse_end_date,
    parse_exemption_kind,
    parse_item_no,
    parse_required_measure,
    parse_violation_codes,
    read_condition,
)

K = ConditionKind


def _item(kind: ExemptionKind = ExemptionKind.FIRST_OFFENCE,
          conditions: tuple[Condition, ...] | None = None, codes: tuple[str, ...] = ("SZ01",),
          item_no: int = 1) -> NoPenaltyItem:
    return NoPenaltyItem(
        item_no=item_no, domain="市政设施", name="擅自占用城市道路", violation_codes=codes,
        exemption_kind=kind, required_measure=RequiredMeasure.EDUCATION_AND_ORDER,
        conditions=conditions or (
            Condition(K.FIRST_OFFENCE, "首次被发现"),
            Condition(K.AREA_MAX_M2, "占用面积不超过5平方米", 5.0),
            Condition(K.CORRECTED_IN_PERIOD, "在责令改正期限内改正"),
        ))


def _list(doc_no: str, start: dt.date, end: dt.date | None = None,
          items: tuple[NoPenaltyItem, ...] = ()) -> NoPenaltyList:
    return NoPenaltyList(city="示例市", issuer="示例市城市管理局", doc_no=doc_no, title="免罚清单",
                         effective_from=start, effective_to=end, items=items)


# ---- evaluation ---------------------------------------------------------------------


def test_every_condition_met_means_the_item_applies() -> None:
    result = evaluate(_item(), {K.FIRST_OFFENCE: True, K.AREA_MAX_M2: 3.5,
                                K.CORRECTED_IN_PERIOD: True})
    assert [c.verdict for c in result.conditions] == [Verdict.MET] * 3
    assert result.outcome is Applicability.APPLIES
    assert result.applies


def test_one_condition_not_met_means_it_does_not_apply_even_with_unknowns() -> None:
    result = evaluate(_item(), {K.FIRST_OFFENCE: False})
    assert [c.verdict for c in result.conditions] == [Verdict.NOT_MET, Verdict.UNKNOWN,
                                                       Verdict.UNKNOWN]
    assert result.outcome is Applicability.DOES_NOT_APPLY
    assert not result.applies


def test_unanswered_conditions_leave_it_undetermined_and_are_listed() -> None:
    result = evaluate(_item(), {K.FIRST_OFFENCE: True, K.AREA_MAX_M2: None})
    assert result.outcome is Applicability.UNDETERMINED
    assert [c.kind for c in result.open_questions] == [K.AREA_MAX_M2, K.CORRECTED_IN_PERIOD]


@pytest.mark.parametrize(("measure", "verdict"), [
    (0.0, Verdict.MET), (4.9, Verdict.MET), (5, Verdict.MET), (5.01, Verdict.NOT_MET),
    (40, Verdict.NOT_MET), (True, Verdict.MET), (False, Verdict.NOT_MET),
    (None, Verdict.UNKNOWN),
])
def test_a_quantified_condition_compares_the_measure_with_the_limit(
        measure: float | bool | None, verdict: Verdict) -> None:
    result = evaluate(_item(), {K.AREA_MAX_M2: measure})
    assert result.conditions[1].verdict is verdict


def test_several_limits_are_each_checked() -> None:
    item = _item(conditions=(Condition(K.AREA_MAX_M2, "面积不超过5平方米", 5.0),
                             Condition(K.DURATION_MAX_DAYS, "时间不超过2天", 2.0)))
    assert evaluate(item, {K.AREA_MAX_M2: 4, K.DURATION_MAX_DAYS: 2}).applies
    assert evaluate(item, {K.AREA_MAX_M2: 4, K.DURATION_MAX_DAYS: 3}).outcome \
        is Applicability.DOES_NOT_APPLY


def test_a_number_for_a_yes_no_condition_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        evaluate(_item(), {K.FIRST_OFFENCE: 1.0})


@pytest.mark.parametrize(("kind", "mandatory"), [
    (ExemptionKind.MINOR, True), (ExemptionKind.NO_FAULT, True),
    (ExemptionKind.FIRST_OFFENCE, False),
])
def test_minor_and_no_fault_are_mandatory_first_offence_is_discretionary(
        kind: ExemptionKind, mandatory: bool) -> None:
    assert evaluate(_item(kind), {}).mandatory is mandatory


def test_a_no_fault_item_applies_only_when_the_party_proved_it_had_no_fault() -> None:
    # The city's list names only the situation; art. 33 ¶2 adds the proof of no fault.
    item = _item(ExemptionKind.NO_FAULT, (Condition(K.FIRST_OFFENCE, "首次被发现"),))
    asked = evaluate(item, {K.FIRST_OFFENCE: True})
    assert asked.outcome is Applicability.UNDETERMINED
    assert [c.kind for c in asked.open_questions] == [K.NO_FAULT_PROVEN]
    assert evaluate(item, {K.FIRST_OFFENCE: True, K.NO_FAULT_PROVEN: False}).outcome \
        is Applicability.DOES_NOT_APPLY
    assert evaluate(item, {K.FIRST_OFFENCE: True, K.NO_FAULT_PROVEN: True}).applies
    # Stated by the list itself, the condition is not asked twice; other kinds never get it.
    stated = _item(ExemptionKind.NO_FAULT, (Condition(K.NO_FAULT_PROVEN, "无主观过错"),))
    assert len(evaluate(stated, {}).conditions) == 1
    assert K.NO_FAULT_PROVEN not in {c.condition.kind for c in evaluate(_item(), {}).conditions}


# ---- which version governs an act ------------------------------------------------------


def test_the_list_in_force_on_the_date_of_the_act_is_chosen() -> None:
    old = _list("1号", dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    new = _list("2号", dt.date(2026, 1, 1))
    both = [new, old]
    assert list_in_force(both, dt.date(2023, 12, 31)) is None
    assert list_in_force(both, dt.date(2024, 1, 1)) is old
    assert list_in_force(both, dt.date(2025, 12, 31)) is old  # the last day counts
    assert list_in_force(both, dt.date(2026, 1, 1)) is new
    assert list_in_force(both, dt.date(2030, 6, 1)) is new  # open-ended


def test_overlapping_versions_the_one_that_took_effect_last_wins() -> None:
    first = _list("1号", dt.date(2024, 1, 1))
    second = _list("2号", dt.date(2026, 1, 1))
    assert list_in_force([second, first], dt.date(2025, 6, 1)) is first
    assert list_in_force([second, first], dt.date(2026, 6, 1)) is second
    reissued = _list("2号（重印）", dt.date(2026, 1, 1))
    assert list_in_force([first, second, reissued], dt.date(2026, 6, 1)) is reissued


def test_items_for_a_violation_code_and_the_domains_of_a_list() -> None:
    road = _item(codes=("SZ01",), item_no=1)
    stalls = _item(codes=("JM01", "JM02"), item_no=2)
    lst = _list("1号", dt.date(2026, 1, 1), items=(road, stalls))
    assert items_for_violation(lst, "JM02") == (stalls,)
    assert items_for_violation(lst, "YL01") == ()
    assert lst.domains == ("市政设施",)


# ---- reading the lists' words ---------------------------------------------------------


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("首次被发现", K.FIRST_OFFENCE, None),
    ("初次违法", K.FIRST_OFFENCE, None),
    ("危害后果轻微", K.MINOR_HARM, None),
    ("违法行为轻微，危害后果轻微", K.MINOR_HARM, None),
    ("没有造成危害后果", K.NO_HARMFUL_CONSEQUENCE, None),
    ("经教育当场改正（收摊或物品退回店内）", K.CORRECTED_ON_SPOT, None),
    ("在责令改正期限内自行拆除", K.CORRECTED_IN_PERIOD, None),
    ("积极配合调查", K.COOPERATES, None),
    ("未造成城市道路、桥梁损坏", K.NO_DAMAGE, None),
    ("经批评教育后立即停止", K.STOPS_AFTER_EDUCATION, None),
    ("当事人有证据足以证明没有主观过错", K.NO_FAULT_PROVEN, None),
    ("无过错", K.NO_FAULT_PROVEN, None),
    ("占用面积不超过5平方米", K.AREA_MAX_M2, 5.0),
    ("占地面积在2.5㎡以内", K.AREA_MAX_M2, 2.5),
    ("体积不超过五立方米", K.VOLUME_MAX_M3, 5.0),
    ("占用时间不超过两天", K.DURATION_MAX_DAYS, 2.0),
    ("申请材料齐全，逾期未办理变更不超过3个月", K.OVERDUE_MAX_MONTHS, 3.0),
    ("逾期不超过十二个月", K.OVERDUE_MAX_MONTHS, 12.0),
])
def test_a_condition_is_read_from_its_words(text: str, kind: ConditionKind,
                                            value: float | None) -> None:
    assert read_condition(text) == Condition(kind, text, value)


@pytest.mark.parametrize(("text", "problem"), [
    ("当事人有正当理由", "does not match any known condition"),
    ("首次被发现且及时改正", "more than one condition"),
    ("占用面积不超过5平方米且不超过2天", "more than one condition"),
    ("占用面积5平方米", "no maximum"),
    ("占用时间不超过3个月", "does not match"),  # months are only read as overdue
    ("  ", "is empty"),
    ("首次被发现；及时改正", "must not contain a semicolon"),  # would split in a cell
])
def test_words_that_cannot_be_read_safely_are_refused(text: str, problem: str) -> None:
    with pytest.raises(ValidationError) as err:
        read_condition(text, 2)
    assert problem in err.value.problem
    assert err.value.field == "conditions"


def test_a_conditions_cell_is_split_and_unnumbered_and_reads_back() -> None:
    cell = "1.首次被发现；2.占用面积不超过5平方米;3、在责令改正期限内改正\n(4)积极配合调查"
    conditions = parse_conditions(cell)
    assert [c.kind for c in conditions] == [K.FIRST_OFFENCE, K.AREA_MAX_M2,
                                            K.CORRECTED_IN_PERIOD, K.COOPERATES]
    assert conditions[1].text == "占用面积不超过5平方米"
    assert format_conditions(conditions) == ("1.首次被发现；2.占用面积不超过5平方米；"
                                             "3.在责令改正期限内改正；4.积极配合调查")
    assert parse_conditions(format_conditions(conditions)) == conditions


def test_a_numbered_list_run_together_with_commas_is_still_split() -> None:
    assert len(parse_conditions("1.首次被发现，2.及时改正")) == 2


def test_the_failing_condition_is_named_by_its_place_in_the_cell() -> None:
    with pytest.raises(ValidationError) as err:
        parse_conditions("1.首次被发现；2.情节显著轻微的其他情形")
    assert err.value.params["number"] == 2


def test_a_condition_given_with_its_kind_must_say_the_same_in_words() -> None:
    assert check_condition(1, "area_max_m2", "面积不超过5平方米", 5) == \
        Condition(K.AREA_MAX_M2, "面积不超过5平方米", 5.0)
    assert check_condition(1, "area_max_m2", "面积不超过5平方米", None).value == 5.0
    with pytest.raises(ValidationError, match="reads as first_offence, not cooperates"):
        check_condition(1, "cooperates", "首次被发现", None)
    with pytest.raises(ValidationError, match="the limit 10 differs"):
        check_condition(1, "area_max_m2", "面积不超过5平方米", 10)


# ---- the other cells --------------------------------------------------------------------


@pytest.mark.parametrize(("text", "kind"), [
    ("轻微不罚", ExemptionKind.MINOR), ("首违可不罚", ExemptionKind.FIRST_OFFENCE),
    ("首违免罚", ExemptionKind.FIRST_OFFENCE), ("无过错不罚", ExemptionKind.NO_FAULT),
    (" minor ", ExemptionKind.MINOR),
])
def test_exemption_kinds_read_as_lists_write_them(text: str, kind: ExemptionKind) -> None:
    assert parse_exemption_kind(text) is kind


def test_a_bad_exemption_kind_lists_the_choices() -> None:
    with pytest.raises(ValidationError) as err:
        parse_exemption_kind("从轻处罚")
    assert err.value.params["choices"] == "轻微不罚、首违可不罚、无过错不罚"


def test_required_measures() -> None:
    assert parse_required_measure("教育并责令改正") is RequiredMeasure.EDUCATION_AND_ORDER
    assert parse_required_measure("签署承诺书") is RequiredMeasure.COMMITMENT
    with pytest.raises(ValidationError):
        parse_required_measure("罚款")


def test_violation_codes_are_checked_against_the_catalogue() -> None:
    known = {"JM01", "JM02", "SZ01"}
    assert parse_violation_codes("jm02，JM01, JM02", known) == ("JM01", "JM02")
    with pytest.raises(ValidationError) as err:
        parse_violation_codes("SZ01,ZZ98,ZZ99", known)
    assert err.value.params["code"] == "ZZ98、ZZ99"
    with pytest.raises(ValidationError, match="at least one"):
        parse_violation_codes(" ", known)


@pytest.mark.parametrize("text", ["2026-01-01", "2026/1/1", "2026年1月1日", " 2026.01.01 "])
def test_dates_in_the_forms_bureaus_type(text: str) -> None:
    assert parse_date("effective from", text) == dt.date(2026, 1, 1)


@pytest.mark.parametrize("text", ["2026-02-30", "明年", "20260101"])
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="not a date"):
        parse_date("effective from", text)


def test_the_end_date_may_be_empty_but_not_before_the_start() -> None:
    assert parse_end_date("", dt.date(2026, 1, 1)) is None
    assert parse_end_date("2026-01-01", dt.date(2026, 1, 1)) == dt.date(2026, 1, 1)
    with pytest.raises(ValidationError, match="before the start date"):
        parse_end_date("2025-12-31", dt.date(2026, 1, 1))


@pytest.mark.parametrize("text", ["0", "-1", "1.5", "一", ""])
def test_item_numbers_are_whole_numbers_from_one(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_item_no(text)


def test_problems_are_all_kept_and_raised_together_by_row() -> None:
    problems = Problems()
    assert problems.check(9, "序号", parse_item_no, "x") is None
    assert problems.check(5, "免罚情形", parse_exemption_kind, "从轻") is None
    assert problems.check(9, "处理措施", parse_required_measure, "罚款") is None
    assert problems.check(7, "序号", parse_item_no, "3") == 3
    with pytest.raises(ImportErrors) as err:
        problems.raise_if_any()
    assert err.value.params == {"count": 2}  # rows, not cells
    assert [(p.row, p.column) for p in err.value.problems] == [
        (5, "免罚情形"), (9, "序号"), (9, "处理措施")]
    assert err.value.problems[1].message() == "'x' is not a whole number of 1 or more"
    assert "row 5, 免罚情形" in str(err.value)
