"""今日: what is due for the logged-in officer, in deadline order, each item naming the
party, the 文号 or case, the violation and the deadline; the approvals waiting for them;
recent work; the squad's whole log. Double-click or Enter opens what an item is about:
the case, the revisit (the inspection form, ready for that subject and violation) or
the subject.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldapp.domain.changes import ChangeKind as K
from fieldapp.domain.changes import OpChanges
from fieldapp.domain.localtime import agency_zone
from fieldapp.i18n import N_, _
from fieldapp.services.agenda import TodoItem, TodoKind, todo_for
from fieldapp.services.subjects import (
    InspectionRow,
    RecentFinding,
    inspections_page,
    page_key,
    recent_findings,
)
from fieldapp.ui.lazy_model import LazyTableModel
from fieldapp.ui.pages.base import Page
from fieldapp.ui.qt import (
    QAbstractItemView,
    QColor,
    QHeaderView,
    QLabel,
    QTableView,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldapp.ui.session import AppState
from fieldapp.ui.subject_view import value_label
from fieldapp.ui.widgets import activate_on_enter, record_table

OVERDUE = QColor("#b00020")
DUE_SOON = QColor("#c06000")
ROW_PX = 40
_KIND_TITLES = {TodoKind.REVISIT: N_("Revisit"), TodoKind.CASE_DEADLINE: N_("Case deadline"),
                TodoKind.APPROVAL: N_("Waiting for your approval")}


@dataclass(frozen=True)
class TodayView:
    todo: list[TodoItem]
    recent: list[RecentFinding]


def todo_cells(item: TodoItem) -> list[str]:
    """Deadline, what is to be done, party, 文号 or case, violation: all in words."""
    due = item.due.isoformat() if item.due else _("no deadline")
    if item.provisional:
        due += _(" (provisional)")
    if item.status != "ok":
        due += f"（{value_label(item.status)}）"
    what = _(_KIND_TITLES[item.kind])
    if item.kind is not TodoKind.REVISIT:
        what = f"{what}：{value_label(item.what)}"
    reference = item.reference or (_("Case (not yet numbered)") if item.case_id else "")
    return [due, what, item.party, reference, item.violation_name]


def todo_headers() -> list[str]:
    return [_("Deadline"), _("To do"), _("Party"), _("Document number or case"),
            _("Violation type")]


class TodayPage(Page):
    key = "today"
    title = N_("Today")
    open_case = Signal(str)  # case id
    open_subject = Signal(str)  # subject id
    open_revisit = Signal(str, str, str)  # subject id, violation code, party

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.items: list[TodoItem] = []
        self.recent_items: list[RecentFinding] = []
        self.greeting = QLabel(self)
        self.greeting.setProperty("role", "heading")
        self.tasks = record_table(self, todo_headers(), row_px=ROW_PX, stretch=4)
        self.tasks.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.recent = record_table(self, [_("Time"), _("Ladder step"), _("Subject"),
                                          _("Violation type")], row_px=ROW_PX, stretch=3)
        self.log = QTableView(self)
        self.log_model = LazyTableModel(
            state.worker, self._fetch_log,
            [_("Time"), _("Subject"), _("Place"), _("Violation type"), _("Ladder step"),
             _("Officers")], _log_cells)
        self.log.setModel(self.log_model)
        self.log.setAlternatingRowColors(True)
        self.log.verticalHeader().setVisible(False)
        self.log.verticalHeader().setDefaultSectionSize(ROW_PX)
        self.log.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.log.horizontalHeader().setStretchLastSection(True)
        tabs = QTabWidget(self)
        mine = QWidget(tabs)
        mine_layout = QVBoxLayout(mine)
        self.task_count = QLabel(mine)
        self.task_count.setProperty("role", "subheading")
        recent_title = QLabel(_("Recent work"), mine)
        recent_title.setProperty("role", "subheading")
        for widget, stretch in ((self.task_count, 0), (self.tasks, 3), (recent_title, 0),
                                (self.recent, 2)):
            mine_layout.addWidget(widget, stretch)
        tabs.addTab(mine, _("My tasks"))
        tabs.addTab(self.log, _("All inspections of the squad"))
        self.tabs = tabs
        layout = QVBoxLayout(self)
        layout.addWidget(self.greeting)
        layout.addWidget(tabs, 1)
        activate_on_enter(self.tasks, self.open_item)
        activate_on_enter(self.recent, self._open_recent)

    def activate(self) -> None:
        self.reload()

    def user_changed(self) -> None:
        self.reload()

    def records_changed(self, changes: OpChanges) -> None:
        if changes.touches(K.INSPECTIONS, K.TASKS, K.CASES):
            self.reload()

    def _fetch_log(self, last: InspectionRow | None, limit: int) -> list[InspectionRow]:
        ctx, user = self.state.ctx, self.state.user
        if ctx is None:
            return []
        return inspections_page(ctx=ctx, after=page_key(last) if last else None,
                                squad_id=user.squad_id if user else None, limit=limit)

    def reload(self) -> None:
        if self.state.ctx is not None:
            self.log_model.reset()
        ctx, user = self.state.ctx, self.state.user
        if ctx is None or user is None:
            self.greeting.setText(_("Log in to see your tasks."))
            self._show(TodayView([], []))
            return
        self.greeting.setText(_("{name}, {squad}", name=user.name, squad=user.squad_name))
        officer = user.officer_id
        self.state.worker.run(
            lambda: TodayView(todo_for(ctx=ctx, officer_id=officer),
                              recent_findings(ctx=ctx, officer_id=officer)),
            self._show, key="today")

    def _show(self, view: TodayView) -> None:
        self.items, self.recent_items = view.todo, view.recent
        self.task_count.setText(_("Due: {count} (the earliest deadline first)",
                                  count=len(view.todo)) if view.todo else _("Nothing due."))
        self.tasks.setRowCount(len(view.todo))
        for row, item in enumerate(view.todo):
            colour = OVERDUE if item.status == "overdue" else \
                DUE_SOON if item.status == "due_soon" else None
            for column, text in enumerate(todo_cells(item)):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                if colour is not None and column == 0:
                    cell.setForeground(colour)
                self.tasks.setItem(row, column, cell)
        self.recent.setRowCount(len(view.recent))
        for row, f in enumerate(view.recent):
            local = f.at.astimezone(agency_zone())
            for column, text in enumerate((f"{local:%m-%d %H:%M}", value_label(f.step),
                                           f.subject_name, f.violation_name)):
                self.recent.setItem(row, column, QTableWidgetItem(text))

    def open_item(self, row: int) -> None:
        """Open what the to-do item of ``row`` is about."""
        if not 0 <= row < len(self.items):
            return
        item = self.items[row]
        if item.case_id is not None:
            self.open_case.emit(item.case_id)
        elif item.kind is TodoKind.REVISIT:
            self.open_revisit.emit(item.subject_id, item.violation_code, item.party)
        else:
            self.open_subject.emit(item.subject_id)

    def _open_recent(self, row: int) -> None:
        if 0 <= row < len(self.recent_items):
            self.open_subject.emit(self.recent_items[row].subject_id)


def _log_cells(row: InspectionRow) -> list[str]:
    local = row.at.astimezone(agency_zone())
    return [f"{local:%Y-%m-%d %H:%M}", row.subject_name, row.address, row.violation_name,
            _(row.step) if row.step else "", row.officers]
