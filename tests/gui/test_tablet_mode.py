"""Tablet mode: touch targets of at least 40 px, and a focused field brought above the
on-screen keyboard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from fieldapp.services.preferences import load_preferences
from fieldapp.services.staff import login_choices
from fieldapp.ui.qt import QApplication, QCheckBox, QPushButton, QSpinBox
from fieldapp.ui.style import apply_look, current_look
from fieldapp.ui.tablet import FIELD_TOP_SHARE, KEYBOARD_SHARE

WAIT_MS = 10_000
TOUCH_PX = 40


@pytest.fixture
def tablet(world, qapp: QApplication, qtbot: QtBot) -> Iterator[tuple]:
    """The world's window with tablet mode ticked in the settings, as a user does."""
    window, ctx, _mates, _vendor = world
    settings = window.go("settings")
    qtbot.waitUntil(lambda: not window.worker.is_busy(), timeout=WAIT_MS)
    settings.controls["tablet_mode"].setChecked(True)
    assert current_look()["tablet_mode"]
    qtbot.waitUntil(lambda: load_preferences(ctx.store.data_dir).tablet_mode, timeout=WAIT_MS)
    yield window, ctx
    apply_look(qapp, large_text=False, dark_mode=False, tablet_mode=False)


def test_touch_targets_are_at_least_40_px(tablet, qtbot: QtBot) -> None:
    window, ctx = tablet
    window.set_user(next(u for u in login_choices(ctx=ctx) if u.role == "squad_leader"))
    page = window.go("subjects")
    page.search_box.setText("1")
    page.search.search()
    qtbot.waitUntil(lambda: page.results.count() > 3, timeout=WAIT_MS)
    rows = [page.results.visualItemRect(page.results.item(i)).height() for i in range(3)]
    assert min(rows) >= TOUCH_PX
    today = window.go("today")
    today.tabs.setCurrentIndex(1)  # the squad's log: a table of rows
    qtbot.waitUntil(lambda: today.log_model.rowCount() > 0, timeout=WAIT_MS)
    assert today.log.rowHeight(0) >= TOUCH_PX
    assert today.tasks.verticalHeader().defaultSectionSize() >= TOUCH_PX
    settings = window.go("settings")
    qtbot.waitUntil(lambda: not window.worker.is_busy(), timeout=WAIT_MS)
    for widget in settings.findChildren(QCheckBox) + settings.findChildren(QSpinBox) + \
            settings.findChildren(QPushButton):
        if widget.isVisible():
            qtbot.waitUntil(lambda w=widget: w.height() >= TOUCH_PX, timeout=WAIT_MS)
            assert widget.height() >= TOUCH_PX, (type(widget).__name__, widget.text()
                                                 if hasattr(widget, "text") else "")
    spin = next(w for w in settings.findChildren(QSpinBox) if w.isVisible())
    assert spin.width() >= 3 * TOUCH_PX  # room for the value beside the wide arrows


def test_a_focused_field_comes_above_the_keyboard(tablet, qtbot: QtBot) -> None:
    window, _ctx = tablet
    window.resize(1280, 700)
    page = window.go("inspection")
    scroll = page.form_scroll
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0, timeout=WAIT_MS)
    scroll.verticalScrollBar().setValue(0)
    page.facts.setFocus()
    qtbot.waitUntil(page.facts.hasFocus, timeout=WAIT_MS)
    view = scroll.viewport()
    top = page.facts.mapTo(view, page.facts.rect().topLeft()).y()
    assert 0 <= top <= view.height() * (FIELD_TOP_SHARE + 0.05)
    assert top + page.facts.height() <= view.height() * (1 - KEYBOARD_SHARE) + 40
