"""Validation of profiles and of the two-officer rule (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldapp.domain.entities import OfficerRef, OfficerRole, SubjectData, SubjectKind
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.validation import check_two_officers, validate_phone, validate_subject


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
