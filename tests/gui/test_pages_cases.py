"""The cases page: the lazily fetched list with its deadline colours, the detail with only
the actions the role allows, the squad leader's approval written as a case event, and
the dossier printing once the documents module is there."""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from fieldapp.demo.load import generate_demo
from fieldapp.domain.errors import DomainError
from fieldapp.domain.penalties import PenaltyKind
from fieldapp.domain.workflow import Action
from fieldapp.i18n import _, gettext
from fieldapp.services.cases import act, case_events, get_case, list_cases, open_case
from fieldapp.services.context import ServiceContext, open_context
from fieldapp.services.staff import LoggedIn, login_choices
from fieldapp.ui.app import create_main_window
from fieldapp.ui.main_window import MainWindow
from fieldapp.ui.pages.cases import CasesPage, case_list, dossier
from fieldapp.ui.pages.cases.actions import ActionDialog
from fieldapp.ui.qt import QCheckBox, QFileDialog, QPoint, QPushButton, Qt

WAIT_MS = 10_000
MakeWindow = Callable[[], MainWindow]


def _user(ctx: ServiceContext, role: str, squad_id: str | None = None) -> LoggedIn:
    return next(u for u in login_choices(ctx=ctx)
                if u.role == role and (squad_id is None or u.squad_id == squad_id))


def _cases_page(window: MainWindow, qtbot: QtBot) -> CasesPage:
    page = window.go("cases")
    assert isinstance(page, CasesPage)
    qtbot.waitUntil(lambda: page.model.total is not None and not window.worker.is_busy(),
                    timeout=WAIT_MS)
    return page


def _show_all(page: CasesPage, qtbot: QtBot, window: MainWindow) -> None:
    page.open_only.setCurrentIndex(page.open_only.findData(False))
    page.scope.setCurrentIndex(page.scope.findData(case_list.Scope.ALL))
    qtbot.waitUntil(lambda: page.model.total is not None and not window.worker.is_busy(),
                    timeout=WAIT_MS)


def _click_row(page: CasesPage, qtbot: QtBot, row: int) -> None:
    page.table.scrollTo(page.model.index(row, 0))
    rect = page.table.visualRect(page.model.index(row, 0))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _tick(qtbot: QtBot, box: QCheckBox) -> None:
    """Click a check box where a finger would: on its box, not the empty space beside."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(12, box.height() // 2))


def _open(page: CasesPage, qtbot: QtBot, case_id: str) -> None:
    qtbot.waitUntil(lambda: page.model.row_of(case_id) is not None, timeout=WAIT_MS)
    row = page.model.row_of(case_id)
    assert row is not None
    _click_row(page, qtbot, row)
    qtbot.waitUntil(lambda: page.detail.detail is not None
                    and page.detail.detail.case.id == case_id, timeout=WAIT_MS)


# --- the list on the shared demo data (read only) -------------------------------------------


def test_the_list_shows_every_case_with_its_deadline_in_colour(
        make_window: MakeWindow, qtbot: QtBot, ctx: ServiceContext) -> None:
    window = make_window()
    window.set_user(_user(ctx, "squad_leader"))
    page = _cases_page(window, qtbot)
    _show_all(page, qtbot, window)

    expected = list_cases(ctx=ctx, open_only=False, limit=100_000)
    assert page.model.total == len(expected)
    assert {r.id for r in page.model.rows} == {c.id for c in expected}
    assert page.count.text() == _("Cases: {count}", count=len(expected))
    views = {c.id: c for c in expected}
    column = case_list.DEADLINE_COLUMN
    coloured = 0
    for n, row in enumerate(page.model.rows):
        deadline = views[row.id].next_deadline
        text = page.model.index(n, column).data()
        colour = page.model.index(n, column).data(Qt.ItemDataRole.ForegroundRole)
        if deadline is None:
            assert text == ""
            continue
        assert text.startswith(deadline.due.isoformat())
        assert gettext(deadline.status) in text
        assert (_(" (provisional)") in text) == deadline.provisional
        if deadline.status == "overdue":
            assert colour == case_list.OVERDUE_COLOUR
            coloured += 1
        elif deadline.status == "due_soon":
            assert colour == case_list.DUE_SOON_COLOUR
        else:
            assert colour is None
    assert coloured > 0, "the demo data has overdue cases"


def test_overdue_only_and_my_squad_filter_the_list(
        make_window: MakeWindow, qtbot: QtBot, ctx: ServiceContext) -> None:
    leader = _user(ctx, "squad_leader")
    window = make_window()
    window.set_user(leader)
    page = _cases_page(window, qtbot)
    assert page.scope.currentData() == case_list.Scope.SQUAD
    expected = list_cases(ctx=ctx, squad_id=leader.squad_id, limit=100_000)
    assert [r.id for r in page.model.rows] == [c.id for c in expected]

    _tick(qtbot, page.overdue_only)
    assert page.overdue_only.isChecked()
    overdue = list_cases(ctx=ctx, squad_id=leader.squad_id, overdue_only=True, limit=100_000)
    qtbot.waitUntil(lambda: [r.id for r in page.model.rows] == [c.id for c in overdue],
                    timeout=WAIT_MS)
    assert 0 < len(overdue) < len(expected)


def test_the_list_fetches_more_cases_as_it_scrolls(
        make_window: MakeWindow, qtbot: QtBot, ctx: ServiceContext,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(case_list, "PAGE_SIZE", 3)
    window = make_window()
    page = _cases_page(window, qtbot)
    page.table.setFixedHeight(3 * case_list.ROW_PX)  # room for fewer rows than a page
    _show_all(page, qtbot, window)
    total = page.model.total
    assert total is not None and total > 6
    assert page.model.rowCount() < total  # not everything at once
    assert page.model.canFetchMore()

    while page.model.rowCount() < total:
        before = page.model.rowCount()
        page.table.scrollToBottom()
        page.table.verticalScrollBar().setValue(page.table.verticalScrollBar().maximum())
        qtbot.waitUntil(lambda n=before: page.model.rowCount() > n, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.worker.is_busy(), timeout=WAIT_MS)
    ids = [r.id for r in page.model.rows]
    assert len(ids) == len(set(ids)) == total
    assert not page.model.canFetchMore()


# --- actions, on fresh data -----------------------------------------------------------------


@dataclass
class World:
    ctx: ServiceContext
    window: MainWindow
    filing_case: str  # waiting for the filing approvals
    investigating_case: str  # filed: both approvals given
    leader: LoggedIn
    officer: LoggedIn


@pytest.fixture
def world(tmp_path: Path, qtbot: QtBot) -> Iterator[World]:
    ctx = open_context(tmp_path / "data")
    generate_demo(ctx=ctx, subjects=40, inspections=300)
    leader = _user(ctx, "squad_leader")
    officers = [u for u in login_choices(ctx=ctx)
                if u.role == "officer" and u.squad_id == leader.squad_id]
    head = _user(ctx, "agency_head").officer_id  # the demo's 负责人
    with sqlite3.connect(tmp_path / "data" / "fieldapp.sqlite3") as db:
        subject, code = db.execute("SELECT subject_id, violation_code FROM case_file "
                                   "LIMIT 1").fetchone()
    pair = (officers[0].officer_id, officers[1].officer_id)
    filing = open_case(ctx=ctx, officer_ids=pair, subject_id=subject, violation_code=code,
                       summary="占道经营，经告诫仍未改正").id
    filed = open_case(ctx=ctx, officer_ids=pair, subject_id=subject, violation_code=code,
                      summary="再次占道经营").id
    for approver in (leader.officer_id, head):
        act(ctx=ctx, case_id=filed, officer_id=approver, action=Action.APPROVE_FILING)
    window = create_main_window(ctx, ask_login=False)
    qtbot.addWidget(window)
    window.show()
    yield World(ctx, window, filing, filed, leader, officers[0])
    window.worker.shutdown()
    ctx.close()


def _accept(dialog: ActionDialog, qtbot: QtBot) -> None:
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def test_the_squad_leader_approves_the_filing_and_an_officer_may_not(
        world: World, qtbot: QtBot) -> None:
    window, ctx, case_id = world.window, world.ctx, world.filing_case
    window.set_user(world.officer)
    page = _cases_page(window, qtbot)
    _open(page, qtbot, case_id)
    assert Action.APPROVE_FILING not in page.detail.action_buttons
    assert page.detail.no_actions.isVisibleTo(page.detail)
    assert [e.action for e in case_events(ctx=ctx, case_id=case_id)] == ["open"]

    window.set_user(world.leader)
    qtbot.waitUntil(lambda: Action.APPROVE_FILING in page.detail.action_buttons,
                    timeout=WAIT_MS)
    button = page.detail.action_buttons[Action.APPROVE_FILING]
    assert button.text() == gettext("approve_filing")
    qtbot.waitUntil(lambda: button.isVisible() and button.height() >= 44, timeout=WAIT_MS)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert page.action_dialog is not None
    _accept(page.action_dialog, qtbot)

    qtbot.waitUntil(lambda: len(case_events(ctx=ctx, case_id=case_id)) == 2, timeout=WAIT_MS)
    event = case_events(ctx=ctx, case_id=case_id)[-1]
    assert (event.action, event.officer_id, event.role) == (
        "approve_filing", world.leader.officer_id, "squad_leader")
    # The detail reloads: the approval is in the history, and may not be given twice.
    qtbot.waitUntil(lambda: page.detail.history.rowCount() == 2, timeout=WAIT_MS)
    assert page.detail.history.item(1, 1).text() == gettext("approve_filing")
    assert world.leader.name in page.detail.history.item(1, 2).text()
    assert Action.APPROVE_FILING not in page.detail.action_buttons
    assert page.detail.message.text() == _("Done: {action}",
                                           action=gettext("approve_filing"))


def test_an_action_refused_by_the_rules_says_why_and_writes_nothing(
        world: World, qtbot: QtBot) -> None:
    window, ctx, case_id = world.window, world.ctx, world.investigating_case
    window.set_user(world.leader)
    page = _cases_page(window, qtbot)
    _open(page, qtbot, case_id)
    qtbot.mouseClick(page.detail.action_buttons[Action.FINISH_INVESTIGATION],
                     Qt.MouseButton.LeftButton)
    dialog = page.action_dialog
    assert dialog is not None and dialog.penalty is not None
    for box in dialog.penalty.boxes.values():
        box.setChecked(False)  # a penalty of no kind at all
    _accept(dialog, qtbot)
    qtbot.waitUntil(lambda: page.detail.message.property("role") == "error", timeout=WAIT_MS)
    assert page.detail.message.text().startswith(gettext("penalty"))
    assert len(case_events(ctx=ctx, case_id=case_id)) == 3  # open + two approvals

    qtbot.mouseClick(page.detail.action_buttons[Action.FINISH_INVESTIGATION],
                     Qt.MouseButton.LeftButton)
    dialog = page.action_dialog
    assert dialog is not None and dialog.penalty is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    _tick(qtbot, dialog.penalty.boxes[PenaltyKind.FINE])
    assert dialog.penalty.fine.isEnabled()
    dialog.penalty.fine.setValue(500)
    _accept(dialog, qtbot)
    qtbot.waitUntil(lambda: len(case_events(ctx=ctx, case_id=case_id)) == 4, timeout=WAIT_MS)
    event = case_events(ctx=ctx, case_id=case_id)[-1]
    assert event.action == "finish_investigation"
    assert event.payload["penalty"] == {"kinds": ["fine"], "fine_fen": 50_000}
    assert get_case(ctx=ctx, case_id=case_id).status.value == "reviewing"
    qtbot.waitUntil(lambda: page.detail.detail is not None
                    and page.detail.detail.case.status.value == "reviewing", timeout=WAIT_MS)


# --- the dossier --------------------------------------------------------------------------


def test_print_dossier_waits_for_the_documents_module(
        make_window: MakeWindow, qtbot: QtBot, ctx: ServiceContext,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dossier, "DOSSIER_MODULE", "fieldapp.services.no_such_dossier")
    window = make_window()
    window.set_user(_user(ctx, "squad_leader"))
    page = _cases_page(window, qtbot)
    _click_row(page, qtbot, 0)
    qtbot.waitUntil(lambda: page.detail.detail is not None, timeout=WAIT_MS)
    assert not page.detail.dossier_button.isEnabled()
    assert page.detail.dossier_button.toolTip() == _(
        "Document features come with the documents module")


class FakeDossier(ModuleType):
    """Stands in for ``fieldapp.services.paperwork.dossier``: the same calls, a PDF of one line."""

    def __init__(self, block: bool) -> None:
        super().__init__("fake_dossier")
        self.__spec__ = ModuleSpec("fake_dossier", None)
        self.block = block
        self.started = threading.Event()
        self.calls: list[dict[str, Any]] = []

    def dossier_completeness(self, *, ctx: ServiceContext, case_id: str) -> list[str]:
        return ["缺少送达回证"]

    def print_dossier(self, *, ctx: ServiceContext, case_id: str, path: Path,
                      progress: Callable[[str, int, int], None], cancel: Callable[[], bool],
                      officer_id: str = "") -> Path:
        self.calls.append({"case_id": case_id, "path": path, "officer_id": officer_id})
        self.started.set()
        for done in range(1, 4):
            progress("documents", done, 3)
        while self.block and not cancel():
            threading.Event().wait(0.01)
        if cancel():
            raise DomainError("printing the dossier was cancelled")
        path.write_bytes(b"%PDF-1.7\n")
        return path


@pytest.fixture
def fake_dossier(monkeypatch: pytest.MonkeyPatch) -> Callable[[bool], FakeDossier]:
    def install(block: bool) -> FakeDossier:
        module = FakeDossier(block)
        monkeypatch.setitem(sys.modules, "fake_dossier", module)
        monkeypatch.setattr(dossier, "DOSSIER_MODULE", "fake_dossier")
        return module

    return install


def _start_printing(page: CasesPage, qtbot: QtBot, target: Path) -> list[str]:
    """Print the dossier of the case shown; returns what the check said was missing."""
    qtbot.waitUntil(lambda: page.detail.detail is not None, timeout=WAIT_MS)
    assert page.detail.dossier_button.isEnabled()
    qtbot.mouseClick(page.detail.dossier_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.dossier.check_dialog is not None
                    and page.dossier.check_dialog.isVisible(), timeout=WAIT_MS)
    assert page.dossier.missing is not None and page.dossier.print_button is not None
    missing = [page.dossier.missing.item(i).text() for i in range(page.dossier.missing.count())]
    qtbot.mouseClick(page.dossier.print_button, Qt.MouseButton.LeftButton)
    dialog = page.dossier.file_dialog
    assert isinstance(dialog, QFileDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.selectFile(str(target))
    dialog.accept()
    return missing


def test_print_dossier_shows_the_completeness_check_then_prints_with_progress(
        make_window: MakeWindow, qtbot: QtBot, ctx: ServiceContext, tmp_path: Path,
        fake_dossier: Callable[[bool], FakeDossier]) -> None:
    module = fake_dossier(False)
    window = make_window()
    window.set_user(_user(ctx, "squad_leader"))
    page = _cases_page(window, qtbot)
    target = tmp_path / "dossier.pdf"
    leader = _user(ctx, "squad_leader")
    _click_row(page, qtbot, 0)
    assert _start_printing(page, qtbot, target) == ["✗ 缺少送达回证"]
    qtbot.waitUntil(lambda: page.detail.message.text() == _(
        "Dossier saved to {path}", path=str(target)), timeout=WAIT_MS)
    assert target.read_bytes().startswith(b"%PDF")
    assert page.detail.detail is not None
    assert module.calls == [{"case_id": page.detail.detail.case.id, "path": target,
                             "officer_id": leader.officer_id}]
    assert page.dossier.progress is None  # closed


def test_printing_a_dossier_can_be_cancelled(
        make_window: MakeWindow, qtbot: QtBot, ctx: ServiceContext, tmp_path: Path,
        fake_dossier: Callable[[bool], FakeDossier]) -> None:
    module = fake_dossier(True)
    window = make_window()
    window.set_user(_user(ctx, "squad_leader"))
    page = _cases_page(window, qtbot)
    target = tmp_path / "dossier.pdf"
    _click_row(page, qtbot, 0)
    _start_printing(page, qtbot, target)
    qtbot.waitUntil(lambda: module.started.is_set() and page.dossier.progress is not None,
                    timeout=WAIT_MS)
    progress = page.dossier.progress
    assert progress is not None
    qtbot.waitUntil(lambda: progress.value() == 3, timeout=WAIT_MS)
    cancel = progress.findChild(QPushButton)
    assert cancel is not None and cancel.text() == _("Cancel")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.detail.message.text() == _(
        "Printing the dossier was cancelled."), timeout=WAIT_MS)
    assert not target.exists()


def test_the_leader_approves_a_case_then_prints_its_dossier(
        world: World, qtbot: QtBot, tmp_path: Path) -> None:
    """The leader's flow with the real documents module: approve, check, print."""
    pytest.importorskip("fieldapp.services.paperwork.dossier")
    window, ctx, case_id = world.window, world.ctx, world.filing_case
    window.set_user(world.leader)
    page = _cases_page(window, qtbot)
    _open(page, qtbot, case_id)
    qtbot.mouseClick(page.detail.action_buttons[Action.APPROVE_FILING],
                     Qt.MouseButton.LeftButton)
    assert page.action_dialog is not None
    _accept(page.action_dialog, qtbot)
    qtbot.waitUntil(lambda: page.detail.history.rowCount() == 2, timeout=WAIT_MS)
    # The documents page issues the filing approval form; the case lists it.
    from fieldapp.services.cases import get_case
    from fieldapp.services.paperwork import issue_document

    # Issued by the case's own lead officer (issue 13: the record's officers issue).
    lead = get_case(ctx=ctx, case_id=case_id).lead_officer_id
    issued = issue_document(ctx=ctx, officer_id=lead,
                            kind="filing_approval", case_id=case_id,
                            fields={"finding.place": "人民路12号"})
    page.open_case(case_id)
    table = page.detail.documents
    qtbot.waitUntil(lambda: table.rowCount() == 1 and table.isVisibleTo(page), timeout=WAIT_MS)
    assert (table.item(0, 0).text(), table.item(0, 1).text()) == ("立案审批表", issued.number)

    target = tmp_path / "案卷.pdf"
    missing = _start_printing(page, qtbot, target)
    assert all(line.startswith("✗ ") for line in missing)
    assert "✗ 缺少立案审批表" not in missing
    qtbot.waitUntil(lambda: page.detail.message.text() == _(
        "Dossier saved to {path}", path=str(target)), timeout=30_000)
    assert target.read_bytes().startswith(b"%PDF")
    with sqlite3.connect(ctx.store.data_dir / "fieldapp.sqlite3") as db:
        printed = db.execute("SELECT officer_id FROM audit_event WHERE action = "
                             "'dossier.print' AND entity_id = ?", (case_id,)).fetchall()
    assert printed == [(world.leader.officer_id,)]
