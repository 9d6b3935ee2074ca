"""The 今日 page acts: each to-do item names the party, the 文号 or case, the violation
in words and the deadline, in deadline order; Enter or double-click opens it; a filing
waiting for approval is listed for those who must approve it, not for its officers."""

from __future__ import annotations

import datetime as dt

from pytestqt.qtbot import QtBot

from fieldapp.domain.document_kinds import DocumentKind
from fieldapp.domain.entities import FindingData, InspectionData, StepKind
from fieldapp.domain.workflow import ROLES, Action
from fieldapp.i18n import _
from fieldapp.services.agenda import todo_for
from fieldapp.services.inspections import record_inspection
from fieldapp.services.paperwork import issue_document
from fieldapp.services.staff import LoggedIn, login_choices
from fieldapp.ui.pages.today import TodayPage
from fieldapp.ui.qt import Qt

WAIT_MS = 10_000
LOCAL = dt.timezone(dt.timedelta(hours=8))


def _user(ctx, officer_id: str) -> LoggedIn:
    return next(u for u in login_choices(ctx=ctx) if u.officer_id == officer_id)


def _squad(ctx, mates) -> tuple[str, str, str]:
    """Two officers of the squad who are not its leader, and its leader."""
    users = [u for u in login_choices(ctx=ctx) if u.squad_id == mates[0].squad_id]
    pair = [u.officer_id for u in users if u.role == "officer"][:2]
    leader = next(u.officer_id for u in users if u.role == "squad_leader")
    return pair[0], pair[1], leader


def _finding(ctx, pair: tuple[str, str], subject: str, days_ago: int) -> str:
    recorded = record_inspection(ctx=ctx, data=InspectionData(
        subject_id=subject, officer_ids=pair,
        at=dt.datetime.now(LOCAL) - dt.timedelta(days=days_ago), address="人民路地铁站B口",
        findings=(FindingData(violation_code="JM01", facts="占道销售烤红薯",
                              corrected_on_spot=False),)))
    return recorded.finding_ids[0]


def _rows(page: TodayPage) -> list[list[str]]:
    table = page.tasks
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def _page(window, qtbot: QtBot, user: LoggedIn) -> TodayPage:
    window.set_user(user)
    page = window.go("today")
    assert isinstance(page, TodayPage)
    qtbot.waitUntil(lambda: not window.worker.is_busy() and bool(page.items), timeout=WAIT_MS)
    return page


def test_a_revisit_names_party_notice_violation_and_deadline_and_opens_the_form(
        world, qtbot: QtBot) -> None:
    window, ctx, mates, vendor = world
    first, second, _leader = _squad(ctx, mates)
    finding = _finding(ctx, (first, second), vendor, 3)  # the warning: a revisit is due
    notice = issue_document(ctx=ctx, officer_id=first, kind=DocumentKind.WARNING_NOTICE,
                            finding_id=finding)
    page = _page(window, qtbot, _user(ctx, first))
    (row,) = [r for r in _rows(page) if _("Revisit") in r[1]]
    assert row[2] == "烤红薯 老年男子，三轮车"
    assert row[3] == notice.number
    assert row[4] == "占道经营（流动摊贩）" and "JM01" not in " ".join(row)
    assert dt.date.fromisoformat(row[0][:10])  # the correction deadline, a date

    index = [r[1] for r in _rows(page)].index(row[1])
    page.tasks.setCurrentCell(index, 0)
    page.tasks.setFocus()
    qtbot.keyClick(page.tasks, Qt.Key.Key_Return)
    inspection = window.pages["inspection"]
    assert window.stack.currentWidget() is inspection
    assert inspection.subject_id == vendor and inspection.violation_code() == "JM01"


def test_items_are_in_deadline_order(world, qtbot: QtBot) -> None:
    window, ctx, mates, vendor = world
    first, second, _leader = _squad(ctx, mates)
    _finding(ctx, (first, second), vendor, 3)
    _finding(ctx, (first, second), vendor, 1)  # a case: its deadlines join the list
    page = _page(window, qtbot, _user(ctx, first))
    dues = [item.due for item in page.items]
    dated = [d for d in dues if d is not None]
    assert dated == sorted(dated) and dues[:len(dated)] == dated
    assert len(page.items) == len(todo_for(ctx=ctx, officer_id=first))


def test_a_filing_waits_for_its_approvers_and_opens_the_case(world, qtbot: QtBot) -> None:
    window, ctx, mates, vendor = world
    first, second, leader = _squad(ctx, mates)
    _finding(ctx, (first, second), vendor, 3)
    _finding(ctx, (first, second), vendor, 1)  # enforce: a case is opened
    approvers = ROLES[Action.APPROVE_FILING]
    leader_role = _user(ctx, leader).role
    assert leader_role in approvers  # read from the workflow's table, as the page does

    page = _page(window, qtbot, _user(ctx, leader))
    waiting = [(n, i) for n, i in enumerate(page.items) if i.case_id is not None
               and i.subject_id == vendor]
    assert len(waiting) == 1
    row, item = waiting[0]
    cells = _rows(page)[row]
    assert _("Waiting for your approval") in cells[1] and "立案审批" in cells[1]
    assert cells[2] == "烤红薯 老年男子，三轮车" and cells[3] == _("Case (not yet numbered)")
    page.tasks.scrollToItem(page.tasks.item(row, 2))
    rect = page.tasks.visualItemRect(page.tasks.item(row, 2))
    # QTest's first double-click in a process counts as one click (Qt 6): click first,
    # as a user's double-click on an unchosen row does.
    qtbot.mouseClick(page.tasks.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.tasks.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    cases = window.pages["cases"]
    assert window.stack.currentWidget() is cases
    qtbot.waitUntil(lambda: cases.detail.detail is not None
                    and cases.detail.detail.case.id == item.case_id, timeout=WAIT_MS)

    # The case's own officer never sees an approval of their own case.
    mine = todo_for(ctx=ctx, officer_id=first)
    assert [i.kind.value for i in mine if i.case_id == item.case_id] in ([], ["case_deadline"])
    head = next((u for u in login_choices(ctx=ctx) if u.role == "agency_head"), None)
    if head is not None and head.role in approvers:
        assert any(i.case_id == item.case_id for i in todo_for(ctx=ctx,
                                                              officer_id=head.officer_id))


def test_an_override_to_educate_opens_no_approval(world, qtbot: QtBot) -> None:
    _window, ctx, mates, vendor = world
    first, second, leader = _squad(ctx, mates)
    record_inspection(ctx=ctx, data=InspectionData(
        subject_id=vendor, officer_ids=(first, second), at=dt.datetime.now(LOCAL),
        address="人民路地铁站B口", findings=(FindingData(
            violation_code="JM01", facts="劝离", corrected_on_spot=True,
            step=StepKind.EDUCATE, override_reason="当事人年迈，当场收摊"),)))
    assert not [i for i in todo_for(ctx=ctx, officer_id=leader) if i.subject_id == vendor]
