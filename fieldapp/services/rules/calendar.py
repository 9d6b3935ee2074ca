"""The working-day calendar: the built-in official holidays plus the days users add.

The ``chinese-calendar`` package carries the State Council's holiday announcements for
the years it was released with. The ``holiday`` table adds to and overrides it: HQ admins
import next year's holidays (a CSV file) before a package update knows them, and anyone
can correct a single day. A year counts as known when the package knows it or the table
holds at least one day of it; deadlines through any other year are refused.

A table row is never deleted, because deletions do not travel through the outbox:
removing a user's day marks it ``removed`` (a tombstone), and the package's view of that
day, if any, applies again. The file format (``date,kind,name``) lives in
``fieldapp.interchange.holiday_calendar``, which HQ reads and writes too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import chinese_calendar
from chinese_calendar.constants import Holiday as PackageHoliday
from sqlmodel import Session, col, func, select

from fieldapp.domain.calendar import WorkCalendar
from fieldapp.domain.errors import NotFound, ValidationError
from fieldapp.domain.permissions import Action
from fieldapp.interchange.holiday_calendar import (
    HOLIDAY,
    KIND_FIELD,
    MAX_NAME,
    WORKDAY,
    parse_calendar_csv,
    parse_kind,
    read_calendar_text,
)
from fieldapp.services.context import ServiceContext
from fieldapp.services.results import Written
from fieldapp.store.store import Store
from fieldapp.store.tables import Holiday
from fieldapp.store.unit import Tx

REMOVED = "removed"  # tombstone of a user's day
BUILTIN = "builtin"
USER = "user"


@dataclass(frozen=True)
class CalendarDay:
    """A day that is not simply "weekday works, weekend rests"."""

    day: dt.date
    kind: str  # holiday | workday
    name: str
    source: str  # builtin | user


@dataclass(frozen=True)
class CalendarYear:
    year: int
    builtin: bool  # the chinese-calendar package knows this year
    holidays: int
    workdays: int
    user_days: int  # days of this year in the table (additions or corrections)


@dataclass(frozen=True)
class CalendarImported:
    year: int
    added: int
    updated: int
    removed: int
    changed: frozenset[str]


# --- the calendar -------------------------------------------------------------------

@cache
def _package_days() -> tuple[dict[dt.date, CalendarDay], frozenset[int]]:
    """The package's special days (with Chinese names) and the years it covers."""
    chinese = {h.value: h.chinese for h in PackageHoliday}
    days: dict[dt.date, CalendarDay] = {}
    for kind, table in ((HOLIDAY, chinese_calendar.holidays), (WORKDAY, chinese_calendar.workdays)):
        for day, english in table.items():
            days[day] = CalendarDay(day, kind, chinese.get(english, english), BUILTIN)
    # The package's own notion of its range: the years between its first and last holiday.
    first, last = min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year
    return days, frozenset(range(first, last + 1))


_cached: WeakKeyDictionary[Store, tuple[tuple[Any, ...], WorkCalendar]] = WeakKeyDictionary()


def _table_stamp(session: Session) -> tuple[Any, ...]:
    # Any insert or update changes the count, the version sum or the latest HLC, so the
    # cache follows every write, including ones that bypass this module (sync).
    row = session.exec(select(func.count(), func.sum(Holiday.version),
                              func.max(Holiday.hlc))).one()
    return tuple(row)


def work_calendar(*, ctx: ServiceContext) -> WorkCalendar:
    """The calendar deadlines are counted on; cached per store until the table changes."""
    with ctx.read() as session:
        stamp = _table_stamp(session)
        cached = _cached.get(ctx.store)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        rows = list(session.exec(select(Holiday)))
    calendar = _build(_merged(rows), _known_years(rows))
    _cached[ctx.store] = (stamp, calendar)
    return calendar


def deadline_calendar(*, ctx: ServiceContext) -> WorkCalendar:
    """The calendar for running deadlines: years not entered yet count weekends only,
    and the deadlines that touch them are flagged provisional."""
    return dataclasses.replace(work_calendar(ctx=ctx), lenient=True)


def _merged(rows: Iterable[Holiday]) -> dict[dt.date, CalendarDay]:
    days = dict(_package_days()[0])
    for row in rows:
        if row.kind in (HOLIDAY, WORKDAY):
            days[row.day] = CalendarDay(row.day, row.kind, row.name, row.source)
    return days


def _known_years(rows: Iterable[Holiday]) -> frozenset[int]:
    return _package_days()[1] | {r.day.year for r in rows if r.kind != REMOVED}


def _build(days: dict[dt.date, CalendarDay], years: frozenset[int]) -> WorkCalendar:
    return WorkCalendar(
        holidays=frozenset(d for d, v in days.items() if v.kind == HOLIDAY),
        workdays=frozenset(d for d, v in days.items() if v.kind == WORKDAY),
        known_years=years)


def calendar_years(*, ctx: ServiceContext) -> list[CalendarYear]:
    """Every year the calendar knows, oldest first, with where its days come from."""
    with ctx.read() as session:
        rows = [r for r in session.exec(select(Holiday)) if r.kind != REMOVED]
    kinds = Counter((d.day.year, d.kind) for d in _merged(rows).values())
    user_days = Counter(r.day.year for r in rows)
    builtin = _package_days()[1]
    return [CalendarYear(year=year, builtin=year in builtin, holidays=kinds[year, HOLIDAY],
                         workdays=kinds[year, WORKDAY], user_days=user_days[year])
            for year in sorted(_known_years(rows))]


def calendar_days(*, ctx: ServiceContext, year: int) -> list[CalendarDay]:
    """The holidays and adjusted working days of ``year``, as the calendar uses them."""
    with ctx.read() as session:
        rows = _year_rows(session, year)
    return sorted((d for d in _merged(rows).values() if d.day.year == year),
                  key=lambda d: d.day)


# --- single days ----------------------------------------------------------------------

def add_calendar_day(*, ctx: ServiceContext, officer_id: str, day: dt.date, kind: str,
                     name: str) -> Written:
    """Mark ``day`` as an official holiday or an adjusted working day; again = update."""
    parsed = parse_kind(kind)
    if parsed is None:
        raise ValidationError(KIND_FIELD, "must be holiday (休) or workday (班)")
    name = name.strip()
    if len(name) > MAX_NAME:
        raise ValidationError("holiday name", "is too long ({length} characters, at most "
                              "{limit})", length=len(name), limit=MAX_NAME)
    with ctx.write(officer_id, action=Action.IMPORT_CALENDAR) as tx:
        if _put(tx, day, parsed, name) is not None:
            tx.audit("calendar.day.set", "holiday", day.isoformat(),
                     {"day": day.isoformat(), "kind": parsed, "name": name})
    return Written(day.isoformat(), frozenset(tx.changed))


def _put(tx: Tx, day: dt.date, kind: str, name: str) -> str | None:
    """Insert or update one day; returns "added", "updated", or None if nothing changed."""
    row = tx.session.get(Holiday, day)
    if row is None:
        tx.add(Holiday(day=day, kind=kind, name=name, source=USER, created_at=tx.now))
        return "added"
    return "updated" if tx.update(row, {"kind": kind, "name": name}) else None


def remove_user_day(*, ctx: ServiceContext, officer_id: str, day: dt.date) -> Written:
    """Take back a day a user added; the built-in calendar's view of it applies again."""
    with ctx.write(officer_id, action=Action.IMPORT_CALENDAR) as tx:
        row = tx.session.get(Holiday, day)
        if row is None or row.kind == REMOVED:
            raise NotFound("date", day.isoformat())
        if row.source != USER:
            raise ValidationError("date", "{date} is part of the built-in calendar and "
                                  "cannot be removed", date=day.isoformat())
        tx.update(row, {"kind": REMOVED})
        tx.audit("calendar.day.remove", "holiday", day.isoformat(), {"day": day.isoformat()})
    return Written(day.isoformat(), frozenset(tx.changed))


# --- a whole year from a CSV file ---------------------------------------------------------

def import_calendar_csv(*, ctx: ServiceContext, officer_id: str, path: Path,
                        year: int) -> CalendarImported:
    """Set ``year``'s calendar from a ``date,kind,name`` file; all of it or nothing.

    The file is the whole year: days users added to that year before and that the file
    leaves out are removed. Built-in days of a year the package knows stay unless the
    file overrides them. Every bad row is reported (``CalendarImportError``).
    """
    entries = parse_calendar_csv(read_calendar_text(path), year)
    with ctx.write(officer_id, action=Action.IMPORT_CALENDAR) as tx:
        counts = {"added": 0, "updated": 0, "removed": 0}
        for day, kind, name in entries:
            if (outcome := _put(tx, day, kind, name)) is not None:
                counts[outcome] += 1
        counts["removed"] = _remove_missing(tx, year, {e[0] for e in entries})
        tx.audit("calendar.import", "holiday", str(year), {
            "year": year, "file": path.name, **counts,
            "days": [[d.isoformat(), k, n] for d, k, n in entries]})
    return CalendarImported(year=year, changed=frozenset(tx.changed), **counts)


def _remove_missing(tx: Tx, year: int, keep: set[dt.date]) -> int:
    removed = 0
    for row in _year_rows(tx.session, year):
        if row.source == USER and row.kind != REMOVED and row.day not in keep:
            tx.update(row, {"kind": REMOVED})
            removed += 1
    return removed


def _year_rows(session: Session, year: int) -> list[Holiday]:
    return list(session.exec(select(Holiday).where(
        col(Holiday.day) >= dt.date(year, 1, 1), col(Holiday.day) <= dt.date(year, 12, 31))))
