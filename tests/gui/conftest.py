"""GUI tests: one shared offscreen QApplication, a real demo data directory, and Qt
warnings counted as failures."""

from __future__ import annotations

import os

# Before anything loads Qt (ruff allows this above the imports): no display on CI.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from fieldapp.demo.load import generate_demo
from fieldapp.domain.entities import FindingData, InspectionData, SubjectData, SubjectKind
from fieldapp.services.context import ServiceContext, open_context
from fieldapp.services.inspections import record_inspection
from fieldapp.services.staff import list_officers
from fieldapp.services.subjects import create_subject
from fieldapp.ui.app import (
    collect_garbage_on_gui_thread,
    create_main_window,
    install_qt_translations,
)
from fieldapp.ui.fonts import register_fonts
from fieldapp.ui.guards import install_wheel_guard
from fieldapp.ui.main_window import MainWindow
from fieldapp.ui.qt import QApplication
from fieldapp.ui.style import apply_style

# Noise of the offscreen platform plugin itself, not of our code.
_HARMLESS_QT_MESSAGES = ("This plugin does not support propagateSizeHints()",)
_FAILING_TYPES = {"QtWarningMsg", "QtCriticalMsg", "QtFatalMsg"}


@pytest.fixture(autouse=True)
def _qt_warnings_fail(qtlog: Any) -> Iterator[None]:
    yield
    bad = [r.message for r in qtlog.records
           if r.type_name in _FAILING_TYPES and r.message not in _HARMLESS_QT_MESSAGES]
    assert bad == [], f"Qt warned: {bad}"


@pytest.fixture(scope="session", autouse=True)
def _ui_look(qapp: QApplication) -> None:
    """The bundled font and the shared style, as ``run_app`` sets them up."""
    assert register_fonts() is not None
    apply_style(qapp)
    install_wheel_guard(qapp)
    collect_garbage_on_gui_thread(qapp)
    install_qt_translations(qapp)


@pytest.fixture(autouse=True)
def _qt_speaks_the_language_again(qapp: QApplication) -> Iterator[None]:
    """A test that switched the language leaves Qt's own words in Chinese again."""
    yield
    from fieldapp import i18n

    i18n.set_language("zh_CN")
    install_qt_translations(qapp)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a small demo data set (made once for the session)."""
    data_dir = tmp_path_factory.mktemp("gui") / "data"
    ctx = open_context(data_dir)
    try:
        generate_demo(ctx=ctx, subjects=60, inspections=600)
    finally:
        ctx.close()
    return data_dir


@pytest.fixture
def ctx(demo_dir: Path) -> Iterator[ServiceContext]:
    context = open_context(demo_dir)
    yield context
    context.close()


@pytest.fixture
def make_window(qtbot: QtBot, ctx: ServiceContext) -> Iterator[Callable[[], MainWindow]]:
    """Builds the main window, shown; call it after the test has chosen its language."""
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        window = create_main_window(ctx, ask_login=False)
        qtbot.addWidget(window)
        with qtbot.waitExposed(window):
            window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:  # every job must be done before the context closes
        window.worker.shutdown()


WAIT_MS = 10_000
LOCAL = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def world(tmp_path: Path, qtbot: QtBot) -> Iterator[tuple[MainWindow, ServiceContext, list[Any],
                                                        str]]:
    """A squad on its own data directory and a vendor two colleagues educated last
    month: (window, ctx, the squad's certified officers, the vendor's id)."""
    data = tmp_path / "data"
    ctx = open_context(data)
    generate_demo(ctx=ctx, subjects=30, inspections=0, showcase=False)
    officers = [o for o in list_officers(ctx=ctx) if o.role in ("officer", "squad_leader")]
    squad = officers[0].squad_id
    mates = [o for o in officers if o.squad_id == squad]
    vendor = create_subject(ctx=ctx, officer_id=mates[1].id, data=SubjectData(
        kind=SubjectKind.UNIDENTIFIED_VENDOR, goods="烤红薯", appearance="老年男子，三轮车",
        usual_place="人民路地铁站B口")).id
    record_inspection(ctx=ctx, data=InspectionData(
        subject_id=vendor, officer_ids=(mates[1].id, mates[2].id),
        at=dt.datetime.now(LOCAL) - dt.timedelta(days=30), address="人民路地铁站B口",
        findings=(FindingData(violation_code="JM01", facts="占道销售烤红薯",
                              corrected_on_spot=True),)))
    window = create_main_window(ctx, ask_login=False)
    qtbot.addWidget(window)
    window.show()
    yield window, ctx, mates, vendor
    window.worker.shutdown()
    ctx.close()


@pytest.fixture
def login() -> Callable[..., None]:
    """Log in through the real dialog: ``login(window, qtbot, certificate)``."""

    def log_in(window: MainWindow, qtbot: QtBot, certificate: str,
               password: str = "demo1234") -> None:
        window.show_login()
        dialog = window._login_dialog
        qtbot.waitUntil(lambda: dialog.officer.count() > 0, timeout=WAIT_MS)
        dialog.choose(certificate)
        dialog.password.setText(password)
        dialog.button.click()
        qtbot.waitUntil(lambda: window.state.user is not None
                        and window.state.user.certificate_no == certificate, timeout=WAIT_MS)

    return log_in
