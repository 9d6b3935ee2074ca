"""The working-day calendar (工作日历) that legal periods are counted on.

《行政处罚法》art. 85 makes the Act's periods of two, three, five and seven days working
days, and 《行政强制法》art. 69 does the same for its periods of ten days or less: official
holidays (法定节假日) do not count, nor do weekends, except the Saturdays and Sundays the
State Council turns into working days (调休上班). Longer periods run in calendar days, but
one whose last day is not a working day ends on the next working day (期间届满的最后一日
是法定休假日的，以休假日后的第一日为期间届满的日期).

In every period the day it starts from is not counted (期间开始的日不计算在内): counting
begins the next day.

Holidays are announced each year, so the calendar knows which years it has data for and
refuses, naming the year, to count through any other: a silently guessed holiday would
produce a wrong legal deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fieldapp.domain.errors import ValidationError

_ONE_DAY = dt.timedelta(days=1)
_SATURDAY = 5


def unknown_year(year: int) -> ValidationError:
    return ValidationError(
        "date", "no holiday calendar for {year}; add that year's holidays in the settings",
        year=year)


@dataclass(frozen=True)
class WorkCalendar:
    """Official holidays, adjusted working days and the years both lists are complete for.

    ``holidays`` are days off even on a weekday; ``workdays`` are weekend days worked
    (调休上班). A day cannot be both.
    """

    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    known_years: frozenset[int]
    # Lenient: a year nobody has entered yet counts weekends only. Deadlines computed so
    # are provisional and shown as such (see ``provisional``), instead of blocking work
    # in December before the State Council publishes next year's holidays.
    lenient: bool = False

    def __post_init__(self) -> None:
        both = self.holidays & self.workdays
        if both:
            days = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"days both holiday and working day: {days}")

    def is_working_day(self, day: dt.date) -> bool:
        """Monday to Friday unless a holiday; Saturday or Sunday only if worked (调休)."""
        if day.year not in self.known_years and not self.lenient:
            raise unknown_year(day.year)
        if day in self.workdays:
            return True
        return day.weekday() < _SATURDAY and day not in self.holidays

    def provisional(self, start: dt.date, end: dt.date) -> bool:
        """True when a period touches a year whose holidays are not known."""
        low, high = sorted((start.year, end.year))
        return any(year not in self.known_years for year in range(low, high + 1))

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted).

        ``n == 0`` returns ``start`` unchanged, working day or not: no period, no counting.
        A negative ``n`` counts backwards: the ``-n``-th working day before ``start``.
        """
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        day = start
        for _ in range(abs(n)):
            day = self._next_working(day, step)
        return day

    def add_days(self, start: dt.date, n: int) -> dt.date:
        """The end of a period of ``n`` calendar days from ``start`` (``start`` not counted).

        The end moves to the next working day when it falls on a holiday or weekend.
        """
        end = start + dt.timedelta(days=n)
        if self.is_working_day(end):
            return end
        return self._next_working(end, _ONE_DAY)

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days after ``a`` up to and including ``b``; negative when ``b < a``.

        The inverse of ``add_working_days``: ``between(d, add_working_days(d, n)) == n``
        for ``n >= 0``.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a + _ONE_DAY
        while day <= b:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return count

    def previous_working_day(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the last working day before it."""
        if self.is_working_day(day):
            return day
        return self._next_working(day, -_ONE_DAY)

    def _next_working(self, day: dt.date, step: dt.timedelta) -> dt.date:
        # Terminates: weekdays come every week, and (strict) unknown years raise.
        day += step
        while not self.is_working_day(day):
            day += step
        return day
