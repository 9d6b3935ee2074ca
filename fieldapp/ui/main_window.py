"""The main window: find a subject on the left, see its profile and history on the right."""

from __future__ import annotations

from fieldapp.i18n import _
from fieldapp.services.context import ServiceContext
from fieldapp.ui import jobs
from fieldapp.ui.jobs import StatusCounts, SubjectHit
from fieldapp.ui.qt import (
    QCloseEvent,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QShortcut,
    QSplitter,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldapp.ui.subject_view import SubjectView, value_label
from fieldapp.ui.worker import Worker

SEARCH_DELAY_MS = 150  # type-ahead: wait for a pause in typing before searching
BUSY_DELAY_MS = 400  # show the busy bar only for jobs slow enough to notice
ERROR_SHOWN_MS = 15_000
SEARCH_PANEL_PX = 420  # wide enough for the whole search hint in Chinese
_ID_ROLE = Qt.ItemDataRole.UserRole


class MainWindow(QMainWindow):
    def __init__(self, ctx: ServiceContext | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx: ServiceContext | None = None
        self.worker = Worker(self)
        self.setWindowTitle(_("fieldapp urban management enforcement"))
        self.resize(1280, 800)
        self._build_search()
        self.subject_view = SubjectView(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self._search_panel)
        splitter.addWidget(self.subject_view)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([SEARCH_PANEL_PX, 1280 - SEARCH_PANEL_PX])
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)
        self._build_status_bar()
        self._connect()
        if ctx is not None:
            self.set_context(ctx)
        else:
            self.statusBar().showMessage(_("Opening the data directory…"))

    # --- building --------------------------------------------------------------------

    def _build_search(self) -> None:
        self._search_panel = QWidget(self)
        self.search_box = QLineEdit(self._search_panel)
        self.search_box.setPlaceholderText(
            _("find subjects by name, sign, phone, ID or pinyin initials"))
        self.search_box.setToolTip(self.search_box.placeholderText())
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setEnabled(False)
        self.result_count = QLabel(self._search_panel)
        self.result_count.setProperty("role", "hint")
        self.results = QListWidget(self._search_panel)
        self.results.setAlternatingRowColors(True)
        self.results.setUniformItemSizes(True)
        layout = QVBoxLayout(self._search_panel)
        layout.setContentsMargins(8, 8, 4, 4)
        layout.addWidget(self.search_box)
        layout.addWidget(self.result_count)
        layout.addWidget(self.results, 1)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.busy_bar = QProgressBar(bar)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.setVisible(False)
        self.officer_count = QLabel(bar)
        self.backup_state = QLabel(bar)
        for widget in (self.busy_bar, self.officer_count, self.backup_state):
            widget.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(widget)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_DELAY_MS)

    def _connect(self) -> None:
        self.search_box.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_box.returnPressed.connect(self._open_first_result)
        self._search_timer.timeout.connect(self.search)
        self.results.currentItemChanged.connect(self._result_chosen)
        self.worker.changed.connect(self._records_changed)
        self.worker.failed.connect(self.show_error)
        self.worker.busy.connect(self._set_busy)
        self._busy_timer.timeout.connect(lambda: self.busy_bar.setVisible(True))
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)

    # --- actions ---------------------------------------------------------------------

    def set_context(self, ctx: ServiceContext) -> None:
        """Start working on an opened data directory."""
        self.ctx = ctx
        self.statusBar().clearMessage()
        self.search_box.setEnabled(True)
        self.refresh_status()
        self.focus_search()
        if self.search_box.text():
            self.search()

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def search(self) -> None:
        ctx, query = self.ctx, self.search_box.text()
        if ctx is None:
            return
        self._search_timer.stop()
        self.worker.run(lambda: jobs.search(ctx, query), self._show_results, key="search")

    def open_subject(self, subject_id: str) -> None:
        ctx = self.ctx
        if ctx is None:
            return
        self.worker.run(lambda: jobs.subject_file(ctx, subject_id),
                        self.subject_view.show_file, key="subject")

    def refresh_status(self) -> None:
        ctx = self.ctx
        if ctx is not None:
            self.worker.run(lambda: jobs.status_counts(ctx), self._show_status, key="status")

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(message, ERROR_SHOWN_MS)

    # --- results coming back ---------------------------------------------------------

    def _show_results(self, hits: list[SubjectHit]) -> None:
        shown = self.subject_view.subject_id
        self.results.blockSignals(True)  # refilling is not the user choosing a subject
        self.results.clear()
        for hit in hits:
            item = QListWidgetItem(f"{hit.title}\n{_detail(hit)}")
            item.setData(_ID_ROLE, hit.id)
            item.setToolTip(hit.title)
            self.results.addItem(item)
            if hit.id == shown:
                self.results.setCurrentItem(item)
        self.results.blockSignals(False)
        if not self.search_box.text().strip():
            self.result_count.clear()
        elif hits:
            self.result_count.setText(_("Found: {count}", count=len(hits)))
        else:
            self.result_count.setText(_("No subject found."))

    def _show_status(self, counts: StatusCounts) -> None:
        self.officer_count.setText(_("Officers: {count}", count=counts.officers))
        self.backup_state.setText(
            _("Changes since last backup: {count}", count=counts.changes_since_backup))

    def _result_chosen(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is not None:
            self.open_subject(str(item.data(_ID_ROLE)))

    def _open_first_result(self) -> None:
        if self.results.count():
            self.results.setCurrentRow(0)
            self.results.setFocus()

    def _records_changed(self, kinds: frozenset[str]) -> None:
        self.refresh_status()
        if "subject" in kinds:
            self.search()
        if self.subject_view.subject_id is not None:
            self.open_subject(self.subject_view.subject_id)

    def _set_busy(self, busy: bool) -> None:
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.busy_bar.setVisible(False)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.worker.shutdown()
        super().closeEvent(event)


def _detail(hit: SubjectHit) -> str:
    """The second line of a result: kind, phone and place, whichever are known."""
    return " · ".join(part for part in (value_label(hit.kind), hit.phone, hit.place) if part)
