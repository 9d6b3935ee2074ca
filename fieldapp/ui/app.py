"""Start the desktop app: the composition root of the UI."""

from __future__ import annotations

import sys
from pathlib import Path

from fieldapp.i18n import _, describe
from fieldapp.services.context import ServiceContext, open_context
from fieldapp.ui.fonts import register_fonts
from fieldapp.ui.main_window import MainWindow
from fieldapp.ui.qt import QApplication, QMessageBox
from fieldapp.ui.style import apply_style

EXIT_FAILURE = 1


def create_main_window(ctx: ServiceContext | None = None, *,
                       ask_login: bool = True) -> MainWindow:
    """The main window on an opened context (or none yet); needs a QApplication."""
    return MainWindow(ctx, ask_login=ask_login)


def create_application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("fieldapp")
    register_fonts()
    apply_style(app)
    return app


def run_app(data_dir: Path) -> int:
    """Show the window at once, open (and migrate) the data directory in the background."""
    app = create_application()
    window = create_main_window()
    opened: list[ServiceContext] = []

    def open_store() -> ServiceContext:
        ctx = open_context(data_dir)
        opened.append(ctx)  # closed below even if the window is gone before it arrives
        return ctx

    def failed_to_open(error: BaseException) -> None:
        QMessageBox.critical(window, window.windowTitle(), _("Error: {error}",
                                                             error=describe(error)))
        app.exit(EXIT_FAILURE)

    window.show()
    window.worker.run(open_store, window.set_context, on_error=failed_to_open)
    try:
        return app.exec()
    finally:
        window.worker.shutdown()
        for ctx in opened:
            ctx.close()
