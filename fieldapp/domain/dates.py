"""Chinese date formats and fixed-offset time zone helpers.

``chinese_numeral_date`` writes the official document style (二〇二六年十一月二十一日),
``chinese_date`` / ``chinese_datetime`` the arabic style (2026年11月21日 09时05分).
The domain reads no clock and consults no time zone database: local time is a fixed
UTC offset in minutes.
"""

from __future__ import annotations

import datetime
import re

from fieldapp.domain.errors import ValidationError

#: Chinese numerals 0-9 as used digit by digit in years (〇, not 零).
NUMERAL_DIGITS = "〇一二三四五六七八九"
_TEN = "十"
_MINUTES_PER_DAY = 24 * 60

_NUMERAL_DATE = re.compile(
    r"([〇一二三四五六七八九]{1,4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日"
)


def _year_numerals(year: int) -> str:
    return "".join(NUMERAL_DIGITS[int(c)] for c in str(year))


def _small_number_numerals(n: int) -> str:
    """1-99 as Chinese numerals: 十, 十一, 二十, 二十一, 三十一 ..."""
    tens, units = divmod(n, 10)
    tens_part = (
        "" if tens == 0 else (_TEN if tens == 1 else NUMERAL_DIGITS[tens] + _TEN)
    )
    units_part = "" if units == 0 else NUMERAL_DIGITS[units]
    return tens_part + units_part


def chinese_numeral_date(d: datetime.date) -> str:
    """Official document style, e.g. 二〇二六年十一月二十一日."""
    return (
        f"{_year_numerals(d.year)}年"
        f"{_small_number_numerals(d.month)}月"
        f"{_small_number_numerals(d.day)}日"
    )


def chinese_date(d: datetime.date) -> str:
    """Arabic style without leading zeros, e.g. 2026年11月21日."""
    return f"{d.year}年{d.month}月{d.day}日"


def chinese_datetime(dt: datetime.datetime) -> str:
    """Arabic style with time, e.g. 2026年11月21日 09时05分; no time zone conversion."""
    return f"{chinese_date(dt.date())} {dt.hour:02d}时{dt.minute:02d}分"


def _bad_numeral_date(text: str) -> ValidationError:
    return ValidationError(
        "date", "'{text}' is not a date in the form 二〇二六年十一月二十一日", text=text
    )


def _numerals_value(numerals: str) -> int:
    """Value of 1-99 written as Chinese numerals; canonical form is checked by the caller."""
    if _TEN not in numerals:
        return NUMERAL_DIGITS.index(numerals) if len(numerals) == 1 else -1
    tens_part, _, units_part = numerals.partition(_TEN)
    tens = NUMERAL_DIGITS.index(tens_part) if tens_part else 1
    units = NUMERAL_DIGITS.index(units_part) if units_part else 0
    return tens * 10 + units


def parse_chinese_numeral_date(s: str) -> datetime.date:
    """Inverse of ``chinese_numeral_date``; only the canonical form is accepted.

    Surrounding whitespace is ignored.
    """
    text = s.strip()
    match = _NUMERAL_DATE.fullmatch(text)
    if match is None:
        raise _bad_numeral_date(s)
    year_part, month_part, day_part = match.groups()
    try:
        year = int("".join(str(NUMERAL_DIGITS.index(c)) for c in year_part))
        parsed = datetime.date(
            year, _numerals_value(month_part), _numerals_value(day_part)
        )
    except ValueError:
        raise _bad_numeral_date(s) from None
    if chinese_numeral_date(parsed) != text:
        raise _bad_numeral_date(s)
    return parsed


def _check_offset(offset_minutes: int) -> None:
    if not -_MINUTES_PER_DAY < offset_minutes < _MINUTES_PER_DAY:
        raise ValueError(
            f"UTC offset must be within ±1439 minutes, got {offset_minutes}"
        )


def to_local(dt_utc: datetime.datetime, offset_minutes: int) -> datetime.datetime:
    """``dt_utc`` as an aware datetime in the fixed zone UTC+``offset_minutes``.

    A naive ``dt_utc`` is taken to be UTC; an aware one is converted from its own zone.
    """
    _check_offset(offset_minutes)
    if dt_utc.tzinfo is None or dt_utc.utcoffset() is None:
        dt_utc = dt_utc.replace(tzinfo=datetime.UTC)
    zone = datetime.timezone(datetime.timedelta(minutes=offset_minutes))
    return dt_utc.astimezone(zone)


def utc_offset_minutes(dt: datetime.datetime) -> int:
    """The UTC offset of an aware datetime in whole minutes (seconds are floored)."""
    offset = dt.utcoffset()
    if offset is None:
        raise ValueError("a naive datetime has no UTC offset")
    return offset // datetime.timedelta(minutes=1)
