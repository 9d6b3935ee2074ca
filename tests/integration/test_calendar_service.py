"""The working-day calendar service on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import chinese_calendar
import pytest

from fieldapp import i18n
from fieldapp.domain.changes import ChangeKind
from fieldapp.domain.deadlines import DeadlineKind, due
from fieldapp.domain.errors import NotFound, ValidationError
from fieldapp.domain.permissions import Action
from fieldapp.services.rules import (
    CalendarImportError,
    add_calendar_day,
    calendar_days,
    calendar_years,
    import_calendar_csv,
    remove_user_day,
    work_calendar,
)
from fieldapp.store.tables import Holiday

D = dt.date
# The first year the installed chinese-calendar does not know (2027 for 1.11).
NEXT = max(chinese_calendar.holidays).year + 1

NEXT_YEAR_CSV = f"""date,kind,name
{NEXT}-01-01,holiday,元旦
{NEXT}/2/6,休,春节
{NEXT}/2/7,休,春节
{NEXT}/2/8,休,春节
{NEXT}/1/31,班,春节
"""


def _count(org, table: str) -> int:
    with sqlite3.connect(org.ctx.store.data_dir / "fieldapp.sqlite3") as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def _counts(org) -> tuple[int, int, int]:
    """Holiday rows, record versions under the chain, audit events. (A device's
    calendar is reference data HQ publishes: it is recorded, never pushed.)"""
    return _count(org, "holiday"), _count(org, "audit_row"), _count(org, "audit_event")


def _csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "calendar.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_the_built_in_calendar_knows_national_day_2025(org) -> None:
    cal = work_calendar(ctx=org.ctx)
    assert cal.add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert cal.is_working_day(D(2025, 10, 11))


def test_a_year_the_package_does_not_know_is_named_until_users_add_it(org) -> None:
    with pytest.raises(ValidationError) as err:
        due(DeadlineKind.PAYMENT, D(NEXT - 1, 12, 28), work_calendar(ctx=org.ctx))
    assert err.value.params == {"year": NEXT}
    assert str(NEXT) in i18n.describe(err.value)

    add_calendar_day(ctx=org.ctx, officer_id=org.officers[0], day=D(NEXT, 1, 1),
                     kind="holiday", name="元旦")
    cal = work_calendar(ctx=org.ctx)
    assert not cal.is_working_day(D(NEXT, 1, 1))
    assert due(DeadlineKind.PAYMENT, D(NEXT - 1, 12, 28), cal) > D(NEXT, 1, 1)


def test_adding_a_day_writes_the_row_under_the_chain_and_adding_again_updates(org) -> None:
    before = _counts(org)
    written = add_calendar_day(ctx=org.ctx, officer_id=org.officers[0], day=D(NEXT, 2, 6),
                               kind="holiday", name="春节")
    assert written.id == f"{NEXT}-02-06" and ChangeKind.SETTINGS in written.changed
    assert _counts(org) == (before[0] + 1, before[1] + 1, before[2] + 1)

    add_calendar_day(ctx=org.ctx, officer_id=org.officers[0], day=D(NEXT, 2, 6),
                     kind="workday", name="春节调休")
    assert _counts(org) == (before[0] + 1, before[1] + 2, before[2] + 2)
    with org.ctx.read() as session:
        row = session.get(Holiday, D(NEXT, 2, 6))
        assert (row.kind, row.name, row.version, row.source) == ("workday", "春节调休", 2, "user")

    unchanged = add_calendar_day(ctx=org.ctx, officer_id=org.officers[0], day=D(NEXT, 2, 6),
                                 kind="班", name="春节调休")
    assert unchanged.changed == frozenset()
    assert _counts(org) == (before[0] + 1, before[1] + 2, before[2] + 2)


def test_a_bad_kind_is_refused(org) -> None:
    with pytest.raises(ValidationError) as err:
        add_calendar_day(ctx=org.ctx, officer_id=org.officers[0],
                         day=D(NEXT, 1, 1), kind="normal", name="")
    assert err.value.field == "kind of day"


def test_user_days_override_the_package_and_removing_them_restores_it(org) -> None:
    assert not work_calendar(ctx=org.ctx).is_working_day(D(2025, 10, 8))
    add_calendar_day(ctx=org.ctx, officer_id=org.officers[0],
                     day=D(2025, 10, 8), kind="workday", name="")
    assert work_calendar(ctx=org.ctx).is_working_day(D(2025, 10, 8))

    versions, outbox = _count(org, "record_version"), _count(org, "outbox")
    remove_user_day(ctx=org.ctx, officer_id=org.officers[0], day=D(2025, 10, 8))
    assert not work_calendar(ctx=org.ctx).is_working_day(D(2025, 10, 8))
    # The removal is a new version; the one it replaces is kept under the chain.
    assert _count(org, "record_version") == versions + 1
    assert _count(org, "outbox") == outbox
    with pytest.raises(NotFound):
        remove_user_day(ctx=org.ctx, officer_id=org.officers[0], day=D(2025, 10, 8))


def test_removing_a_years_last_user_day_makes_the_year_unknown_again(org) -> None:
    add_calendar_day(ctx=org.ctx, officer_id=org.officers[0],
                     day=D(NEXT, 1, 1), kind="holiday", name="")
    assert NEXT in work_calendar(ctx=org.ctx).known_years
    remove_user_day(ctx=org.ctx, officer_id=org.officers[0], day=D(NEXT, 1, 1))
    assert NEXT not in work_calendar(ctx=org.ctx).known_years


def test_built_in_rows_cannot_be_removed(org) -> None:
    with org.ctx.write(action=Action.SET_UP) as tx:
        tx.add(Holiday(day=D(NEXT, 10, 1), kind="holiday", name="国庆节", source="builtin",
                       created_at=tx.now))
    with pytest.raises(ValidationError) as err:
        remove_user_day(ctx=org.ctx, officer_id=org.officers[0], day=D(NEXT, 10, 1))
    assert err.value.params == {"date": f"{NEXT}-10-01"}


def test_the_cache_follows_writes_that_bypass_the_service(org) -> None:
    first = work_calendar(ctx=org.ctx)
    assert work_calendar(ctx=org.ctx) is first
    with org.ctx.write(action=Action.SET_UP) as tx:  # as the sync would
        tx.add(Holiday(day=D(NEXT, 5, 3), kind="holiday", name="劳动节", created_at=tx.now))
    assert not work_calendar(ctx=org.ctx).is_working_day(D(NEXT, 5, 3))


# --- CSV import --------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_importing_next_years_holidays_makes_its_deadlines_computable(
        org, tmp_path: Path, encoding: str) -> None:
    result = import_calendar_csv(ctx=org.ctx, officer_id=org.officers[0], year=NEXT,
                                 path=_csv(tmp_path, NEXT_YEAR_CSV, encoding))
    assert (result.added, result.updated, result.removed) == (5, 0, 0)
    cal = work_calendar(ctx=org.ctx)
    assert cal.is_working_day(D(NEXT, 1, 31))
    assert not cal.is_working_day(D(NEXT, 2, 7))
    assert [d.name for d in calendar_days(ctx=org.ctx, year=NEXT)][:2] == ["元旦", "春节"]
    year = calendar_years(ctx=org.ctx)[-1]
    assert (year.year, year.builtin, year.holidays, year.workdays, year.user_days) == \
        (NEXT, False, 4, 1, 5)


def test_an_import_is_all_or_nothing_and_names_every_bad_row(org, tmp_path: Path) -> None:
    add_calendar_day(ctx=org.ctx, officer_id=org.officers[0],
                     day=D(NEXT, 1, 1), kind="holiday", name="")
    before = _counts(org)
    text = "\n".join([
        "date,kind,name",
        f"{NEXT}-01-02,holiday,元旦",  # good
        f"{NEXT}-02-30,holiday,春节",  # row 3: no such day
        f"{NEXT}-02-06,holiday,春节",  # good
        f"{NEXT - 1}-02-07,holiday,春节",  # row 5: another year
        f"{NEXT}-02-06,holiday,春节",  # row 6: again
        f"{NEXT}-02-08,rest,春节",  # row 7: unknown kind
        f"{NEXT}-02-09",  # row 8: too few columns
    ])
    with pytest.raises(CalendarImportError) as err:
        import_calendar_csv(ctx=org.ctx, officer_id=org.officers[0],
                            year=NEXT, path=_csv(tmp_path, text))
    assert [e.params["row"] for e in err.value.errors] == [3, 5, 6, 7, 8]
    assert [e.field for e in err.value.errors] == ["date", "date", "date", "kind of day",
                                                   "calendar file"]
    assert err.value.errors[2].params["first"] == 4
    assert "5" in i18n.describe(err.value)
    assert _counts(org) == before


def test_a_file_without_holidays_is_refused(org, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as err:
        import_calendar_csv(ctx=org.ctx, officer_id=org.officers[0], year=NEXT,
                            path=_csv(tmp_path, f"{NEXT}-01-31,workday,\n"))
    assert err.value.field == "calendar file"


def test_reimporting_a_year_removes_the_days_the_new_file_leaves_out(org, tmp_path: Path) -> None:
    import_calendar_csv(ctx=org.ctx, officer_id=org.officers[0], year=NEXT,
                        path=_csv(tmp_path, NEXT_YEAR_CSV))
    corrected = NEXT_YEAR_CSV.replace(f"{NEXT}/2/8,休,春节\n", "").replace("元旦", "元旦节")
    result = import_calendar_csv(ctx=org.ctx, officer_id=org.officers[0], year=NEXT,
                                 path=_csv(tmp_path, corrected))
    assert (result.added, result.updated, result.removed) == (0, 1, 1)
    cal = work_calendar(ctx=org.ctx)
    assert cal.is_working_day(D(NEXT, 2, 8)) == (D(NEXT, 2, 8).weekday() < 5)
    again = import_calendar_csv(ctx=org.ctx, officer_id=org.officers[0], year=NEXT,
                                path=_csv(tmp_path, corrected))
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
