"""Validation of profiles and of the two-officer rule (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace as dataclass_replace

import pytest

from fieldapp.domain.entities import (
    EvidenceData,
    EvidenceType,
    FindingData,
    InspectionData,
    OfficerRef,
    OfficerRole,
    SubjectData,
    SubjectKind,
)
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.validation import (
    CLOCK_TOLERANCE,
    SUBJECT_TEXT_FIELDS,
    TEXT_LIMITS,
    check_day,
    check_inspection,
    check_moment,
    check_text,
    check_two_officers,
    validate_phone,
    validate_subject,
)

UTC8 = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=UTC8)
SINCE = dt.date(2023, 1, 1)


def _officer(n: int, role: OfficerRole = OfficerRole.OFFICER, active: bool = True) -> OfficerRef:
    return OfficerRef(id=str(n), name=f"队员{n}", certificate_no=f"C{n}",
                      certificate_valid_from=dt.date(2024, 1, 1),
                      certificate_valid_to=dt.date(2026, 12, 31), role=role, active=active)


def test_two_distinct_valid_officers_pass() -> None:
    check_two_officers([_officer(1), _officer(2)], dt.date(2026, 11, 21))


@pytest.mark.parametrize(("officers", "on", "problem"), [
    ([_officer(1), _officer(1)], dt.date(2026, 1, 1), "at least two"),
    ([_officer(1)], dt.date(2026, 1, 1), "at least two"),
    ([_officer(1), _officer(2, OfficerRole.AUXILIARY)], dt.date(2026, 1, 1), "auxiliary"),
    ([_officer(1), _officer(2, active=False)], dt.date(2026, 1, 1), "not active"),
    ([_officer(1), _officer(2)], dt.date(2027, 1, 1), "not valid"),
    ([_officer(1), _officer(2)], dt.date(2023, 12, 31), "not valid"),
])
def test_two_officer_rule_failures(officers, on, problem) -> None:
    with pytest.raises(ValidationError) as err:
        check_two_officers(officers, on)
    assert err.value.field == "officers"
    assert problem in err.value.problem


@pytest.mark.parametrize("phone", ["13812345678", "010-65123456", "0755 2345678", "(021)12345678"])
def test_phone_numbers_accepted(phone: str) -> None:
    assert validate_phone(phone)


@pytest.mark.parametrize("phone", ["12345", "23812345678", "abc"])
def test_phone_numbers_refused(phone: str) -> None:
    with pytest.raises(ValidationError) as err:
        validate_phone(phone)
    assert err.value.field == "phone"


def test_id_number_fills_birth_date_and_gender() -> None:
    data = validate_subject(SubjectData(kind=SubjectKind.INDIVIDUAL, name=" 孙丽 ",
                                        id_number="11010519491231002x"))
    assert data.name == "孙丽"
    assert data.id_number == "11010519491231002X"
    assert (data.birth_date, data.gender) == (dt.date(1949, 12, 31), "female")


def test_each_kind_requires_what_identifies_it() -> None:
    with pytest.raises(ValidationError) as err:
        validate_subject(SubjectData(kind=SubjectKind.INDIVIDUAL))
    assert err.value.field == "name"
    with pytest.raises(ValidationError) as err:
        validate_subject(SubjectData(kind=SubjectKind.INDIVIDUAL_BUSINESS))
    assert err.value.field == "shop sign"
    assert validate_subject(SubjectData(kind=SubjectKind.INDIVIDUAL_BUSINESS, shop_sign="老王烧烤"))
    with pytest.raises(ValidationError) as err:
        validate_subject(SubjectData(kind=SubjectKind.BUSINESS, name="某公司",
                                     id_number="11010519491231002X"))
    assert err.value.field == "ID number"


def test_too_long_text_names_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        validate_subject(SubjectData(kind=SubjectKind.INDIVIDUAL, name="张" * 101))
    assert err.value.field == "name" and err.value.params["limit"] == 100


@pytest.mark.parametrize("field", sorted(SUBJECT_TEXT_FIELDS))
def test_every_free_text_of_a_subject_has_a_limit(field: str) -> None:
    label = SUBJECT_TEXT_FIELDS[field]
    limit = TEXT_LIMITS[label]
    data = SubjectData(kind=SubjectKind.UNIDENTIFIED_VENDOR, appearance="蓝色三轮车")
    ok = validate_subject(dataclass_replace(data, **{field: "字" * limit}))
    assert len(getattr(ok, field)) == limit
    with pytest.raises(ValidationError) as err:
        validate_subject(dataclass_replace(data, **{field: "x" * 130_000}))
    assert err.value.field == label and err.value.params["limit"] == limit


def test_a_subject_born_after_today_is_refused() -> None:
    data = SubjectData(kind=SubjectKind.INDIVIDUAL, name="张三", id_number="110105203012310026")
    assert validate_subject(data).birth_date == dt.date(2030, 12, 31)  # no clock, no check
    with pytest.raises(ValidationError) as err:
        validate_subject(data, today=dt.date(2026, 12, 1))
    assert err.value.field == "ID number"


def test_text_is_stripped_and_limited() -> None:
    assert check_text("receiver", "  张三 ") == "张三"
    with pytest.raises(ValidationError) as err:
        check_text("receiver", "张" * 101)
    assert err.value.field == "receiver" and err.value.params["length"] == 101


@pytest.mark.parametrize(("moment", "problem"), [
    (NOW + CLOCK_TOLERANCE + dt.timedelta(seconds=1), "{value} lies in the future"),
    (dt.datetime(2030, 1, 1, 9, 0, tzinfo=UTC8), "{value} lies in the future"),
    (dt.datetime(2022, 12, 31, 23, 59, tzinfo=UTC8),
     "{value} is before the squad existed (from {since})"),
    (dt.datetime(2026, 1, 1, 9, 0), "must carry a UTC offset"),
])
def test_times_outside_the_squads_life_are_refused(moment, problem) -> None:
    with pytest.raises(ValidationError) as err:
        check_moment("time", moment, now=NOW, since=SINCE)
    assert err.value.field == "time" and err.value.problem == problem


def test_times_within_the_tolerance_and_the_squads_life_pass() -> None:
    for moment in (NOW + CLOCK_TOLERANCE, NOW, dt.datetime(2023, 1, 1, 0, 0, tzinfo=UTC8)):
        assert check_moment("time", moment, now=NOW, since=SINCE) == moment
    # The squad's first day is the agency's calendar day, not UTC's.
    early = dt.datetime(2022, 12, 31, 16, 30, tzinfo=dt.UTC)  # 00:30 on 1 January, UTC+8
    assert check_moment("time", early, now=NOW, since=SINCE) == early


def test_days_of_approvals() -> None:
    today = NOW.date()
    assert check_day("date of the action", today, today=today, since=SINCE) == today
    for day, problem in ((today + dt.timedelta(days=1), "{value} lies in the future"),
                         (dt.date(2020, 5, 1),
                          "{value} is before the squad existed (from {since})")):
        with pytest.raises(ValidationError) as err:
            check_day("date of the action", day, today=today, since=SINCE)
        assert err.value.problem == problem


def test_an_inspection_is_checked_whole() -> None:
    finding = FindingData(violation_code="JM01", facts="占道", corrected_on_spot=False)
    good = InspectionData(subject_id="s", officer_ids=("a", "b"), at=NOW, address="人民路",
                          findings=(finding,))
    assert check_inspection(good, now=NOW, since=SINCE) is good
    for bad, field in (
            (dataclass_replace(good, address="路" * 301), "address"),
            (dataclass_replace(good, findings=(dataclass_replace(
                finding, override_reason="因" * 2001),)), "override reason"),
            (dataclass_replace(good, evidence=(EvidenceData(
                path="p.jpg", evidence_type=EvidenceType.AUDIOVISUAL,
                captured_at=NOW + dt.timedelta(days=1)),)), "time")):
        with pytest.raises(ValidationError) as err:
            check_inspection(bad, now=NOW, since=SINCE)
        assert err.value.field == field
