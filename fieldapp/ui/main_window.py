"""The main window: navigation on the left, one page at a time, the status bar below.

The window shows its navigation at once; the pages are made when the data directory is
open (``set_context``), their modules having been imported on the worker meanwhile.

The status bar always shows who works on the device, their squad and how many changes
were recorded since the last backup (the sync state joins it with the sync issue).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fieldapp.domain.changes import OpChanges
from fieldapp.i18n import _
from fieldapp.ui.pages.base import Page
from fieldapp.ui.pages.registry import PAGES, load_pages
from fieldapp.ui.qt import (
    QButtonGroup,
    QCloseEvent,
    QFrame,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QShortcut,
    QShowEvent,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldapp.ui.session import AppState
from fieldapp.ui.sync_runner import attach_sync
from fieldapp.ui.worker import Worker

if TYPE_CHECKING:
    from fieldapp.services.context import ServiceContext
    from fieldapp.services.staff import LoggedIn
    from fieldapp.ui.jobs import StatusCounts

BUSY_DELAY_MS = 400  # show the busy bar only for jobs slow enough to notice
ERROR_SHOWN_MS = 15_000
NAV_WIDTH_PX = 120
TITLE_BAR_PX = 32  # before the first show the frame is unknown: keep room for one
WINDOW_PX = (1280, 800)  # the usual rugged laptop; never more than the screen gives


class MainWindow(QMainWindow):
    def __init__(self, ctx: ServiceContext | None = None, parent: QWidget | None = None,
                 *, ask_login: bool = True) -> None:
        super().__init__(parent)
        self.worker = Worker(self)
        self.state = AppState(self.worker, self)
        self.ask_login = ask_login
        self.setWindowTitle(_("fieldapp urban management enforcement"))
        self.resize(*WINDOW_PX)
        self.pages: dict[str, Page] = {}
        self._shown = -1
        self._fitted = False
        self._build()
        self._build_status_bar()
        self._connect()
        if ctx is not None:
            self.set_context(ctx)
        else:
            self.statusBar().showMessage(_("Opening the data directory…"))

    # --- building --------------------------------------------------------------------

    def _build(self) -> None:
        # Navigation as a column of big checkable buttons: easy to hit on a tablet.
        # In a scroll area: the column never sets the window's height (nine pages and
        # more to come on a 1366x768 screen at 125%); it scrolls only when it must.
        nav_scroll = QScrollArea(self)
        nav_scroll.setFixedWidth(NAV_WIDTH_PX)
        nav_scroll.setWidgetResizable(True)
        nav_scroll.setFrameShape(QFrame.Shape.NoFrame)
        nav_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        nav = QWidget(nav_scroll)
        nav.setProperty("role", "nav")
        nav_scroll.setWidget(nav)
        nav_layout = QVBoxLayout(nav)
        nav_layout.setContentsMargins(6, 8, 6, 8)
        self.nav_buttons = QButtonGroup(self)
        self.nav_buttons.setExclusive(True)
        self.stack = QStackedWidget(self)
        self.opening = QLabel(_("Opening the data directory…"), self.stack)
        self.opening.setProperty("role", "heading")
        self.stack.addWidget(self.opening)
        for n, entry in enumerate(PAGES):
            button = QPushButton(_(entry.title), nav)
            button.setCheckable(True)
            button.setProperty("role", "nav")
            button.setToolTip(f"{_(entry.title)} (Alt+{n + 1})")
            self.nav_buttons.addButton(button, n)
            nav_layout.addWidget(button)
        nav_layout.addStretch(1)
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(nav_scroll)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.busy_bar = QProgressBar(bar)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.setVisible(False)
        self.user_label = QLabel(bar)
        self.backup_state = QLabel(bar)
        self.switch_button = QPushButton(_("Switch officer"), bar)
        for widget in (self.busy_bar, self.user_label, self.backup_state, self.switch_button):
            widget.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(widget)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_DELAY_MS)

    def _connect(self) -> None:
        self.nav_buttons.idClicked.connect(self._show_page)
        self.worker.changed.connect(self._records_changed)
        self.worker.failed.connect(self.show_error)
        self.worker.busy.connect(self._set_busy)
        self._busy_timer.timeout.connect(lambda: self.busy_bar.setVisible(True))
        self.switch_button.clicked.connect(self.show_login)
        self.state.user_changed.connect(self._user_changed)
        for n, entry in enumerate(PAGES, start=1):
            shortcut = QShortcut(QKeySequence(f"Alt+{n}"), self)
            shortcut.activated.connect(lambda key=entry.key: self.go(key))
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)
        switch = QShortcut(QKeySequence("Ctrl+L"), self)
        switch.activated.connect(self.show_login)

    # --- actions ---------------------------------------------------------------------

    @property
    def ctx(self) -> ServiceContext | None:
        return self.state.ctx

    def set_context(self, ctx: ServiceContext) -> None:
        """Start working on an opened data directory."""
        self._install_pages()
        self.state.set_context(ctx)
        self.statusBar().clearMessage()
        for page in self.pages.values():
            page.context_ready()
        self.refresh_status()
        attach_sync(self)  # sync hook: background sync, status-bar indicator, sync page
        self.go("today" if "today" in self.pages else next(iter(self.pages)))
        if self.ask_login and self.state.user is None:
            QTimer.singleShot(0, self.show_login)

    def _install_pages(self) -> None:
        if self.pages:
            return
        for cls in load_pages():  # already imported by the worker when run_app starts
            page = cls(self.state, self.stack)
            self.pages[cls.key] = page
            self.stack.addWidget(page)
        inspection, documents = self.pages.get("inspection"), self.pages.get("documents")
        if inspection is not None and documents is not None:
            inspection.document_issued.connect(self.show_document)  # type: ignore[attr-defined]
        cases = self.pages.get("cases")
        if cases is not None and documents is not None:
            cases.document_issued.connect(self.show_document)  # type: ignore[attr-defined]
        today = self.pages.get("today")
        if today is not None:
            today.open_case.connect(self.show_case)  # type: ignore[attr-defined]
            today.open_subject.connect(self.show_subject)  # type: ignore[attr-defined]
            today.open_revisit.connect(self.start_revisit)  # type: ignore[attr-defined]

    def go(self, key: str) -> Page:
        page = self.pages[key]
        row = list(self.pages).index(key)
        button = self.nav_buttons.button(row)
        if not button.isChecked():
            button.setChecked(True)
        self._show_page(row)
        return page

    def show_document(self, document_id: str) -> None:
        """Open the documents page on a document (e.g. one just issued)."""
        page = self.go("documents")
        page.show_when_listed(document_id)  # type: ignore[attr-defined]

    def show_case(self, case_id: str) -> None:
        self.go("cases").show_case(case_id)  # type: ignore[attr-defined]

    def show_subject(self, subject_id: str) -> None:
        self.go("subjects").open_subject(subject_id)  # type: ignore[attr-defined]

    def start_revisit(self, subject_id: str, violation_code: str, party: str) -> None:
        """The inspection form, ready for the revisit of that subject and violation."""
        page = self.go("inspection")
        page.choose_subject(subject_id, party)  # type: ignore[attr-defined]
        page.choose_violation(violation_code)  # type: ignore[attr-defined]

    def page(self, key: str) -> Page:
        return self.pages[key]

    def focus_search(self) -> None:
        page = self.go("subjects")
        page.activate()

    def show_login(self) -> None:
        """Log in, or switch to another officer; work of the others stays where it is."""
        if self.state.ctx is None:
            return
        from fieldapp.ui.login import LoginDialog

        dialog = LoginDialog(self.state, self)
        dialog.open()
        dialog.accepted.connect(lambda: self.set_user(dialog.result_user))
        self._login_dialog = dialog

    def set_user(self, user: LoggedIn | None) -> None:
        self.state.set_user(user)

    def refresh_status(self) -> None:
        ctx = self.state.ctx
        if ctx is not None:
            from fieldapp.ui import jobs

            self.worker.run(lambda: jobs.status_counts(ctx), self._show_status, key="status")

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(message, ERROR_SHOWN_MS)

    # --- coming back -----------------------------------------------------------------

    def _show_page(self, row: int) -> None:
        if row < 0 or row == self._shown or not self.pages:
            return
        self._shown = row
        page = list(self.pages.values())[row]
        self.stack.setCurrentWidget(page)
        page.activate()

    def _user_changed(self, user: LoggedIn | None) -> None:
        if user is None:
            self.user_label.setText(_("Not logged in"))
        else:
            self.user_label.setText(_("{name} ({role}) · {squad}", name=user.name,
                                      role=_(user.role), squad=user.squad_name))
        for page in self.pages.values():
            page.user_changed()

    def _show_status(self, counts: StatusCounts) -> None:
        self.backup_state.setText(
            _("Changes since last backup: {count}", count=counts.changes_since_backup))

    def _records_changed(self, changes: OpChanges) -> None:
        self.refresh_status()
        for page in self.pages.values():
            page.records_changed(changes)

    def _set_busy(self, busy: bool) -> None:
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.busy_bar.setVisible(False)

    def showEvent(self, event: QShowEvent) -> None:
        if not self._fitted:
            self._fitted = True
            self.fit_to_screen()
        super().showEvent(event)

    def fit_to_screen(self) -> None:
        """At most the screen's free area (the task bar stays in view), title bar
        included; placed wholly on it."""
        screen = self.screen()
        if screen is None:
            return
        free = screen.availableGeometry()
        frame = self.frameGeometry().size() - self.geometry().size()
        width = min(WINDOW_PX[0], free.width() - frame.width())
        height = min(WINDOW_PX[1], free.height() - max(frame.height(), TITLE_BAR_PX))
        self.resize(width, height)
        self.move(free.x() + (free.width() - width - frame.width()) // 2, free.y())

    def closeEvent(self, event: QCloseEvent) -> None:
        self.worker.shutdown()
        super().closeEvent(event)
