"""The cases page: the filters and the lazily fetched list beside the detail of the
case chosen; it opens cases, takes actions and prints dossiers on the worker."""

from __future__ import annotations

from typing import Any

from fieldapp.domain.changes import ChangeKind as K
from fieldapp.domain.changes import OpChanges
from fieldapp.domain.workflow import Action
from fieldapp.i18n import N_, _, describe
from fieldapp.services.cases import CaseFilter, act
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
from fieldapp.ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QEvent,
    QFontMetrics,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QModelIndex,
    QScrollArea,
    QSplitter,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from fieldapp.ui.session import AppState
from fieldapp.ui.subject_view import value_label

LIST_PANEL_PX = 660
_SCOPE_LABELS = {Scope.MINE: N_("My cases"), Scope.SQUAD: N_("My squad"),
                 Scope.ALL: N_("All squads")}


class CasesPage(Page):
    key = "cases"
    title = N_("Cases")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.model = CaseListModel(state, self)
        self.selected_id: str | None = None
        self.action_dialog: ActionDialog | None = None
        self.dossier = DossierPrinter(state, self)
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
        self.count = QLabel(self)
        self.count.setProperty("role", "hint")
        filters = QHBoxLayout()
        for widget in (self.open_only, self.scope, self.overdue_only):
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.count)
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
        for column, sample in ((0, "东城管立字〔2026〕第0000号"), (2, "立案审批中"),
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
        for combo in (self.open_only, self.scope):
            combo.currentIndexChanged.connect(self.reload)
        self.overdue_only.toggled.connect(self.reload)
        self.model.loaded.connect(self._list_loaded)
        self.model.failed.connect(lambda text: self.detail.show_message(text, True))
        self.table.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.detail.action_chosen.connect(self.choose_action)
        self.detail.print_dossier.connect(self._print_dossier)
        self.dossier.message.connect(self.detail.show_message)

    # what the window tells us
    def context_ready(self) -> None:
        self.reload()

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
        return CaseFilter(
            squad_id=user.squad_id if user and scope == Scope.SQUAD else None,
            officer_id=user.officer_id if user and scope == Scope.MINE else None,
            open_only=bool(self.open_only.currentData()),
            overdue_only=self.overdue_only.isChecked())

    def reload(self) -> None:
        if self.state.ctx is not None:
            self.model.reset(self.case_filter())

    def _list_loaded(self) -> None:
        total = self.model.total or 0
        self.count.setText(_("Cases: {count}", count=total))
        row = self.model.row_of(self.selected_id) if self.selected_id else None
        if row is not None:
            self.table.selectRow(row)  # the case shown stays chosen after a reload
            self.open_case(self.model.rows[row].id)
        elif self.selected_id is not None and not self.model.canFetchMore():
            self.selected_id = None
            self.detail.show_detail(None)

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

    def _print_dossier(self) -> None:
        detail = self.detail.detail
        if detail is not None:
            self.dossier.start(detail.case.id, detail.case.case_no, detail.subject_name)
