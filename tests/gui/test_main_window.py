"""The main window on a real demo data directory: search, choose, read the history."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from fieldapp import i18n
from fieldapp.domain.dates import to_local
from fieldapp.i18n import _
from fieldapp.services.context import ServiceContext
from fieldapp.services.records import changes_since_backup
from fieldapp.services.staff import list_officers
from fieldapp.services.subjects import find_subjects, subject_history
from fieldapp.ui.app import run_app
from fieldapp.ui.main_window import MainWindow
from fieldapp.ui.pages.subjects import SubjectsPage
from fieldapp.ui.qt import QApplication, Qt, QTimer

MakeWindow = Callable[[], MainWindow]
WAIT_MS = 5000
START_MS = 30_000  # a safety net only: a busy machine opens the data directory slowly


def _busiest_subject(ctx: ServiceContext) -> tuple[str, str]:
    """(id, phone) of the demo subject with a phone and the longest history.

    The phone is the query: QTest can type only ASCII, not Chinese.
    """
    subjects = [s for s in find_subjects(ctx=ctx, query="1", limit=500) if s.phone]
    best = max(subjects, key=lambda s: len(subject_history(ctx=ctx, subject_id=s.id)))
    return best.id, best.phone


def _result_ids(page: SubjectsPage) -> list[str]:
    return [page.results.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(page.results.count())]


def _table(page: SubjectsPage) -> list[list[str]]:
    table = page.subject_view.history
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def test_typing_finds_the_subject_and_choosing_it_shows_its_history(
        make_window: MakeWindow, qtbot: QtBot, ctx: ServiceContext) -> None:
    subject_id, query = _busiest_subject(ctx)
    expected = subject_history(ctx=ctx, subject_id=subject_id)
    window = make_window()
    page = window.go("subjects")

    qtbot.keyClicks(page.search_box, query)
    qtbot.waitUntil(lambda: subject_id in _result_ids(page), timeout=WAIT_MS)
    item = page.results.item(_result_ids(page).index(subject_id))
    qtbot.mouseClick(page.results.viewport(), Qt.MouseButton.LeftButton,
                     pos=page.results.visualItemRect(item).center())

    qtbot.waitUntil(lambda: page.subject_view.history.rowCount() == len(expected),
                    timeout=WAIT_MS)
    rows = _table(page)
    assert [r[0] for r in rows] == [
        to_local(e.at, 480).strftime("%Y-%m-%d %H:%M") for e in expected]
    assert [r[2:] for r in rows] == [
        [e.violation_name,
         _("{facts} (corrected on the spot)", facts=e.summary) if e.corrected_on_spot
         else e.summary, e.officers] for e in expected]
    assert page.subject_view.title.text() == item.toolTip()


def test_step_names_are_translated(make_window: MakeWindow, qtbot: QtBot,
                                   ctx: ServiceContext) -> None:
    subject_id = _busiest_subject(ctx)[0]
    steps = {e.step for e in subject_history(ctx=ctx, subject_id=subject_id)
             if e.kind == "finding"}
    window = make_window()
    page = window.go("subjects")
    page.open_subject(subject_id)
    qtbot.waitUntil(lambda: page.subject_view.history.rowCount() > 0, timeout=WAIT_MS)
    shown = {row[1] for row in _table(page)}
    assert {i18n.gettext(step) for step in steps} <= shown


def test_status_bar_counts_officers_and_changes_since_backup(
        make_window: MakeWindow, qtbot: QtBot, ctx: ServiceContext) -> None:
    window = make_window()
    window.go("subjects")
    changes = _("Changes since last backup: {count}", count=changes_since_backup(ctx=ctx))
    qtbot.waitUntil(lambda: window.backup_state.text() == changes, timeout=WAIT_MS)
    assert window.user_label.text() == _("Not logged in") or window.state.user is None
    (officer,) = [o for o in list_officers(ctx=ctx) if o.role == "squad_leader"][:1]
    from fieldapp.services.staff import LoggedIn

    window.set_user(LoggedIn(officer.id, officer.name, officer.certificate_no, officer.role,
                             officer.squad_id, "东华门中队"))
    assert officer.name in window.user_label.text()
    assert "中队长" in window.user_label.text() and "东华门中队" in window.user_label.text()


def test_only_the_latest_query_shows_its_results(make_window: MakeWindow, qtbot: QtBot,
                                                 ctx: ServiceContext) -> None:
    window = make_window()
    page = window.go("subjects")
    final = find_subjects(ctx=ctx, query="1", limit=1)[0].phone
    for query in ("张", "王", "李", final):
        page.search_box.setText(query)
        page.search.search()  # no debounce: every query really runs, racing the next
    expected = [s.id for s in find_subjects(ctx=ctx, query=final)]
    qtbot.waitUntil(lambda: not window.worker.is_busy(), timeout=WAIT_MS)
    assert _result_ids(page) == expected


def test_a_query_that_matches_nothing_says_so(make_window: MakeWindow,
                                              qtbot: QtBot) -> None:
    window = make_window()
    page = window.go("subjects")
    qtbot.keyClicks(page.search_box, "zzzzqqq")
    qtbot.waitUntil(lambda: page.result_count.text() == _("No subject found."),
                    timeout=WAIT_MS)
    assert page.results.count() == 0


def test_ctrl_f_puts_the_cursor_in_the_search_box(make_window: MakeWindow,
                                                  qtbot: QtBot) -> None:
    window = make_window()
    page = window.go("subjects")
    page.results.setFocus()
    qtbot.waitUntil(lambda: page.results.hasFocus(), timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search_box.hasFocus()


def test_in_english_the_window_speaks_english(make_window: MakeWindow, qtbot: QtBot,
                                              ctx: ServiceContext) -> None:
    i18n.set_language("en")
    window = make_window()
    page = window.go("subjects")
    assert window.windowTitle() == "fieldapp urban management enforcement"
    assert page.search_box.placeholderText() == (
        "find subjects by name, sign, phone, ID or pinyin initials")
    table = page.subject_view.history
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["Time", "Ladder step", "Violation type", "What was found", "Officers"]
    qtbot.waitUntil(lambda: window.backup_state.text().startswith("Changes since"),
                    timeout=WAIT_MS)


def test_run_app_opens_the_data_directory_and_quits_cleanly(
        qapp: QApplication, demo_dir: Path) -> None:
    earlier = {id(w) for w in qapp.topLevelWidgets()}  # other tests' windows may linger

    def close_when_loaded() -> None:
        windows = [w for w in qapp.topLevelWidgets()
                   if isinstance(w, MainWindow) and id(w) not in earlier]
        if windows and windows[0].ctx is not None and windows[0].backup_state.text():
            windows[0].close()
        else:
            QTimer.singleShot(20, close_when_loaded)

    QTimer.singleShot(0, close_when_loaded)
    safety = QTimer()  # a safety net, not a wait; stopped so it cannot hit a later test
    safety.setSingleShot(True)
    safety.timeout.connect(lambda: qapp.exit(99))
    safety.start(START_MS)
    try:
        assert run_app(demo_dir) == 0
    finally:
        safety.stop()


def test_qt_own_dialogs_speak_chinese(qapp: QApplication) -> None:
    assert QApplication.translate("QFileDialog", "Open") == "打开"
