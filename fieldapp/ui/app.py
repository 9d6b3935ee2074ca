"""Start the desktop app: the composition root of the UI."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from fieldapp.i18n import _, describe
from fieldapp.ui.fonts import register_fonts
from fieldapp.ui.main_window import MainWindow
from fieldapp.ui.qt import QApplication, QLibraryInfo, QMessageBox, QTimer, QTranslator
from fieldapp.ui.style import apply_style

if TYPE_CHECKING:
    from fieldapp.services.context import ServiceContext

EXIT_FAILURE = 1


def create_main_window(ctx: ServiceContext | None = None, *,
                       ask_login: bool = True) -> MainWindow:
    """The main window on an opened context (or none yet); needs a QApplication."""
    return MainWindow(ctx, ask_login=ask_login)


GC_INTERVAL_MS = 2_000


def create_application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("fieldapp")
    register_fonts()
    apply_style(app)
    collect_garbage_on_gui_thread(app)
    install_qt_translations(app)
    return app


def install_qt_translations(app: QApplication) -> None:
    """Qt's own dialogs (file, print, message box buttons) in the chosen language."""
    from fieldapp import i18n

    if getattr(app, "_fieldapp_translator", None) is not None or i18n.language() == "en":
        return
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{i18n.language()}", folder):
        app.installTranslator(translator)
        app._fieldapp_translator = translator  # type: ignore[attr-defined]


def collect_garbage_on_gui_thread(app: QApplication) -> None:
    """Run Python's cycle collector only on the GUI thread (as Anki does).

    Left automatic, it can start on a worker thread and free Qt objects there, which
    crashes Qt. Reference counting still frees everything that is not in a cycle."""
    if getattr(app, "_fieldapp_gc_timer", None) is not None:
        return
    gc.disable()
    timer = QTimer(app)
    timer.timeout.connect(lambda: gc.collect(1))
    timer.start(GC_INTERVAL_MS)
    app._fieldapp_gc_timer = timer  # type: ignore[attr-defined]


def start(data_dir: Path, *, ask_login: bool = True) -> tuple[MainWindow, list[ServiceContext]]:
    """Show the window at once and open (and migrate) the data directory on the worker.

    Returns the window and the list the opened context lands in (to close at the end).
    """
    app = create_application()
    window = create_main_window(ask_login=ask_login)
    opened: list[ServiceContext] = []

    def open_store() -> ServiceContext:
        # The services and the pages are imported here, on the worker, while the
        # window is already on the screen.
        from fieldapp.services.context import open_context
        from fieldapp.ui.pages.registry import load_pages

        load_pages()
        ctx = open_context(data_dir)
        opened.append(ctx)  # closed by the caller even if the window is gone by then
        return ctx

    def failed_to_open(error: BaseException) -> None:
        QMessageBox.critical(window, window.windowTitle(), _("Error: {error}",
                                                             error=describe(error)))
        app.exit(EXIT_FAILURE)

    window.show()
    window.worker.run(open_store, window.set_context, on_error=failed_to_open)
    return window, opened


def run_app(data_dir: Path) -> int:
    """The desktop app until its window closes."""
    from fieldapp import i18n
    from fieldapp.logs import install_excepthook, setup_logging
    from fieldapp.services.preferences import load_preferences
    from fieldapp.ui.style import apply_look

    setup_logging(data_dir)  # tracebacks and library warnings: <data dir>/logs/fieldapp.log
    install_excepthook()
    prefs = load_preferences(data_dir)
    if "--lang" not in sys.argv and "FIELDAPP_LANG" not in os.environ:
        i18n.set_language(prefs.language)  # the command line, when given, wins
    app = create_application()
    apply_look(app, large_text=prefs.large_text, dark_mode=prefs.dark_mode)
    window, opened = start(data_dir)
    try:
        return app.exec()
    finally:
        window.worker.shutdown()
        for ctx in opened:
            ctx.close()
