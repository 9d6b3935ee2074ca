"""Tests for fieldapp.domain.dates."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldapp.domain.dates import (
    chinese_date,
    chinese_datetime,
    chinese_numeral_date,
    parse_chinese_numeral_date,
    to_local,
    utc_offset_minutes,
)
from fieldapp.domain.errors import ValidationError

UTC = datetime.UTC
BAD_DATE_TEMPLATE = "'{text}' is not a date in the form 二〇二六年十一月二十一日"


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (datetime.date(2026, 11, 21), "二〇二六年十一月二十一日"),
        (datetime.date(2000, 1, 10), "二〇〇〇年一月十日"),
        (datetime.date(2031, 12, 30), "二〇三一年十二月三十日"),
        (datetime.date(1999, 10, 1), "一九九九年十月一日"),
        (datetime.date(2024, 2, 20), "二〇二四年二月二十日"),
        (datetime.date(2025, 3, 11), "二〇二五年三月十一日"),
        (datetime.date(2025, 7, 31), "二〇二五年七月三十一日"),
    ],
)
def test_chinese_numeral_date(d: datetime.date, expected: str) -> None:
    assert chinese_numeral_date(d) == expected
    assert parse_chinese_numeral_date(expected) == d


@given(
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2199, 12, 31))
)
def test_numeral_date_round_trip(d: datetime.date) -> None:
    text = chinese_numeral_date(d)
    assert parse_chinese_numeral_date(text) == d
    assert "0" not in text and "零" not in text


def test_parse_ignores_surrounding_whitespace() -> None:
    assert parse_chinese_numeral_date(" 二〇二六年十一月二十一日\n") == datetime.date(
        2026, 11, 21
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026年11月21日",
        "二〇二六年十一月二十一",
        "二零二六年十一月二十一日",  # 零 instead of 〇
        "二〇二六年一十一月二十一日",  # non-canonical 一十一
        "二〇二六年十一月二一日",  # missing 十
        "二〇二六年十三月一日",  # no month 13
        "二〇二六年〇月一日",
        "二〇二六年二月三十日",  # no 30 February
        "二〇二五年二月二十九日",  # not a leap year
        "二〇二六年十一月三十二日",
        "二〇二六年十一月十十日",
        "二〇二六年一十月一日",  # non-canonical 一十 for 10
        "二〇二六年十月一十日",
        "〇二〇年一月一日",  # leading 〇 in a short year
        "〇二〇二六年十一月二十一日",  # leading 〇 in the year
        "〇〇〇〇年一月一日",
        "二〇二六年十一月二十一日二〇二六年十一月二十一日",
    ],
)
def test_parse_rejects_bad_input(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_chinese_numeral_date(text)
    assert info.value.field == "date"
    assert info.value.problem == BAD_DATE_TEMPLATE
    assert info.value.params == {"text": text}


def test_chinese_date() -> None:
    assert chinese_date(datetime.date(2026, 11, 21)) == "2026年11月21日"
    assert chinese_date(datetime.date(2026, 1, 5)) == "2026年1月5日"


def test_chinese_datetime_pads_time_only() -> None:
    assert (
        chinese_datetime(datetime.datetime(2026, 11, 21, 9, 5))
        == "2026年11月21日 09时05分"
    )
    assert (
        chinese_datetime(datetime.datetime(2026, 1, 2, 23, 59, 59))
        == "2026年1月2日 23时59分"
    )


def test_chinese_datetime_does_not_convert_zones() -> None:
    zone = datetime.timezone(datetime.timedelta(hours=8))
    dt = datetime.datetime(2026, 11, 21, 0, 30, tzinfo=zone)
    assert chinese_datetime(dt) == "2026年11月21日 00时30分"


def test_to_local_from_aware_utc() -> None:
    dt = datetime.datetime(2026, 11, 20, 18, 5, tzinfo=UTC)
    local = to_local(dt, 480)
    assert (local.year, local.month, local.day, local.hour, local.minute) == (
        2026,
        11,
        21,
        2,
        5,
    )
    assert local.utcoffset() == datetime.timedelta(hours=8)
    assert local == dt


def test_to_local_treats_naive_as_utc() -> None:
    local = to_local(datetime.datetime(2026, 1, 1, 0, 0), -330)
    assert local == datetime.datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    assert (local.day, local.hour, local.minute) == (31, 18, 30)
    assert utc_offset_minutes(local) == -330


def test_to_local_converts_from_other_zone() -> None:
    zone = datetime.timezone(datetime.timedelta(hours=-5))
    dt = datetime.datetime(2026, 6, 1, 20, 0, tzinfo=zone)
    local = to_local(dt, 60)
    assert (local.day, local.hour) == (2, 2)


@pytest.mark.parametrize("offset", [1440, -1440, 2000])
def test_to_local_rejects_impossible_offsets(offset: int) -> None:
    with pytest.raises(ValueError):
        to_local(datetime.datetime(2026, 1, 1, tzinfo=UTC), offset)


@given(
    st.datetimes(
        min_value=datetime.datetime(1901, 1, 1), max_value=datetime.datetime(2199, 1, 1)
    ),
    st.integers(-1439, 1439),
)
def test_to_local_keeps_the_instant(naive_utc: datetime.datetime, offset: int) -> None:
    aware = naive_utc.replace(tzinfo=UTC)
    local = to_local(aware, offset)
    assert local == aware
    assert utc_offset_minutes(local) == offset


def test_utc_offset_minutes() -> None:
    assert utc_offset_minutes(datetime.datetime(2026, 1, 1, tzinfo=UTC)) == 0
    zone = datetime.timezone(datetime.timedelta(hours=5, minutes=45))
    assert utc_offset_minutes(datetime.datetime(2026, 1, 1, tzinfo=zone)) == 345


def test_utc_offset_minutes_rejects_naive() -> None:
    with pytest.raises(ValueError):
        utc_offset_minutes(datetime.datetime(2026, 1, 1))
