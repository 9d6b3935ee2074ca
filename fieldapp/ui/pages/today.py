"""今日: what is due for the logged-in officer (revisits, case deadlines) and recent work."""

from __future__ import annotations

from dataclasses import dataclass

from fieldapp.domain.changes import ChangeKind as K
from fieldapp.domain.changes import OpChanges
from fieldapp.domain.localtime import agency_zone
from fieldapp.i18n import N_, _
from fieldapp.services.cases import CaseView, list_cases
from fieldapp.services.inspections import RevisitView, list_revisits
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
    QColor,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from fieldapp.ui.session import AppState

OVERDUE = QColor("#b00020")
DUE_SOON = QColor("#c06000")


@dataclass(frozen=True)
class TodayView:
    revisits: list[RevisitView]
    cases: list[CaseView]
    recent: list[RecentFinding]


class TodayPage(Page):
    key = "today"
    title = N_("Today")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.greeting = QLabel(self)
        self.greeting.setProperty("role", "heading")
        self.tasks = QListWidget(self)
        self.recent = QListWidget(self)
        self.log = QTableView(self)
        self.log_model = LazyTableModel(
            state.worker, self._fetch_log,
            [_("Time"), _("Subject"), _("Place"), _("Violation type"), _("Ladder step"),
             _("Officers")], _log_cells)
        self.log.setModel(self.log_model)
        self.log.setAlternatingRowColors(True)
        self.log.horizontalHeader().setStretchLastSection(True)
        self.log.verticalHeader().setVisible(False)
        tabs = QTabWidget(self)
        mine = QWidget(tabs)
        mine_layout = QVBoxLayout(mine)
        for title, widget in ((_("Due: revisits and case deadlines"), self.tasks),
                              (_("Recent work"), self.recent)):
            heading = QLabel(title, mine)
            heading.setProperty("role", "subheading")
            mine_layout.addWidget(heading)
            mine_layout.addWidget(widget, 1)
        tabs.addTab(mine, _("My tasks"))
        tabs.addTab(self.log, _("All inspections of the squad"))
        self.tabs = tabs
        layout = QVBoxLayout(self)
        layout.addWidget(self.greeting)
        layout.addWidget(tabs, 1)

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
            self.tasks.clear()
            self.recent.clear()
            return
        self.greeting.setText(_("{name}, {squad}", name=user.name, squad=user.squad_name))
        officer = user.officer_id

        def load() -> TodayView:
            return TodayView(list_revisits(ctx=ctx, officer_id=officer),
                             [c for c in list_cases(ctx=ctx, officer_id=officer)
                              if c.next_deadline is not None],
                             recent_findings(ctx=ctx, officer_id=officer))

        self.state.worker.run(load, self._show, key="today")

    def _show(self, view: TodayView) -> None:
        self.tasks.clear()
        for r in view.revisits:
            due = r.due_at.astimezone(agency_zone())
            item = QListWidgetItem(_("Revisit {date}: {violation}", date=f"{due:%Y-%m-%d}",
                                     violation=r.violation_code)
                                   + (f"（{_('overdue')}）" if r.overdue else ""))
            if r.overdue:
                item.setForeground(OVERDUE)
            self.tasks.addItem(item)
        for c in view.cases:
            d = c.next_deadline
            assert d is not None
            text = _("Case deadline {date}: {kind} ({status})", date=d.due.isoformat(),
                     kind=_(d.kind.value), status=_(d.status))
            item = QListWidgetItem(text + (f"（{_('provisional')}）" if d.provisional else ""))
            if d.status == "overdue":
                item.setForeground(OVERDUE)
            elif d.status == "due_soon":
                item.setForeground(DUE_SOON)
            self.tasks.addItem(item)
        if not self.tasks.count():
            self.tasks.addItem(_("Nothing due."))
        self.recent.clear()
        for f in view.recent:
            local = f.at.astimezone(agency_zone())
            self.recent.addItem(f"{local:%m-%d %H:%M}  {_(f.step)}  {f.subject_name}  "
                                f"{f.violation_name}")


def _log_cells(row: InspectionRow) -> list[str]:
    local = row.at.astimezone(agency_zone())
    return [f"{local:%Y-%m-%d %H:%M}", row.subject_name, row.address, row.violation_name,
            _(row.step) if row.step else "", row.officers]
