"""Nothing changed by accident: the wheel over an unfocused field scrolls the page and
leaves the value alone; voiding a document names its 文号 and asks once."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable

from pytestqt.qtbot import QtBot

from fieldapp.domain.document_kinds import DocumentKind
from fieldapp.domain.entities import FindingData, InspectionData, StepKind
from fieldapp.services.context import ServiceContext
from fieldapp.services.inspections import record_inspection
from fieldapp.services.paperwork import issue_document
from fieldapp.services.staff import LoggedIn, login_choices
from fieldapp.services.subjects import find_subjects
from fieldapp.ui.main_window import MainWindow
from fieldapp.ui.qt import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QInputDialog,
    QMessageBox,
    QPoint,
    QPointF,
    Qt,
    QWheelEvent,
    QWidget,
)

MakeWindow = Callable[[], MainWindow]
WAIT_MS = 10_000
NOTCH_DOWN = QPoint(0, -120)


def wheel(widget: QWidget, notches: int = 1) -> None:
    """Turn the wheel over the middle of ``widget`` (the way a touchpad scroll comes)."""
    local = QPointF(widget.width() / 2, widget.height() / 2)
    for _n in range(notches):
        event = QWheelEvent(local, QPointF(widget.mapToGlobal(local.toPoint())), QPoint(),
                            NOTCH_DOWN, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                            Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(widget, event)


def test_the_wheel_over_an_unfocused_combo_box_scrolls_the_form_not_the_value(
        make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window()
    window.resize(1280, 600)  # short enough for the inspection form to scroll
    page = window.go("inspection")
    combo = page.step_choice
    scroll = page.form_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: scroll.maximum() > 0, timeout=WAIT_MS)
    before = combo.currentIndex()
    page.facts.setFocus()
    wheel(combo, 2)
    assert combo.currentIndex() == before
    assert scroll.value() > 0  # the form moved, as the user meant

    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus, timeout=WAIT_MS)
    wheel(combo)
    assert combo.currentIndex() == before + 1  # a focused field still takes the wheel


def test_no_field_of_any_page_takes_the_focus_from_the_wheel(make_window: MakeWindow,
                                                            qtbot: QtBot) -> None:
    window = make_window()
    for key in window.pages:
        window.go(key)
    fields = [w for w in window.findChildren(QWidget)
              if isinstance(w, QComboBox | QAbstractSpinBox)]
    assert len(fields) > 10
    wheel_focus = [f.objectName() or type(f).__name__ for f in fields
                   if f.focusPolicy() == Qt.FocusPolicy.WheelFocus]
    assert wheel_focus == []


def test_a_spin_box_without_focus_keeps_its_value(make_window: MakeWindow,
                                                  qtbot: QtBot, ctx: ServiceContext) -> None:
    window = make_window()
    window.set_user(next(u for u in login_choices(ctx=ctx) if u.role == "squad_leader"))
    page = window.go("settings")
    qtbot.waitUntil(lambda: not window.worker.is_busy(), timeout=WAIT_MS)
    spin = page.rule_controls["lookback_months"]
    assert isinstance(spin, QAbstractSpinBox)
    before = spin.text()
    page.save_rules_button.setFocus()
    wheel(spin, 3)
    assert spin.text() == before


def _issued_education_notice(ctx: ServiceContext) -> tuple[LoggedIn, str, str]:
    users = [u for u in login_choices(ctx=ctx) if u.role == "officer"]
    mate = next(u for u in login_choices(ctx=ctx)
                if u.squad_id == users[0].squad_id and u.officer_id != users[0].officer_id
                and u.role != "auxiliary")
    subject = find_subjects(ctx=ctx, query="1", limit=1)[0]
    recorded = record_inspection(ctx=ctx, data=InspectionData(
        subject_id=subject.id, officer_ids=(users[0].officer_id, mate.officer_id),
        at=dt.datetime.now(dt.UTC), address="建设路1号",
        findings=(FindingData(violation_code="JM01", facts="占道经营", corrected_on_spot=True,
                              step=StepKind.EDUCATE, override_reason="初次发现的新摊位"),)))
    issued = issue_document(ctx=ctx, officer_id=users[0].officer_id,
                            kind=DocumentKind.EDUCATION_NOTICE,
                            finding_id=recorded.finding_ids[0])
    return users[0], issued.id, issued.number


def test_voiding_names_the_document_number_and_asks_once(
        make_window: MakeWindow, qtbot: QtBot, ctx: ServiceContext) -> None:
    user, document_id, number = _issued_education_notice(ctx)
    window = make_window()
    window.set_user(user)
    page = window.go("documents")
    qtbot.waitUntil(lambda: any(d.id == document_id for d in page.documents), timeout=WAIT_MS)
    page.select(document_id)
    qtbot.waitUntil(lambda: page.void_button.isEnabled(), timeout=30_000)
    qtbot.mouseClick(page.void_button, Qt.MouseButton.LeftButton)
    dialog = page.void_dialog
    assert isinstance(dialog, QInputDialog) and dialog.isVisible()
    assert number in dialog.windowTitle() and number in dialog.labelText()
    assert "教育劝导书" in dialog.labelText()
    dialog.setTextValue("当事人写错")
    dialog.accept()
    qtbot.waitUntil(lambda: number in page.message.text(), timeout=WAIT_MS)
    others = [w for w in QApplication.topLevelWidgets()
              if isinstance(w, QMessageBox | QInputDialog) and w.isVisible()]
    assert others == []  # asked once: no second "are you sure?"
    with sqlite3.connect(ctx.store.data_dir / "fieldapp.sqlite3") as conn:
        voids = conn.execute("SELECT reason FROM document WHERE voids_document_id = ?",
                             (document_id,)).fetchall()
    assert voids == [("当事人写错",)]
