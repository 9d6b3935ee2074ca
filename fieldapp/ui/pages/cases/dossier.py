"""Printing the case dossier (案卷): the completeness check first, then the PDF on the
worker with progress and cancel, once the documents module is installed."""

from __future__ import annotations

import importlib
import importlib.util
import threading
from pathlib import Path
from types import ModuleType

from fieldapp.i18n import _, describe
from fieldapp.ui.qt import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QObject,
    QProgressDialog,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldapp.ui.session import AppState
from fieldapp.ui.widgets import save_dialog, suggested_file

# A service of the documents module: the page works without it, then with it.
DOSSIER_MODULE = "fieldapp.services.paperwork.dossier"


def optional_module(name: str) -> ModuleType | None:
    """A service of the documents module, once that module is installed."""
    try:
        found = importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        found = False
    return importlib.import_module(name) if found else None


def dossier_available() -> bool:
    try:
        return importlib.util.find_spec(DOSSIER_MODULE) is not None
    except (ImportError, ValueError):
        return False


class ProgressBridge(QObject):
    """Carries progress reports from the worker thread to the progress dialog."""

    reported = Signal(int, int)

    def report(self, _stage: str, done: int, total: int) -> None:
        """The dossier service's ``progress(stage, done, total)``, on a worker thread."""
        self.reported.emit(done, max(total, 1))


class DossierPrinter(QObject):
    """Completeness check first, then the PDF on the worker with progress and cancel."""

    message = Signal(str, bool)  # text, is an error

    def __init__(self, state: AppState, parent: QWidget) -> None:
        super().__init__(parent)
        self.state = state
        self.check_dialog: QDialog | None = None
        self.missing: QListWidget | None = None  # in the check dialog
        self.print_button: QPushButton | None = None
        self.file_dialog: QFileDialog | None = None
        self.progress: QProgressDialog | None = None
        self._cancel = threading.Event()
        self._bridge = ProgressBridge(self)

    def _window(self) -> QWidget:
        # Asked of Qt each time: a Python attribute would make a reference cycle, and
        # cycles are freed by the garbage collector on whichever thread runs it.
        parent = self.parent()
        assert isinstance(parent, QWidget)
        return parent

    def start(self, case_id: str, case_no: str, party: str = "") -> None:
        ctx, module = self.state.ctx, optional_module(DOSSIER_MODULE)
        if ctx is None or module is None:
            return
        self._cancel.clear()
        self.state.worker.run(lambda: module.dossier_completeness(ctx=ctx, case_id=case_id),
                              lambda missing: self._show_check(case_id, (case_no, party), missing),
                              on_error=self._failed)

    def _show_check(self, case_id: str, name: tuple[str, str], missing: list[str]) -> None:
        """What the dossier lacks; the squad leader may still print (the notes list it)."""
        dialog = QDialog(self._window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowTitle(_("Print dossier"))
        dialog.setMinimumWidth(520)
        summary = QLabel(_("The dossier lacks these materials. You may still print it: they "
                           "are listed in its notes sheet.") if missing
                         else _("Nothing is missing from the dossier."), dialog)
        summary.setWordWrap(True)
        summary.setProperty("role", "subheading")
        self.missing = QListWidget(dialog)
        self.missing.addItems([f"✗ {line}" for line in missing])
        self.missing.setVisible(bool(missing))
        buttons = QDialogButtonBox(dialog)
        self.print_button = buttons.addButton(_("Print dossier…"),
                                              QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(summary)
        layout.addWidget(self.missing, 1)
        layout.addWidget(buttons)
        dialog.accepted.connect(lambda: self._choose_file(case_id, name))
        self.check_dialog = dialog
        dialog.open()

    def _choose_file(self, case_id: str, name: tuple[str, str]) -> None:
        """The save dialog on "案号 当事人 案卷.pdf" in the documents folder."""
        case_no, party = name
        suggested = suggested_file(case_no or _("case"), party, _("dossier"), suffix=".pdf")
        dialog = save_dialog(self._window(), _("Save the dossier as PDF"),
                             _("PDF files (*.pdf)"), suggested)
        dialog.fileSelected.connect(lambda path: self.print_to(case_id, Path(path)))
        self.file_dialog = dialog
        dialog.open()

    def print_to(self, case_id: str, path: Path) -> None:
        ctx, module = self.state.ctx, optional_module(DOSSIER_MODULE)
        if ctx is None or module is None:
            return
        officer_id = self.state.user.officer_id if self.state.user else ""
        self._cancel.clear()
        progress = QProgressDialog(_("Printing the dossier…"), _("Cancel"), 0, 100,
                                   self._window())
        progress.setWindowTitle(_("Print dossier"))
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.canceled.connect(self._cancel.set)
        self._bridge.reported.connect(self._progressed)
        self.progress = progress
        progress.open()
        cancel = self._cancel.is_set
        self.state.worker.run(
            lambda: module.print_dossier(ctx=ctx, case_id=case_id, path=path,
                                         progress=self._bridge.report, cancel=cancel,
                                         officer_id=officer_id),
            lambda _result: self._printed(path), on_error=self._failed)

    def _progressed(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setMaximum(total)
            self.progress.setValue(min(done, total))

    def _printed(self, path: Path) -> None:
        cancelled = self._close_progress()
        if cancelled:
            self.message.emit(_("Printing the dossier was cancelled."), False)
        else:
            self.message.emit(_("Dossier saved to {path}", path=str(path)), False)

    def _failed(self, error: BaseException) -> None:
        if self._close_progress():
            self.message.emit(_("Printing the dossier was cancelled."), False)
        else:
            self.message.emit(_("Error: {error}", error=describe(error)), True)

    def _close_progress(self) -> bool:
        """Close the progress dialog; True when the user had cancelled."""
        cancelled = self._cancel.is_set()
        progress, self.progress = self.progress, None
        if progress is not None:
            self._bridge.reported.disconnect(self._progressed)
            progress.canceled.disconnect(self._cancel.set)  # closing it is no cancel
            progress.close()
            progress.deleteLater()
        return cancelled
