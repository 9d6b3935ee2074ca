"""Tests for fieldapp.domain.identity."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldapp.domain.errors import ValidationError
from fieldapp.domain.identity import (
    CREDIT_CODE_ALPHABET,
    CREDIT_CODE_ENTITY_TYPES,
    PROVINCE_CODES,
    birth_date_of,
    credit_code_check_char,
    gender_of,
    looks_like_credit_code,
    looks_like_resident_id,
    resident_id_check_digit,
    validate_credit_code,
    validate_resident_id,
)

VALID_ID = "11010519491231002X"
VALID_CREDIT_CODE = "91350100M000100Y43"
DIGITS = "0123456789"


def _id_error(value: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_resident_id(value)
    assert info.value.field == "ID number"
    return info.value


def _credit_error(value: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_credit_code(value)
    assert info.value.field == "unified social credit code"
    return info.value


# --- resident identity number: examples ---------------------------------------------


def test_known_resident_id_is_valid() -> None:
    assert validate_resident_id(VALID_ID) == VALID_ID


def test_resident_id_is_normalised() -> None:
    assert validate_resident_id(" 110105 19491231 002x ") == VALID_ID


def test_resident_id_wrong_check_digit() -> None:
    error = _id_error("110105194912310021")
    assert error.problem == "the check digit should be {expected}, not {actual}"
    assert error.params == {"expected": "X", "actual": "1"}


def test_resident_id_check_digit_of_sample() -> None:
    assert resident_id_check_digit("11010519491231002") == "X"


@pytest.mark.parametrize("value", ["", "1101051949123100", "11010519491231002X1"])
def test_resident_id_wrong_length(value: str) -> None:
    error = _id_error(value)
    assert error.problem == "must be 18 characters, got {length}"
    assert error.params == {"length": len(value)}


def test_resident_id_first_non_digit_is_reported() -> None:
    error = _id_error("1101A519491B31002X")
    assert error.problem == "character {position} must be a digit"
    assert error.params == {"position": 5}


def test_resident_id_unicode_digits_are_not_digits() -> None:
    error = _id_error("11010519491231００2X")
    assert error.params == {"position": 15}


def test_resident_id_bad_last_character() -> None:
    error = _id_error("11010519491231002Y")
    assert error.problem == "the last character must be a digit or X"
    assert error.params == {}


@pytest.mark.parametrize(
    "region", ["00", "10", "16", "20", "24", "47", "55", "66", "72", "84", "99"]
)
def test_resident_id_bad_region(region: str) -> None:
    first17 = region + "010519491231002"
    error = _id_error(first17 + resident_id_check_digit(first17))
    assert error.problem == "the region code {code} is not a province-level code"
    assert error.params == {"code": region}


@pytest.mark.parametrize(
    "birth", ["19490230", "19491301", "19490001", "19490100", "20230229"]
)
def test_resident_id_birth_date_not_real(birth: str) -> None:
    first17 = "110105" + birth + "002"
    error = _id_error(first17 + resident_id_check_digit(first17))
    assert error.problem == "the birth date {date} is not a real date"
    assert error.params == {"date": birth}


def test_resident_id_birth_year_before_1900() -> None:
    first17 = "110105" + "18991231" + "002"
    error = _id_error(first17 + resident_id_check_digit(first17))
    assert error.problem == "the birth year {year} is before 1900"
    assert error.params == {"year": "1899"}


def test_resident_id_born_in_the_future_is_refused_given_today() -> None:
    first17 = "11010520301231002"
    future = first17 + resident_id_check_digit(first17)
    assert validate_resident_id(future) == future  # without a clock, only the shape counts
    with pytest.raises(ValidationError) as info:
        validate_resident_id(future, today=datetime.date(2026, 12, 1))
    assert info.value.field == "ID number"
    assert info.value.problem == "the birth date {date} lies in the future"
    assert info.value.params == {"date": "2030-12-31"}
    born_today = "11010520261201002"
    number = born_today + resident_id_check_digit(born_today)
    assert validate_resident_id(number, today=datetime.date(2026, 12, 1)) == number


def test_resident_id_leap_day_is_real() -> None:
    first17 = "110105" + "20000229" + "002"
    value = first17 + resident_id_check_digit(first17)
    assert birth_date_of(value) == datetime.date(2000, 2, 29)


def test_resident_id_first_problem_wins() -> None:
    # Bad region, bad date and bad check digit: the region is reported.
    error = _id_error("990105194902300021")
    assert error.params == {"code": "99"}


def test_birth_date_and_gender() -> None:
    assert birth_date_of(VALID_ID) == datetime.date(1949, 12, 31)
    assert gender_of(VALID_ID) == "female"
    first17 = "11010519491231001"
    assert gender_of(first17 + resident_id_check_digit(first17)) == "male"


def test_birth_date_of_rejects_invalid() -> None:
    with pytest.raises(ValidationError):
        birth_date_of("110105194912310021")


def test_resident_id_check_digit_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        resident_id_check_digit("1101051949123100")
    with pytest.raises(ValueError):
        resident_id_check_digit("1101051949123100A")


def test_looks_like_resident_id() -> None:
    assert looks_like_resident_id(VALID_ID)
    assert looks_like_resident_id("110105 19491231 002x")
    assert looks_like_resident_id("999999999999999999")  # shape only, no checksum
    assert not looks_like_resident_id("11010519491231002")
    assert not looks_like_resident_id("1101051949123100XX")
    assert not looks_like_resident_id(VALID_CREDIT_CODE)
    assert not looks_like_resident_id("张三")


# --- resident identity number: properties -------------------------------------------

resident_first17 = st.builds(
    lambda region, rest, birth, seq: region + rest + birth.strftime("%Y%m%d") + seq,
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.text(DIGITS, min_size=4, max_size=4),
    st.dates(
        min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2199, 12, 31)
    ),
    st.text(DIGITS, min_size=3, max_size=3),
)


@given(resident_first17)
def test_computed_check_digit_validates(first17: str) -> None:
    value = first17 + resident_id_check_digit(first17)
    assert validate_resident_id(value) == value
    assert looks_like_resident_id(value)


@given(resident_first17)
def test_check_digit_satisfies_iso_7064_mod_11_2(first17: str) -> None:
    # Independent oracle: with X = 10, sum(a_i * 2^(18-i)) over all 18 characters
    # is congruent to 1 modulo 11.
    check = resident_id_check_digit(first17)
    values = [int(c) for c in first17] + [10 if check == "X" else int(check)]
    assert sum(v * 2 ** (17 - i) for i, v in enumerate(values)) % 11 == 1


@pytest.mark.parametrize("check", list("0123456789X"))
def test_every_resident_check_digit_occurs(check: str) -> None:
    # Some sequence number yields each check digit; each result obeys the oracle.
    first17 = next(
        f"1101051949123{n:04d}"
        for n in range(10_000)
        if resident_id_check_digit(f"1101051949123{n:04d}") == check
    )
    values = [int(c) for c in first17] + [10 if check == "X" else int(check)]
    assert sum(v * 2 ** (17 - i) for i, v in enumerate(values)) % 11 == 1


@given(resident_first17, st.integers(0, 17), st.sampled_from(DIGITS + "X"))
def test_any_single_change_is_rejected(first17: str, index: int, char: str) -> None:
    value = first17 + resident_id_check_digit(first17)
    if index < 17 and char == "X":
        char = "A"  # not a digit either: must still be rejected
    if value[index] == char:
        char = "5" if char != "5" else "6"
    changed = value[:index] + char + value[index + 1 :]
    with pytest.raises(ValidationError):
        validate_resident_id(changed)


# --- unified social credit code: examples -------------------------------------------


def test_known_credit_code_is_valid() -> None:
    assert credit_code_check_char(VALID_CREDIT_CODE[:17]) == "3"
    assert validate_credit_code(VALID_CREDIT_CODE) == VALID_CREDIT_CODE


def test_credit_code_is_normalised() -> None:
    assert validate_credit_code(" 91350100m000100y43 ") == VALID_CREDIT_CODE


def test_credit_code_wrong_check_char() -> None:
    error = _credit_error("91350100M000100Y44")
    assert error.problem == "the check digit should be {expected}, not {actual}"
    assert error.params == {"expected": "3", "actual": "4"}


@pytest.mark.parametrize("value", ["", "91350100M000100Y4", "91350100M000100Y433"])
def test_credit_code_wrong_length(value: str) -> None:
    error = _credit_error(value)
    assert error.problem == "must be 18 characters, got {length}"
    assert error.params == {"length": len(value)}


@pytest.mark.parametrize(
    ("value", "position", "char"),
    [
        ("91350100MO00100Y43", 10, "O"),
        ("91350100M000100I43", 16, "I"),
        ("9135010SM000100Y4Z", 8, "S"),
        ("V1350100M000100Y43", 1, "V"),
        ("91350100M-00100Y43", 10, "-"),
    ],
)
def test_credit_code_character_not_allowed(
    value: str, position: int, char: str
) -> None:
    error = _credit_error(value)
    assert error.problem == (
        "character {position} '{char}' is not allowed (I, O, Z, S and V are never used)"
    )
    assert error.params == {"position": position, "char": char}


def test_credit_code_bad_authority() -> None:
    first17 = "B1350100M000100Y4"
    error = _credit_error(first17 + credit_code_check_char(first17))
    assert (
        error.problem
        == "the first character '{char}' is not a registration authority code"
    )
    assert error.params == {"char": "B"}


@pytest.mark.parametrize("prefix", ["99", "Y2", "94", "10", "2A"])
def test_credit_code_bad_entity_type(prefix: str) -> None:
    first17 = prefix + "350100M000100Y4"
    error = _credit_error(first17 + credit_code_check_char(first17))
    assert error.problem == (
        "entity type '{char}' (character 2) is not used by registration authority {authority}"
    )
    assert error.params == {"char": prefix[1], "authority": prefix[0]}


def test_credit_code_division_must_be_digits() -> None:
    first17 = "913501A0M000100Y4"
    error = _credit_error(first17 + credit_code_check_char(first17))
    assert error.problem == (
        "character {position} must be a digit (administrative division code)"
    )
    assert error.params == {"position": 7}


def test_credit_code_first_problem_wins() -> None:
    # Bad authority, bad division and bad check character: the authority is reported.
    error = _credit_error("B135A100M000100Y40")
    assert error.params == {"char": "B"}


def test_credit_code_check_char_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        credit_code_check_char("91350100M000100Y")
    with pytest.raises(ValueError):
        credit_code_check_char("91350100M000100O4")


def test_looks_like_credit_code() -> None:
    assert looks_like_credit_code(VALID_CREDIT_CODE)
    assert looks_like_credit_code("91350100m000100y43")
    assert looks_like_credit_code("ZZ") is False
    assert not looks_like_credit_code("91350100MO00100Y43")
    assert not looks_like_credit_code("91350100M000100Y4")


# --- unified social credit code: properties -----------------------------------------

credit_prefixes = sorted(
    authority + entity_type
    for authority, types in CREDIT_CODE_ENTITY_TYPES.items()
    for entity_type in types
)

credit_first17 = st.builds(
    lambda prefix, division, subject: prefix + division + subject,
    st.sampled_from(credit_prefixes),
    st.text(DIGITS, min_size=6, max_size=6),
    st.text(CREDIT_CODE_ALPHABET, min_size=9, max_size=9),
)


@given(credit_first17)
def test_computed_check_char_validates(first17: str) -> None:
    value = first17 + credit_code_check_char(first17)
    assert validate_credit_code(value) == value
    assert looks_like_credit_code(value)


@given(credit_first17)
def test_check_char_makes_weighted_sum_divisible_by_31(first17: str) -> None:
    # Independent oracle: the weights are 3^(i-1) mod 31 and the check character's
    # value brings the weighted sum to a multiple of 31.
    value = first17 + credit_code_check_char(first17)
    indexes = [CREDIT_CODE_ALPHABET.index(c) for c in value]
    weighted = sum(v * pow(3, i, 31) for i, v in enumerate(indexes[:17]))
    assert (weighted + indexes[17]) % 31 == 0


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("91350100M000100Y4", "3"),
        # weighted sum 9 + 3 + 9 + 27 + 20 = 68, 68 mod 31 = 6, 31 - 6 = 25 -> R
        ("91110000100000000", "R"),
        # 68 + 2 * 28 = 124 = 4 * 31: remainder 0 gives 0, not the 31st character
        ("91110000100000002", "0"),
        # 68 + 12 * 28 = 404, 404 mod 31 = 1, 31 - 1 = 30 -> Y
        ("9111000010000000C", "Y"),
    ],
)
def test_credit_code_check_char_examples(first17: str, check: str) -> None:
    assert credit_code_check_char(first17) == check


@given(
    credit_first17, st.integers(0, 17), st.sampled_from(CREDIT_CODE_ALPHABET + "IOZSV")
)
def test_any_single_credit_code_change_is_rejected(
    first17: str, index: int, char: str
) -> None:
    value = first17 + credit_code_check_char(first17)
    if value[index] == char:
        char = "I"
    changed = value[:index] + char + value[index + 1 :]
    with pytest.raises(ValidationError):
        validate_credit_code(changed)
