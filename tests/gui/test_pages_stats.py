"""The statistics page: 721 bars per squad and officer for the chosen period, what is
overdue per officer, and for leaders the steps taken against the advice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldapp.demo.load import generate_demo
from fieldapp.domain.entities import FindingData, InspectionData, StepKind
from fieldapp.i18n import _, gettext
from fieldapp.services.cases import overdue_case_counts
from fieldapp.services.context import ServiceContext, open_context
from fieldapp.services.inspections import record_inspection
from fieldapp.services.reports import figures_721
from fieldapp.services.rules import violation_types
from fieldapp.services.staff import LoggedIn, login_choices
from fieldapp.services.subjects import find_subjects
from fieldapp.ui.app import create_main_window
from fieldapp.ui.main_window import MainWindow
from fieldapp.ui.pages.stats import StatsPage, period_bounds

WAIT_MS = 10_000
MakeWindow = Callable[[], MainWindow]
LOCAL = dt.timezone(dt.timedelta(hours=8))


def _user(ctx: ServiceContext, role: str) -> LoggedIn:
    return next(u for u in login_choices(ctx=ctx) if u.role == role)


def _page(window: MainWindow, qtbot: QtBot, period: str | None = None) -> StatsPage:
    page = window.go("stats")
    assert isinstance(page, StatsPage)
    if period is not None:
        page.period.setCurrentIndex(page.period.findData(period))
    qtbot.waitUntil(lambda: page.statistics is not None and not window.worker.is_busy(),
                    timeout=WAIT_MS)
    return page


def test_periods_start_on_the_first_day_in_local_time() -> None:
    now = dt.datetime(2026, 3, 1, 1, 30, tzinfo=LOCAL)  # still February in UTC
    starts = {p: period_bounds(p, now)[0].astimezone(LOCAL).date()
              for p in ("month", "quarter", "year")}
    assert starts == {"month": dt.date(2026, 3, 1), "quarter": dt.date(2026, 1, 1),
                      "year": dt.date(2026, 1, 1)}
    assert period_bounds("month", now)[1].astimezone(LOCAL).date() == dt.date(2026, 3, 2)


@pytest.mark.parametrize("period", ["month", "year"])
def test_the_bars_show_the_721_figures_of_the_period(
        make_window: MakeWindow, qtbot: QtBot, ctx: ServiceContext, period: str) -> None:
    leader = _user(ctx, "squad_leader")
    window = make_window()
    window.set_user(leader)
    page = _page(window, qtbot, period)
    start, end = period_bounds(period, ctx.now())
    squads = figures_721(ctx=ctx, start=start, end=end, by="squad")
    everyone = figures_721(ctx=ctx, start=start, end=end, by="all")
    officers = figures_721(ctx=ctx, start=start, end=end, by="officer",
                           squad_id=leader.squad_id)
    assert page.squad_bars.rows == (*squads, *everyone)
    assert page.squad_bars.labels[-1] == _("Everyone")
    assert page.officer_bars.rows == tuple(officers)
    assert page.officer_bars.labels == tuple(f.name for f in officers)
    assert sum(f.total for f in officers) > 0, "the demo data has steps in this period"
    assert leader.squad_name in page.officer_box.title()
    image = page.officer_bars.grab().toImage()  # paints without a warning
    assert image.height() == page.officer_bars.height() >= len(officers) * 40


def test_an_officer_sees_no_overrides(make_window: MakeWindow, qtbot: QtBot,
                                      ctx: ServiceContext) -> None:
    window = make_window()
    window.set_user(_user(ctx, "officer"))
    page = _page(window, qtbot)
    assert page.statistics is not None and page.statistics.overrides is None
    assert not page.overrides_box.isVisibleTo(page)


@pytest.fixture
def fresh(tmp_path: Path, qtbot: QtBot) -> Iterator[tuple[MainWindow, ServiceContext]]:
    ctx = open_context(tmp_path / "data")
    generate_demo(ctx=ctx, subjects=40, inspections=300)
    window = create_main_window(ctx, ask_login=False)
    qtbot.addWidget(window)
    window.show()
    yield window, ctx
    window.worker.shutdown()
    ctx.close()


def test_a_leader_sees_overdue_work_and_steps_taken_against_the_advice(
        fresh: tuple[MainWindow, ServiceContext], qtbot: QtBot) -> None:
    window, ctx = fresh
    leader = _user(ctx, "squad_leader")
    mates = [u for u in login_choices(ctx=ctx)
             if u.squad_id == leader.squad_id and u.role == "officer"]
    subject = next(s for s in find_subjects(ctx=ctx, query="1", limit=50) if s.phone)
    quick = min(violation_types(ctx=ctx), key=lambda v: (not v.ladder_applies,
                                                         v.correction_days))
    # Ten days ago a warning instead of the education due: an override, and a revisit
    # whose correction period has run out since.
    reason = "当事人多次在同一地点占道，屡教不改"
    record_inspection(ctx=ctx, data=InspectionData(
        subject_id=subject.id, officer_ids=(mates[0].officer_id, mates[1].officer_id),
        at=dt.datetime.now(LOCAL) - dt.timedelta(days=10), address="人民路12号",
        findings=(FindingData(violation_code=quick.code, facts="占道经营",
                              corrected_on_spot=False, step=StepKind.WARN,
                              override_reason=reason),)))
    window.set_user(leader)
    page = _page(window, qtbot, "quarter")
    statistics = page.statistics
    assert statistics is not None and statistics.overrides is not None
    table = page.overrides
    rows = [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]
    assert [mates[0].name, gettext("warn"), reason] in [[r[1], r[4], r[5]] for r in rows]
    assert page.overrides_box.isVisibleTo(page)

    overdue = {page.overdue.item(r, 0).text(): (page.overdue.item(r, 1).text(),
                                                page.overdue.item(r, 2).text())
               for r in range(page.overdue.rowCount())}
    cases = overdue_case_counts(ctx=ctx, squad_id=leader.squad_id)
    assert overdue[mates[0].name] == (
        "1", str(cases.get(mates[0].officer_id, 0)))
