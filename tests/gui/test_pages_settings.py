"""The settings page: preferences saved in the data directory and applied (large text,
dark mode; the language at the next start), a backup made now, and the rule settings
that only leaders may change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldapp import i18n
from fieldapp.demo.load import generate_demo
from fieldapp.domain.errors import ValidationError
from fieldapp.i18n import _
from fieldapp.services.context import ServiceContext, open_context
from fieldapp.services.preferences import PREFERENCES_FILE, load_preferences
from fieldapp.services.records import (
    BACKUP_SUFFIX,
    backup_protection,
    changes_since_backup,
    create_agency_backup_key,
    restore,
)
from fieldapp.services.rules import rule_config
from fieldapp.services.staff import LoggedIn, login_choices
from fieldapp.ui.app import create_main_window
from fieldapp.ui.fonts import UI_POINT_SIZE
from fieldapp.ui.main_window import MainWindow
from fieldapp.ui.pages.settings import SettingsPage
from fieldapp.ui.qt import QApplication, QCheckBox, QFileDialog, QPalette, QPoint, Qt
from fieldapp.ui.style import apply_look

WAIT_MS = 10_000


def _user(ctx: ServiceContext, role: str) -> LoggedIn:
    return next(u for u in login_choices(ctx=ctx) if u.role == role)


@pytest.fixture
def fresh(tmp_path: Path, qtbot: QtBot,
          qapp: QApplication) -> Iterator[tuple[MainWindow, ServiceContext]]:
    """A window on its own data directory: what these tests save stays there."""
    ctx = open_context(tmp_path / "data")
    generate_demo(ctx=ctx, subjects=40, inspections=50)
    window = create_main_window(ctx, ask_login=False)
    qtbot.addWidget(window)
    window.show()
    yield window, ctx
    window.worker.shutdown()
    ctx.close()
    apply_look(qapp, large_text=False, dark_mode=False)  # the next test's look


def _page(window: MainWindow, qtbot: QtBot) -> SettingsPage:
    page = window.go("settings")
    assert isinstance(page, SettingsPage)
    qtbot.waitUntil(lambda: not window.worker.is_busy(), timeout=WAIT_MS)
    return page


def _tick(qtbot: QtBot, box: QCheckBox) -> None:
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(12, box.height() // 2))


def _saved(ctx: ServiceContext) -> dict[str, object]:
    path = ctx.store.data_dir / PREFERENCES_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def test_large_text_and_dark_mode_apply_at_once_and_are_saved(
        fresh: tuple[MainWindow, ServiceContext], qtbot: QtBot, qapp: QApplication) -> None:
    window, ctx = fresh
    page = _page(window, qtbot)
    assert qapp.font().pointSizeF() == UI_POINT_SIZE

    _tick(qtbot, page.controls["large_text"])
    qtbot.waitUntil(lambda: _saved(ctx).get("large_text") is True, timeout=WAIT_MS)
    assert qapp.font().pointSizeF() > UI_POINT_SIZE
    assert window.font().pointSizeF() == qapp.font().pointSizeF()

    _tick(qtbot, page.controls["dark_mode"])
    qtbot.waitUntil(lambda: _saved(ctx).get("dark_mode") is True, timeout=WAIT_MS)
    assert qapp.palette().color(QPalette.ColorRole.Window).lightness() < 80
    qtbot.waitUntil(lambda: page.message.text() == _("Saved."), timeout=WAIT_MS)

    # A window opened later on the same data directory comes up the same way.
    apply_look(qapp, large_text=False, dark_mode=False)
    again = create_main_window(ctx, ask_login=False)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: qapp.font().pointSizeF() > UI_POINT_SIZE, timeout=WAIT_MS)
    assert qapp.palette().color(QPalette.ColorRole.Window).lightness() < 80
    again.worker.shutdown()


def test_the_language_is_saved_for_the_next_start(
        fresh: tuple[MainWindow, ServiceContext], qtbot: QtBot) -> None:
    window, ctx = fresh
    page = _page(window, qtbot)
    combo = page.controls["language"]
    assert combo.currentData() == "zh_CN" and combo.currentText() == "简体中文"
    assert not page.language_hint.isVisibleTo(page)
    combo.setCurrentIndex(combo.findData("en"))
    qtbot.waitUntil(lambda: _saved(ctx).get("language") == "en", timeout=WAIT_MS)
    assert i18n.language() == "zh_CN"  # the window's words stay as they are until restart
    assert page.language_hint.isVisibleTo(page)
    assert page.language_hint.text() == _(
        "The new language is used from the next start of the app.")
    assert load_preferences(ctx.store.data_dir).language == "en"


def test_a_hand_edited_preferences_file_falls_back_to_defaults(
        tmp_path: Path, qtbot: QtBot, qapp: QApplication) -> None:
    data = tmp_path / "data"
    ctx = open_context(data)
    (data / PREFERENCES_FILE).write_text('{"printer_layout": "A3", "large_text": "yes", '
                                         '"dark_mode": false, "unknown": 1}', encoding="utf-8")
    window = create_main_window(ctx, ask_login=False)
    qtbot.addWidget(window)
    try:
        page = _page(window, qtbot)
        assert page.controls["printer_layout"].currentData() == "a4"
        assert not page.controls["large_text"].isChecked()
        assert qapp.font().pointSizeF() == UI_POINT_SIZE
    finally:
        window.worker.shutdown()
        ctx.close()


def test_back_up_now_writes_the_backup_to_the_chosen_folder(
        fresh: tuple[MainWindow, ServiceContext], qtbot: QtBot, tmp_path: Path) -> None:
    window, ctx = fresh
    leader = _user(ctx, "squad_leader")
    window.set_user(leader)
    # The city's agency backup key (HQ publishes it; here the administrator makes it).
    agency = create_agency_backup_key(private_key_file=tmp_path / "hq" / "agency.pem",
                                      ctx=ctx, officer_id=leader.officer_id)
    page = _page(window, qtbot)
    folder = tmp_path / "usb-stick"
    folder.mkdir()
    qtbot.mouseClick(page.choose_folder_button, Qt.MouseButton.LeftButton)
    dialog = page.folder_dialog
    assert isinstance(dialog, QFileDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.selectFile(str(folder))
    dialog.accept()
    qtbot.waitUntil(lambda: _saved(ctx).get("backup_folder") == str(folder), timeout=WAIT_MS)
    assert page.controls["backup_folder"].text() == str(folder)

    qtbot.mouseClick(page.backup_button, Qt.MouseButton.LeftButton)
    assert page.backup_progress.isVisible() and not page.backup_button.isEnabled()
    qtbot.waitUntil(lambda: page.backup_button.isEnabled(), timeout=WAIT_MS)
    [made] = list(folder.glob(f"fieldapp-backup-*{BACKUP_SUFFIX}"))
    assert backup_protection(source=made) == "agency key"
    assert str(made) in page.backup_result.text()
    assert page.backup_result.property("role") == "success"
    assert not page.backup_progress.isVisible()
    assert changes_since_backup(ctx=ctx) == 0
    changes = _("Changes since last backup: {count}", count=0)
    qtbot.waitUntil(lambda: window.backup_state.text() == changes, timeout=WAIT_MS)
    restored = restore(data_dir=tmp_path / "restored", source=made, now=ctx.now(),
                       private_key_file=agency.private_key_file)
    assert restored.audit_events > 0


def test_back_up_now_without_an_agency_key_says_what_is_missing(
        fresh: tuple[MainWindow, ServiceContext], qtbot: QtBot, tmp_path: Path) -> None:
    window, ctx = fresh
    window.set_user(_user(ctx, "squad_leader"))
    page = _page(window, qtbot)
    assert page.controls["backup_folder"].text() == str(
        ctx.store.data_dir.parent / "data-backups")  # beside the data, not inside it
    qtbot.mouseClick(page.backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.backup_button.isEnabled(), timeout=WAIT_MS)
    assert page.backup_result.property("role") == "error"
    assert page.backup_result.text() == _("Error: {error}", error=i18n.describe(
        ValidationError("backup public key", "no agency backup key is set up; set the one "
                        "HQ publishes in the city's rules, or give a passphrase")))
    assert "备份公钥" in page.backup_result.text()
    assert not (tmp_path / "data-backups").exists() or not list(
        (tmp_path / "data-backups").iterdir())


def test_only_leaders_change_the_rules(fresh: tuple[MainWindow, ServiceContext],
                                       qtbot: QtBot) -> None:
    window, ctx = fresh
    window.set_user(_user(ctx, "officer"))
    page = _page(window, qtbot)
    lookback = page.rule_controls["lookback_months"]
    summary = page.rule_controls["summary_fine_max_individual"]
    qtbot.waitUntil(lambda: lookback.value() == rule_config(ctx=ctx).lookback_months,
                    timeout=WAIT_MS)
    assert summary.value() == rule_config(ctx=ctx).summary_fine_max_individual == 200
    assert not lookback.isEnabled() and not page.save_rules_button.isVisibleTo(page)
    assert page.rules_hint.text() == _(
        "Only the squad leader or the agency head may change these rules.")

    window.set_user(_user(ctx, "squad_leader"))
    assert lookback.isEnabled() and page.save_rules_button.isVisibleTo(page)
    lookback.setValue(6)
    summary.setValue(150)
    qtbot.mouseClick(page.save_rules_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rule_config(ctx=ctx).lookback_months == 6, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.rules_message.text().startswith(_("Saved: {settings}",
                                                                   settings="")),
                    timeout=WAIT_MS)
    config = rule_config(ctx=ctx)
    assert config.summary_fine_max_individual == 150
    assert config.hearing_fine_individual == 5000  # untouched settings stay as they were
