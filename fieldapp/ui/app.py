"""Start the desktop app: the composition root of the UI."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from fieldapp.i18n import N_, _, describe
from fieldapp.i18n import gettext as i18n_gettext
from fieldapp.ui.fonts import register_fonts
from fieldapp.ui.guards import install_wheel_guard
from fieldapp.ui.main_window import MainWindow
from fieldapp.ui.qt import (
    QApplication,
    QLibraryInfo,
    QLocale,
    QMessageBox,
    QTimer,
    QTranslator,
)
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
    """The application, set up once: a second call (``start`` after ``run_app``) must not
    undo the look the preferences gave it (large text, dark mode)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    if not getattr(app, "_fieldapp_ready", False):
        app.setApplicationName("fieldapp")
        register_fonts()
        apply_style(app)
        install_wheel_guard(app)
        collect_garbage_on_gui_thread(app)
        app._fieldapp_ready = True  # type: ignore[attr-defined]
    install_qt_translations(app)
    return app


QT_CATALOGUES = ("qtbase", "qtmultimedia")  # Qt's own words: dialogs, the camera
# Words of Qt's file dialog that its own catalogues lack (Qt 6 changed their accelerators):
# (context, source) → our msgid, translated like every other word of the app.
QT_MISSING = {("QFileDialog", "&Look in:"): N_("&Look in:"),
              ("QFileDialog", "Files of &type:"): N_("Files of &type:")}


class QtMissingWords(QTranslator):
    """Answers only for ``QT_MISSING``; Qt asks it before its own catalogues."""

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        msgid = QT_MISSING.get((context, source))
        # None (a null string) lets Qt ask the next catalogue; "" would be an answer.
        return i18n_gettext(msgid) if msgid is not None else None

    def isEmpty(self) -> bool:
        return False
QT_LOCALES = {"zh_CN": QLocale(QLocale.Language.Chinese, QLocale.Country.China),
              "en": QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)}


def install_qt_translations(app: QApplication) -> None:
    """Qt's own dialogs (file, print, message box buttons) and its dates (the file
    dialog's columns, calendars) in the chosen language; again after a change."""
    from fieldapp import i18n

    lang = i18n.language()
    if getattr(app, "_fieldapp_qt_language", None) == lang:
        return
    for old in getattr(app, "_fieldapp_translators", []):
        app.removeTranslator(old)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translators = []
    for catalogue in QT_CATALOGUES if lang != "en" else ():
        translator = QTranslator(app)
        if translator.load(f"{catalogue}_{lang}", folder):
            app.installTranslator(translator)
            translators.append(translator)
    if lang != "en":
        missing = QtMissingWords(app)
        app.installTranslator(missing)  # installed last: asked first
        translators.append(missing)
    QLocale.setDefault(QT_LOCALES.get(lang, QLocale.c()))
    app._fieldapp_translators = translators  # type: ignore[attr-defined]
    app._fieldapp_qt_language = lang  # type: ignore[attr-defined]


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
    apply_look(app, large_text=prefs.large_text, dark_mode=prefs.dark_mode,
               tablet_mode=prefs.tablet_mode)
    window, opened = start(data_dir)
    try:
        return app.exec()
    finally:
        window.worker.shutdown()
        for ctx in opened:
            ctx.close()
