"""文号: text from a pattern, parsing back, blocks of serials, exhaustion, no reuse."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldapp.domain.errors import ValidationError
from fieldapp.domain.numbering import (
    DEFAULT_PATTERN,
    BlockState,
    SerialRange,
    check_free,
    check_pattern,
    format_number,
    next_free_range,
    next_serial,
    parse_serial,
)


def test_default_pattern_uses_six_corner_brackets_and_no_padding() -> None:
    number = format_number(DEFAULT_PATTERN, agency="东城管", code="罚决字", year=2026, serial=7)
    assert number == "东城管罚决字〔2026〕第7号"
    assert format_number(DEFAULT_PATTERN, agency="X城管", code="罚决字", year=2026,
                         serial=1000) == "X城管罚决字〔2026〕第1000号"


def test_an_agency_pattern_may_drop_di_and_add_the_squad() -> None:
    pattern = "{agency}{squad}{code}〔{year}〕{serial}号"
    assert format_number(pattern, agency="玉抚管", squad="DHM", code="罚决字", year=2020,
                         serial=4006) == "玉抚管DHM罚决字〔2020〕4006号"


@pytest.mark.parametrize("pattern", ["{agency}{code}〔{year}〕第号", "{agency}{code}第{serial}号",
                                     "{agency}{kind}〔{year}〕第{serial}号",
                                     "{agency}{code}〔{year}〕第{serial}{serial}号",
                                     "{agency}{code}〔{year}〕第{serial号"])
def test_bad_patterns_are_refused_with_the_field_named(pattern: str) -> None:
    with pytest.raises(ValidationError) as err:
        check_pattern(pattern)
    assert err.value.field == "document number pattern"


@given(st.integers(1, 10**7), st.integers(2000, 2100))
def test_parse_reads_back_what_format_wrote(serial: int, year: int) -> None:
    number = format_number(DEFAULT_PATTERN, agency="东城管", code="立字", year=year,
                           serial=serial)
    assert parse_serial(number, DEFAULT_PATTERN, agency="东城管", code="立字",
                        year=year) == serial


def test_parse_rejects_other_kinds_years_and_zero_padding() -> None:
    args = {"agency": "东城管", "code": "立字", "year": 2026}
    assert parse_serial("东城管罚决字〔2026〕第3号", DEFAULT_PATTERN, **args) is None
    assert parse_serial("东城管立字〔2025〕第3号", DEFAULT_PATTERN, **args) is None
    assert parse_serial("东城管立字〔2026〕第03号", DEFAULT_PATTERN, **args) is None


def test_next_serial_counts_up_and_reports_exhaustion() -> None:
    block = BlockState(SerialRange(51, 53), 51)
    issued = []
    for _ in range(3):
        serial, block = next_serial(block)
        issued.append(serial)
    assert issued == [51, 52, 53]
    assert block.exhausted
    serial, block = next_serial(block)
    assert serial is None and block.next == 54


def test_voided_serials_are_skipped_never_issued() -> None:
    block = BlockState(SerialRange(1, 5), 1)
    serial, block = next_serial(block, skip={1, 2, 4})
    assert serial == 3
    serial, block = next_serial(block, skip={1, 2, 4})
    assert serial == 5
    assert next_serial(block, skip={1, 2, 4})[0] is None


def test_a_local_block_starts_after_every_known_block_and_serial() -> None:
    known = [SerialRange(1, 50), SerialRange(101, 150)]
    assert next_free_range(known, used=[], size=50) == SerialRange(151, 200)
    # A voided or used number above the blocks (e.g. imported) is never reissued.
    assert next_free_range(known, used=[160], size=10) == SerialRange(161, 170)
    assert next_free_range([], used=[], size=50) == SerialRange(1, 50)


def test_a_leased_block_may_not_overlap_or_hold_used_serials() -> None:
    known = [SerialRange(1, 50)]
    check_free(SerialRange(51, 100), known, used=[])
    with pytest.raises(ValidationError, match="overlaps"):
        check_free(SerialRange(50, 99), known, used=[])
    with pytest.raises(ValidationError, match="already used"):
        check_free(SerialRange(60, 70), known, used=[65])


def test_ranges_must_be_real() -> None:
    with pytest.raises(ValidationError):
        SerialRange(0, 5)
    with pytest.raises(ValidationError):
        SerialRange(10, 9)
    assert SerialRange(3, 7).size == 5 and 7 in SerialRange(3, 7) and 8 not in SerialRange(3, 7)
