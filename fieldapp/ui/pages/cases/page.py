"""The cases page: the filters and the lazily fetched list beside the detail of the
case chosen; it opens cases, takes actions and prints dossiers on the worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fieldapp.domain.changes import ChangeKind as K
from fieldapp.domain.changes import OpChanges
from fieldapp.domain.entities import CaseStatus
from fieldapp.domain.workflow import Action
from fieldapp.i18n import N_, _, describe
from fieldapp.services.cases import CaseFilter, act
from fieldapp.services.context import ServiceContext
from fieldapp.services.paperwork import CasePaper
from fieldapp.services.staff import list_officers
from fieldapp.ui.pages.base import Page
from fieldapp.ui.pages.cases.actions import ActionDialog
from fieldapp.ui.pages.cases.case_list import (
    ROW_PX,
    CaseListModel,
    CaseRecord,
    Scope,
    load_case,
)
from fieldapp.ui.pages.cases.detail import CaseDetailPanel
from fieldapp.ui.pages.cases.dossier import DossierPrinter
from fieldapp.ui.pages.cases.papers import Issued, IssueDialog, IssueRequest, issue, save_copy
from fieldapp.ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QEvent,
    QFileDialog,
    QFontMetrics,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    QScrollArea,
    QSplitter,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldapp.ui.session import AppState
from fieldapp.ui.subject_view import value_label
from fieldapp.ui.widgets import save_dialog, suggested_file

LIST_PANEL_PX = 660
SEARCH_DELAY_MS = 300  # typing pauses this long before the list is asked again
_SCOPE_LABELS = {Scope.MINE: N_("My cases"), Scope.SQUAD: N_("My squad"),
                 Scope.ALL: N_("All squads")}


class CasesPage(Page):
    key = "cases"
    title = N_("Cases")
    document_issued = Signal(str)  # document id: "open" shows it on the documents page

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.model = CaseListModel(state, self)
        self.selected_id: str | None = None
        self.action_dialog: ActionDialog | None = None
        self.issue_dialog: IssueDialog | None = None
        self.save_dialog: QFileDialog | None = None
        self.dossier = DossierPrinter(state, self)
        # Where the list stood before a reload: the row chosen and the scroll position.
        self._keep: tuple[int, int] | None = None
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._build()
        self._connect()

    # building
    def _build(self) -> None:
        self.open_only = QComboBox(self)
        self.open_only.addItem(_("Open cases"), True)
        self.open_only.addItem(_("All cases"), False)
        self.overdue_only = QCheckBox(_("Overdue only"), self)
        self.scope = QComboBox(self)
        for value, label in _SCOPE_LABELS.items():
            self.scope.addItem(_(label), value)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(_("Party, case number or document number"))
        self.status = QComboBox(self)
        self.status.addItem(_("Any status"), None)
        for status in CaseStatus:
            self.status.addItem(value_label(status.value), status.value)
        self.officer = QComboBox(self)
        self.officer.addItem(_("Any officer"), None)
        self.count = QLabel(self)
        self.count.setProperty("role", "hint")
        filters = QHBoxLayout()
        for widget in (self.open_only, self.scope, self.overdue_only):
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.count)
        search = QHBoxLayout()
        search.addWidget(self.search, 1)
        search.addWidget(self.status)
        search.addWidget(self.officer)
        self.table = self._build_table()
        self._size_columns()
        self.detail = CaseDetailPanel(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.detail)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 8, 4, 4)
        left_layout.addLayout(filters)
        left_layout.addLayout(search)
        left_layout.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([LIST_PANEL_PX, 1280 - LIST_PANEL_PX])
        splitter.setChildrenCollapsible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def _build_table(self) -> QTableView:
        table = QTableView(self)
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(True)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(self._row_px())
        header = table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        return table

    def _size_columns(self) -> None:
        """Widths for the longest usual values in the current font (large text too)."""
        metrics = QFontMetrics(self.font())
        header = self.table.horizontalHeader()
        for column, sample in ((0, "东城管立字〔2026〕第0000号"), (2, "待负责人立案审批"),
                               (3, "2026-12-31（暂定）")):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 20)

    def _row_px(self) -> int:
        """Two lines of the current font (large text makes rows taller)."""
        return max(ROW_PX, 2 * QFontMetrics(self.font()).lineSpacing() + 14)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self.table.verticalHeader().setDefaultSectionSize(self._row_px())
            self._size_columns()
        super().changeEvent(event)

    def _connect(self) -> None:
        for combo in (self.open_only, self.scope, self.status, self.officer):
            combo.currentIndexChanged.connect(self.refilter)
        self.overdue_only.toggled.connect(self.refilter)
        self.search.textChanged.connect(self._search_timer.start)
        self._search_timer.timeout.connect(self.refilter)
        self.model.loaded.connect(self._list_loaded)
        self.model.failed.connect(lambda text: self.detail.show_message(text, True))
        self.table.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.detail.action_chosen.connect(self.choose_action)
        self.detail.issue_requested.connect(self.choose_paper)
        self.detail.open_requested.connect(self.document_issued.emit)
        self.detail.reprint_requested.connect(self.reprint)
        self.detail.print_dossier.connect(self._print_dossier)
        self.dossier.message.connect(self.detail.show_message)

    # what the window tells us
    def context_ready(self) -> None:
        ctx = self.state.ctx
        if ctx is not None:
            self.state.worker.run(lambda: _officer_names(ctx), self._officers_listed)
        self.reload()

    def _officers_listed(self, officers: list[tuple[str, str]]) -> None:
        self.officer.blockSignals(True)
        for officer_id, name in officers:
            self.officer.addItem(name, officer_id)
        self.officer.blockSignals(False)

    def activate(self) -> None:
        self.table.setFocus()

    def user_changed(self) -> None:
        user = self.state.user
        self.scope.blockSignals(True)
        self.scope.setCurrentIndex(self.scope.findData(Scope.SQUAD if user else Scope.ALL))
        self.scope.setEnabled(user is not None)
        self.scope.blockSignals(False)
        self.reload()

    def records_changed(self, changes: OpChanges) -> None:
        if changes.touches(K.CASES, K.SUBJECTS):
            self.reload()  # reopens the case shown, too
        elif changes.touches(K.DOCUMENTS) and self.selected_id:
            self.open_case(self.selected_id)

    # list
    def case_filter(self) -> CaseFilter:
        user, scope = self.state.user, self.scope.currentData()
        officer = self.officer.currentData()
        status = self.status.currentData()
        return CaseFilter(
            squad_id=user.squad_id if user and scope == Scope.SQUAD else None,
            officer_id=officer or (user.officer_id if user and scope == Scope.MINE else None),
            open_only=bool(self.open_only.currentData()),
            overdue_only=self.overdue_only.isChecked(),
            status=CaseStatus(status) if status else None,
            text=self.search.text().strip())

    def refilter(self) -> None:
        """Another filter: the list from its top."""
        self._keep = None
        if self.state.ctx is not None:
            self.model.reset(self.case_filter())

    def reload(self) -> None:
        """The same list again (after an action): the case chosen and the scroll stay."""
        if self.state.ctx is None:
            return
        row = self.model.row_of(self.selected_id) if self.selected_id else None
        self._keep = (row if row is not None else -1,
                      self.table.verticalScrollBar().value())
        self.model.reset(self.case_filter())

    def _list_loaded(self) -> None:
        total = self.model.total or 0
        self.count.setText(_("Cases: {count}", count=total))
        row = self.model.row_of(self.selected_id) if self.selected_id else None
        keep = self._keep
        if row is None and keep is not None and keep[0] >= len(self.model.rows) \
                and self.model.canFetchMore():
            self.model.fetchMore()  # the case chosen was further down: fetch to it
            return
        self._keep = None
        if row is not None:
            self.table.selectRow(row)  # the case shown stays chosen after a reload
            self.open_case(self.model.rows[row].id)
        elif self.selected_id is not None and not self.model.canFetchMore():
            self.selected_id = None
            self.detail.show_detail(None)
        if keep is not None:
            self.table.verticalScrollBar().setValue(keep[1])
        if row is not None and not self.table.viewport().rect().intersects(
                self.table.visualRect(self.model.index(row, 0))):
            self.table.scrollTo(self.model.index(row, 0))  # the case moved in the order

    def _row_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            case_id = self.model.rows[current.row()].id
            if case_id != self.selected_id:
                self.detail.message.clear()
            self.open_case(case_id)

    # detail
    def show_case(self, case_id: str) -> None:
        """Show one case (e.g. from the to-do list), chosen in the list when listed."""
        self.detail.message.clear()
        row = self.model.row_of(case_id)
        if row is not None:
            self.table.selectRow(row)
        self.open_case(case_id)

    def open_case(self, case_id: str) -> None:
        ctx, user = self.state.ctx, self.state.user
        if ctx is None:
            return
        self.selected_id = case_id
        officer_id = user.officer_id if user else None
        self.state.worker.run(
            lambda: load_case(ctx, case_id, officer_id), self._detail_arrived,
            on_error=lambda e: self.detail.show_message(_("Error: {error}", error=describe(e)),
                                                        True),
            key=f"case-detail-{id(self)}")

    def _detail_arrived(self, file: CaseRecord) -> None:
        if file.detail.case.id == self.selected_id:
            self.detail.show_detail(file)

    def choose_action(self, action: Action) -> None:
        detail = self.detail.detail
        if detail is None or self.state.user is None:
            return
        dialog = ActionDialog(action, detail, self)
        dialog.accepted.connect(lambda: self.take_action(detail.case.id, action,
                                                         dialog.payload()))
        self.action_dialog = dialog
        dialog.open()

    def take_action(self, case_id: str, action: Action, payload: dict[str, Any]) -> None:
        ctx, user = self.state.ctx, self.state.user
        if ctx is None or user is None:
            return
        officer_id = user.officer_id
        self.detail.show_message(_("Saving…"))
        self.state.worker.run(
            lambda: act(ctx=ctx, case_id=case_id, officer_id=officer_id, action=action,
                        payload=payload),
            lambda _written: self.detail.show_message(_("Done: {action}",
                                                        action=value_label(action.value))),
            on_error=lambda e: self.detail.show_message(describe(e), True))

    # documents
    def choose_paper(self, paper: CasePaper) -> None:
        detail, papers, ctx = self.detail.detail, self.detail.papers, self.state.ctx
        if detail is None or papers is None or ctx is None or self.state.user is None:
            return
        dialog = IssueDialog(paper, papers, detail.case.case_no or detail.subject_name,
                             detail.subject_name, ctx.now(), self)
        dialog.accepted.connect(lambda: self.issue_paper(dialog.request()))
        self.issue_dialog = dialog
        dialog.open()

    def issue_paper(self, request: IssueRequest) -> None:
        """Issue on the worker (reportlab draws it there); the list and detail reload."""
        ctx, user, papers = self.state.ctx, self.state.user, self.detail.papers
        if ctx is None or user is None or papers is None:
            return
        officer_id = user.officer_id
        button = self.detail.issue_buttons.get((request.paper.kind.value,
                                                request.paper.serves_id))
        if button is not None:
            button.setEnabled(False)  # one tap, one document
        self.detail.show_message(_("Issuing {title}…", title=request.paper.title))
        self.state.worker.run(
            lambda: issue(ctx, officer_id, papers, request), self._paper_issued,
            on_error=self._paper_refused)

    def _paper_issued(self, issued: Issued) -> None:
        self.detail.show_message(_("Document issued: {number}", number=issued.number))

    def _paper_refused(self, error: BaseException) -> None:
        self.detail.show_message(describe(error), True)
        if self.selected_id:
            self.open_case(self.selected_id)  # the buttons as they stand now

    def reprint(self, document_id: str, path: Path | None = None) -> None:
        """Save the issued PDF again, byte for byte; asks where (文号 + 当事人) first."""
        ctx, detail = self.state.ctx, self.detail.detail
        if ctx is None or detail is None:
            return
        if path is None:
            number = next((p.issued_number for p in (self.detail.papers.papers
                                                     if self.detail.papers else ())
                           if p.issued_id == document_id), "")
            dialog = save_dialog(self, _("Save as PDF"), _("PDF files (*.pdf)"),
                                 suggested_file(number, detail.subject_name, suffix=".pdf"))
            dialog.fileSelected.connect(lambda name: self.reprint(document_id, Path(name)))
            self.save_dialog = dialog
            dialog.open()
            return
        target = path
        self.state.worker.run(
            lambda: save_copy(ctx, document_id, target),
            lambda saved: self.detail.show_message(_("Written to {path}.", path=saved)),
            on_error=lambda e: self.detail.show_message(describe(e), True))

    def _print_dossier(self) -> None:
        detail = self.detail.detail
        if detail is not None:
            self.dossier.start(detail.case.id, detail.case.case_no, detail.subject_name)


def _officer_names(ctx: ServiceContext) -> list[tuple[str, str]]:
    """The officers a case may be handled by (auxiliaries are no case officers)."""
    return [(o.id, o.name) for o in list_officers(ctx=ctx)
            if o.active and o.role != "auxiliary"]
