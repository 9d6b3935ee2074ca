"""The sync in the app, against a real HQ on 127.0.0.1: the first sync starts by itself
after enrollment with a progress bar, the status bar says when it synced and what waits,
the sync page lists what HQ rejected with what to do, and a sync on demand runs on the
worker while the window keeps answering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldapp.domain.entities import OfficerRole
from fieldapp.services.staff import add_officer
from fieldapp.ui.app import create_main_window
from fieldapp.ui.main_window import MainWindow
from tests.hq.client import Hq
from tests.hq.conftest import _servers, sqlite_hq  # noqa: F401  (fixtures)
from tests.sync.devices import Desk, Squad

WAIT_MS = 30_000


@pytest.fixture
def desk(sqlite_hq: Hq, tmp_path: Path) -> Iterator[Desk]:  # noqa: F811
    squad = Squad(sqlite_hq, tmp_path)
    yield squad.enroll("界面")
    squad.close()


def _window(qtbot: QtBot, desk: Desk) -> MainWindow:
    window = create_main_window(desk.ctx, ask_login=False)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitExposed(window):
        window.show()
    return window


def test_first_sync_by_itself_then_the_page_lists_a_rejection(qtbot: QtBot, desk: Desk,
                                                              tmp_path: Path) -> None:
    window = _window(qtbot, desk)
    try:
        indicator = window.sync_indicator
        qtbot.waitUntil(lambda: indicator.text().startswith("已同步"), timeout=WAIT_MS)
        assert "待发送 0" in indicator.text()
        lead = desk.login("D-LEAD")
        stranger = add_officer(ctx=desk.ctx, squad_id=desk.sql(
            "SELECT squad_id FROM officer WHERE id = ?", lead)[0][0], name="临时工",
            certificate_no="LOCAL-9", valid_from=dt.date(2020, 1, 1),
            valid_to=dt.date(2035, 1, 1), role=OfficerRole.OFFICER, by_officer_id=lead).id
        desk.vendor(stranger)
        page = window.go("sync")
        with qtbot.waitSignal(window.sync_runner.finished, timeout=WAIT_MS):
            page.sync_button.click()
        qtbot.waitUntil(lambda: page.change_table.rowCount() == 1 and page.change_table.item(
            0, 0).text() == "已拒收", timeout=WAIT_MS)
        assert page.change_table.item(0, 4).text()  # what to do, in Chinese
        qtbot.waitUntil(lambda: "问题 1" in indicator.text(), timeout=WAIT_MS)
        window.grab().save(str(tmp_path / "sync-page.png"))
    finally:
        window.worker.shutdown()
