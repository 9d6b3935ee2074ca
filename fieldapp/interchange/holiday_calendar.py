"""The holiday-calendar file: one year of official holidays (法定节假日) and adjusted
working days (调休上班), as HQ publishes it and squads import it.

``date,kind,name`` per line (a first line ``date,…`` or ``日期,…`` is a header); kind is
``holiday``/``休`` or ``workday``/``班``. A file is taken whole or refused whole, every
bad row named (``CalendarImportError``). This layer knows the format only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from fieldapp.domain.errors import DomainError, ValidationError

HOLIDAY = "holiday"  # 法定节假日
WORKDAY = "workday"  # 调休上班
KIND_FIELD = "kind of day"
# Calendars printed in China mark days 休 (off) and 班 (worked); admins type those too.
_KINDS = {HOLIDAY: HOLIDAY, "休": HOLIDAY, WORKDAY: WORKDAY, "班": WORKDAY}
MAX_NAME = 50
_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


class CalendarImportError(DomainError):
    """A calendar file was refused as a whole; ``errors`` names every bad row."""

    def __init__(self, errors: Sequence[ValidationError]) -> None:
        self.errors = tuple(errors)
        problem = "{count} rows of the calendar file are wrong; nothing was imported"
        super().__init__(problem, count=len(self.errors))


def parse_kind(text: str) -> str | None:
    """``holiday`` or ``workday`` for what a user typed (also 休 / 班), else None."""
    return _KINDS.get(text.strip().lower())


def write_calendar_csv(entries: Sequence[tuple[dt.date, str, str]]) -> str:
    """The file ``parse_calendar_csv`` reads back (HQ publishes a year with it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "kind", "name"])
    writer.writerows([d.isoformat(), k, n] for d, k, n in sorted(entries))
    return out.getvalue()


def read_calendar_text(path: Path) -> str:
    data = path.read_bytes()
    # Excel on Chinese Windows saves CSV in GB18030 (GBK); everything else in UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("calendar file", "is not a text file (UTF-8 or GB18030)")


Entry = tuple[dt.date, str, str]


def parse_calendar_csv(text: str, year: int) -> list[Entry]:
    """The (day, kind, name) rows of a calendar file for ``year``; raises on any bad row.

    Rows are numbered as the file's lines; a first line whose first cell is ``date``
    or 日期 is a header. Blank lines are skipped.
    """
    entries: list[Entry] = []
    errors: list[ValidationError] = []
    first_row: dict[dt.date, int] = {}
    for number, cells in _rows(text):
        try:
            entry = _entry(number, cells, year)
            _check_unique(number, entry[0], first_row)
            entries.append(entry)
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise CalendarImportError(errors)
    if not any(kind == HOLIDAY for _, kind, _ in entries):
        raise ValidationError("calendar file", "has no holidays for {year}", year=year)
    return entries


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text))
    for cells in reader:
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if reader.line_num == 1 and cells[0].lower() in ("date", "日期"):
            continue
        yield reader.line_num, cells


def _entry(row: int, cells: list[str], year: int) -> Entry:
    if len(cells) not in (2, 3):
        raise ValidationError("calendar file", "row {row}: expected date,kind,name but found "
                              "{count} columns", row=row, count=len(cells))
    day = _row_date(row, cells[0], year)
    kind = parse_kind(cells[1])
    if kind is None:
        raise ValidationError(KIND_FIELD, "row {row}: '{value}' is not holiday (休) or "
                              "workday (班)", row=row, value=cells[1])
    name = cells[2] if len(cells) == 3 else ""
    if len(name) > MAX_NAME:
        raise ValidationError("holiday name", "row {row}: the name is too long ({length} "
                              "characters, at most {limit})", row=row, length=len(name),
                              limit=MAX_NAME)
    return day, kind, name


def _row_date(row: int, text: str, year: int) -> dt.date:
    match = _DATE.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        day = dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValidationError("date", "row {row}: '{value}' is not a date like 2027-10-01",
                              row=row, value=text) from None
    if day.year != year:
        raise ValidationError("date", "row {row}: {date} is not in {year}", row=row,
                              date=day.isoformat(), year=year)
    return day


def _check_unique(row: int, day: dt.date, first_row: dict[dt.date, int]) -> None:
    if day in first_row:
        raise ValidationError("date", "row {row}: {date} is already on row {first}",
                              row=row, date=day.isoformat(), first=first_row[day])
    first_row[day] = row
