"""当事人: find a subject on the left, see its profile and history on the right."""

from __future__ import annotations

from fieldapp.domain.changes import ChangeKind as K
from fieldapp.domain.changes import OpChanges
from fieldapp.i18n import N_, _
from fieldapp.ui import jobs
from fieldapp.ui.jobs import SubjectHit
from fieldapp.ui.pages.base import Page
from fieldapp.ui.qt import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldapp.ui.session import AppState
from fieldapp.ui.style import TOUCH_ROW_PX
from fieldapp.ui.subject_view import SubjectView, value_label

SEARCH_DELAY_MS = 150  # type-ahead: wait for a pause in typing before searching
SEARCH_PANEL_PX = 420  # wide enough for the whole search hint in Chinese
_ID_ROLE = Qt.ItemDataRole.UserRole
RESULT_ROWS = 5  # a result list shows at least five subjects


class SearchBox(QWidget):
    """Type-ahead subject search; emits nothing itself, owners read ``results``."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.hits: dict[str, SubjectHit] = {}
        self.box = QLineEdit(self)
        self.box.setPlaceholderText(
            _("find subjects by name, sign, phone, ID or pinyin initials"))
        self.box.setToolTip(self.box.placeholderText())
        self.box.setClearButtonEnabled(True)
        self.count = QLabel(self)
        self.count.setProperty("role", "hint")
        self.results = QListWidget(self)
        self.results.setAlternatingRowColors(True)
        self.results.setUniformItemSizes(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        layout.addWidget(self.count)
        layout.addWidget(self.results, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search)
        self.box.textChanged.connect(lambda _text: self._timer.start())
        self.box.returnPressed.connect(self._open_first)

    def show_rows(self, rows: int, *, fixed: bool = False) -> None:
        """Keep room for ``rows`` results (two lines each) whatever the window's size;
        ``fixed``: exactly that room, so the form below never moves as results come."""
        metrics = self.results.fontMetrics()
        row = max(2 * metrics.lineSpacing() + 12, TOUCH_ROW_PX)  # the style's padding
        height = rows * row + 2 * self.results.frameWidth()
        if fixed:
            self.results.setFixedHeight(height)
        else:
            self.results.setMinimumHeight(height)

    def search(self) -> None:
        ctx, query = self.state.ctx, self.box.text()
        if ctx is None:
            return
        self._timer.stop()
        self.state.worker.run(lambda: jobs.search(ctx, query), self.show_hits,
                              key=f"search-{id(self)}")

    def show_hits(self, hits: list[SubjectHit], keep: str | None = None) -> None:
        self.hits = {hit.id: hit for hit in hits}
        self.results.blockSignals(True)  # refilling is not the user choosing a subject
        self.results.clear()
        for hit in hits:
            item = QListWidgetItem(f"{hit.title}\n{_detail(hit)}")
            item.setData(_ID_ROLE, hit.id)
            item.setToolTip(hit.title)
            self.results.addItem(item)
            if hit.id == keep:
                self.results.setCurrentItem(item)
        self.results.blockSignals(False)
        if not self.box.text().strip():
            self.count.clear()
        elif hits:
            self.count.setText(_("Found: {count}", count=len(hits)))
        else:
            self.count.setText(_("No subject found."))

    def chosen_id(self, item: QListWidgetItem | None) -> str | None:
        return None if item is None else str(item.data(_ID_ROLE))

    def _open_first(self) -> None:
        if self.results.count():
            self.results.setCurrentRow(0)
            self.results.setFocus()


class SubjectsPage(Page):
    key = "subjects"
    title = N_("Subjects")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.search = SearchBox(state, self)
        self.search_box = self.search.box
        self.results = self.search.results
        self.result_count = self.search.count
        self.subject_view = SubjectView(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 8, 4, 4)
        left_layout.addWidget(self.search)
        splitter.addWidget(left)
        splitter.addWidget(self.subject_view)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([SEARCH_PANEL_PX, 1280 - SEARCH_PANEL_PX])
        splitter.setChildrenCollapsible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.search.show_rows(RESULT_ROWS)
        self.results.currentItemChanged.connect(
            lambda item, _prev: self.open_subject(self.search.chosen_id(item)))

    def activate(self) -> None:
        self.search_box.setFocus()

    def open_subject(self, subject_id: str | None) -> None:
        ctx = self.state.ctx
        if ctx is None or subject_id is None:
            return
        self.state.worker.run(lambda: jobs.subject_file(ctx, subject_id),
                              self.subject_view.show_file, key="subject")

    def records_changed(self, changes: OpChanges) -> None:
        if changes.touches(K.SUBJECTS) and self.search_box.text():
            self.search.search()
        if self.subject_view.subject_id is not None:
            self.open_subject(self.subject_view.subject_id)


def _detail(hit: SubjectHit) -> str:
    """The second line of a result: kind, phone and place, whichever are known."""
    return " · ".join(part for part in (value_label(hit.kind), hit.phone, hit.place) if part)
