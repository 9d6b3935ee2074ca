"""统计: the 721 figures (70 % education, 20 % warning, 10 % enforcement) per squad and per
officer as stacked bars against the target, what is overdue per officer, and for
leaders the steps taken against the ladder's advice with the officers' reasons.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from fieldapp.domain.changes import ChangeKind as K
from fieldapp.domain.changes import OpChanges
from fieldapp.domain.localtime import agency_zone, to_local
from fieldapp.domain.permissions import is_leader
from fieldapp.i18n import N_, _
from fieldapp.services.cases import overdue_case_counts
from fieldapp.services.context import ServiceContext
from fieldapp.services.inspections import list_revisits
from fieldapp.services.reports import Figures721, figures_721
from fieldapp.services.rules import list_overrides, violation_types
from fieldapp.services.staff import LoggedIn, list_officers
from fieldapp.services.subjects import display_name, get_subject
from fieldapp.ui.pages.base import Page
from fieldapp.ui.qt import (
    QAbstractItemView,
    QColor,
    QComboBox,
    QFontMetrics,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPainter,
    QPaintEvent,
    QPen,
    QPointF,
    QRectF,
    QScrollArea,
    QSize,
    QSizePolicy,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from fieldapp.ui.session import AppState
from fieldapp.ui.subject_view import value_label

OVERRIDES_SHOWN = 200
REVISITS_COUNTED = 100_000
STEPS = ("educate", "warn", "enforce")
TARGET = {"educate": 0.7, "warn": 0.2, "enforce": 0.1}  # 721工作法
STEP_COLOURS = {"educate": QColor("#2e7d32"), "warn": QColor("#ef6c00"),
                "enforce": QColor("#c62828")}
TABLE_ROW_PX = 40


# --- periods -------------------------------------------------------------------------


PERIODS = (("month", N_("This month")), ("quarter", N_("Last 3 months")),
           ("year", N_("This year")))


def period_bounds(period: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in UTC: from the first day of the period (local time) to tomorrow."""
    today = now.astimezone(agency_zone()).date()
    if period == "year":
        first = today.replace(month=1, day=1)
    elif period == "quarter":
        months = today.year * 12 + today.month - 1 - 2
        first = dt.date(months // 12, months % 12 + 1, 1)
    else:
        first = today.replace(day=1)

    def utc(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(0), agency_zone()).astimezone(dt.UTC)

    return utc(first), utc(today + dt.timedelta(days=1))


# --- what the page shows ---------------------------------------------------------------


@dataclass(frozen=True)
class OverdueRow:
    officer: str
    revisits: int
    case_deadlines: int


@dataclass(frozen=True)
class OverrideRow:
    at: dt.datetime
    officer: str
    subject: str
    violation: str
    step: str
    reason: str


@dataclass(frozen=True)
class Statistics:
    start: dt.datetime
    end: dt.datetime
    squads: tuple[Figures721, ...]  # every squad, then everyone together
    officers: tuple[Figures721, ...]
    overdue: tuple[OverdueRow, ...]
    overrides: tuple[OverrideRow, ...] | None  # None: not shown to this role


def _squad_of(user: LoggedIn | None) -> str | None:
    """Officers and squad leaders see their squad; the agency head sees every squad."""
    if user is None or user.role == "agency_head":
        return None
    return user.squad_id


def load_statistics(ctx: ServiceContext, period: str, user: LoggedIn | None) -> Statistics:
    start, end = period_bounds(period, ctx.now())
    squad_id = _squad_of(user)
    squads = figures_721(ctx=ctx, start=start, end=end, by="squad")
    everyone = figures_721(ctx=ctx, start=start, end=end, by="all")
    officers = figures_721(ctx=ctx, start=start, end=end, by="officer", squad_id=squad_id)
    names = {o.id: o.name for o in list_officers(ctx=ctx)}
    overrides = None
    if user is not None and is_leader(user.role):
        overrides = _overrides(ctx, start, end, squad_id)
    return Statistics(start, end, tuple(squads) + tuple(everyone), tuple(officers),
                      _overdue(ctx, squad_id, names), overrides)


def _overdue(ctx: ServiceContext, squad_id: str | None,
             names: dict[str, str]) -> tuple[OverdueRow, ...]:
    revisits = Counter(r.officer_id for r in list_revisits(
        ctx=ctx, squad_id=squad_id, overdue_only=True, limit=REVISITS_COUNTED))
    cases = overdue_case_counts(ctx=ctx, squad_id=squad_id)
    rows = [OverdueRow(names.get(officer, officer), revisits[officer], cases.get(officer, 0))
            for officer in set(revisits) | set(cases)]
    return tuple(sorted(rows, key=lambda r: (-(r.revisits + r.case_deadlines), r.officer)))


def _overrides(ctx: ServiceContext, start: dt.datetime, end: dt.datetime,
               squad_id: str | None) -> tuple[OverrideRow, ...]:
    found = list_overrides(ctx=ctx, start=start, end=end, squad_id=squad_id)[:OVERRIDES_SHOWN]
    violations = {v.code: v.name for v in violation_types(ctx=ctx)}
    subjects = {sid: display_name(get_subject(ctx=ctx, subject_id=sid))
                for sid in {o.subject_id for o in found}}
    return tuple(OverrideRow(o.taken_at, o.officer, subjects[o.subject_id],
                             violations.get(o.violation_code, o.violation_code),
                             o.kind.value, o.reason) for o in found)


def share_text(figures: Figures721, step: str) -> str:
    return f"{figures.share(step):.0%} ({getattr(figures, step)})"


# --- the chart -------------------------------------------------------------------------


class Bars721(QWidget):
    """Horizontal stacked bars: each row's education, warning and enforcement shares,
    with the 70/20/10 target drawn as dashed lines across all rows."""

    ROW_PX = 46
    LEGEND_PX = 34
    LABEL_PX = 120
    TOTAL_PX = 64
    BAR_PX = 28

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: tuple[Figures721, ...] = ()
        self.labels: tuple[str, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rows(self, rows: tuple[Figures721, ...], labels: tuple[str, ...]) -> None:
        self.rows, self.labels = rows, labels
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(520, self.LEGEND_PX + max(len(self.rows), 1) * self.ROW_PX + 8)

    def bar_rect(self) -> QRectF:
        """Where the bars are drawn: right of the names, left of the totals."""
        return QRectF(self.LABEL_PX, self.LEGEND_PX, self.width() - self.LABEL_PX
                      - self.TOTAL_PX, len(self.rows) * self.ROW_PX)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._legend(painter)
        if not self.rows:
            painter.setPen(self.palette().color(self.palette().ColorRole.PlaceholderText))
            painter.drawText(QRectF(0, self.LEGEND_PX, self.width(), self.ROW_PX),
                             Qt.AlignmentFlag.AlignCenter, _("No steps recorded in this period."))
        else:
            self._targets(painter)  # behind the bars, like grid lines: the text stays clear
        for n, (row, label) in enumerate(zip(self.rows, self.labels, strict=True)):
            self._row(painter, n, row, label)
        painter.end()

    def _text_colour(self) -> QColor:
        return self.palette().color(self.palette().ColorRole.WindowText)

    def _legend(self, painter: QPainter) -> None:
        metrics = QFontMetrics(self.font())
        middle = self.LEGEND_PX / 2
        x = 4.0
        painter.setPen(self._text_colour())
        for step in STEPS:
            painter.fillRect(QRectF(x, middle - 8, 16, 16), STEP_COLOURS[step])
            text = value_label(step)
            painter.drawText(QRectF(x + 22, 0, metrics.horizontalAdvance(text) + 4,
                                    self.LEGEND_PX), Qt.AlignmentFlag.AlignVCenter, text)
            x += 22 + metrics.horizontalAdvance(text) + 16
        painter.setPen(self._target_pen())
        painter.drawLine(QPointF(x + 6, middle - 9), QPointF(x + 6, middle + 9))
        painter.setPen(self._text_colour())
        text = _("target 70 / 20 / 10")
        painter.drawText(QRectF(x + 14, 0, metrics.horizontalAdvance(text) + 4, self.LEGEND_PX),
                         Qt.AlignmentFlag.AlignVCenter, text)

    def _row(self, painter: QPainter, n: int, row: Figures721, label: str) -> None:
        area = self.bar_rect()
        top = area.top() + n * self.ROW_PX + (self.ROW_PX - self.BAR_PX) / 2
        metrics = QFontMetrics(self.font())
        painter.setPen(self._text_colour())
        painter.drawText(QRectF(4, top, self.LABEL_PX - 10, self.BAR_PX),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                         metrics.elidedText(label, Qt.TextElideMode.ElideRight,
                                            self.LABEL_PX - 10))
        x = area.left()
        for step in STEPS:
            width = area.width() * row.share(step)
            segment = QRectF(x, top, width, self.BAR_PX)
            painter.fillRect(segment, STEP_COLOURS[step])
            full, short = share_text(row, step), f"{row.share(step):.0%}"
            text = next((t for t in (full, short)
                         if width >= metrics.horizontalAdvance(t) + 8), "")
            painter.setPen(QColor("white"))
            painter.drawText(segment, Qt.AlignmentFlag.AlignCenter, text)
            x += width
        painter.setPen(self._text_colour())
        painter.drawText(QRectF(area.right() + 6, top, self.TOTAL_PX - 6, self.BAR_PX),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         _("n={count}", count=row.total))

    def _target_pen(self) -> QPen:
        return QPen(self._text_colour(), 2, Qt.PenStyle.DashLine)

    def _targets(self, painter: QPainter) -> None:
        area = self.bar_rect()
        painter.setPen(self._target_pen())
        for boundary in (TARGET["educate"], TARGET["educate"] + TARGET["warn"]):
            x = area.left() + area.width() * boundary
            painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))


# --- the page --------------------------------------------------------------------------


def _table(headers: list[str], stretch: int | None) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setMinimumSectionSize(TABLE_ROW_PX)
    table.verticalHeader().setDefaultSectionSize(TABLE_ROW_PX)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.setMinimumHeight(220)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for row, cells in enumerate(rows):
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if text.isdigit():
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, column, item)
    table.resizeRowsToContents()


class StatsPage(Page):
    key = "stats"
    title = N_("Statistics")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.statistics: Statistics | None = None
        self._build()
        self.period.currentIndexChanged.connect(self.reload)

    def _build(self) -> None:
        self.period = QComboBox(self)
        for value, label in PERIODS:
            self.period.addItem(_(label), value)
        self.range_label = QLabel(self)
        self.range_label.setProperty("role", "hint")
        title = QLabel(_("721 figures: how encounters ended"), self)
        title.setProperty("role", "heading")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.range_label)
        top.addWidget(self.period)
        self.squad_bars = Bars721(self)
        self.officer_bars = Bars721(self)
        self.officer_box = QGroupBox(_("By officer"), self)
        charts = QGridLayout()
        for column, (box, bars) in enumerate(((QGroupBox(_("By squad"), self), self.squad_bars),
                                              (self.officer_box, self.officer_bars))):
            inner = QVBoxLayout(box)
            inner.addWidget(bars)
            inner.addStretch(1)
            charts.addWidget(box, 0, column)
        self.overdue = _table([_("Officer"), _("Overdue revisits"),
                               _("Overdue case deadlines")], 0)
        self.overrides = _table([_("Time"), _("Officer"), _("Subject"), _("Violation type"),
                                 _("Step taken"), _("Reason")], 5)
        header = self.overrides.horizontalHeader()
        for column, width in ((2, 110), (3, 130)):  # long names wrap; the reason matters most
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        self.overrides.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.overrides_box = QGroupBox(_("Steps taken against the advice"), self)
        QVBoxLayout(self.overrides_box).addWidget(self.overrides)
        overdue_box = QGroupBox(_("Overdue per officer"), self)
        QVBoxLayout(overdue_box).addWidget(self.overdue)
        lists = QHBoxLayout()
        lists.addWidget(overdue_box, 1)
        lists.addWidget(self.overrides_box, 3)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(top)
        layout.addLayout(charts)
        layout.addLayout(lists, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    # what the window tells us
    def context_ready(self) -> None:
        self.reload()

    def activate(self) -> None:
        self.reload()

    def user_changed(self) -> None:
        self.reload()

    def records_changed(self, changes: OpChanges) -> None:
        if changes.touches(K.INSPECTIONS, K.TASKS, K.CASES):
            self.reload()

    def reload(self) -> None:
        ctx, user, period = self.state.ctx, self.state.user, self.period.currentData()
        if ctx is not None:
            self.state.worker.run(lambda: load_statistics(ctx, period, user),
                                  self.show_statistics,
                                  key=f"statistics-{id(self)}")

    def show_statistics(self, statistics: Statistics) -> None:
        self.statistics = statistics
        last_day = (statistics.end - dt.timedelta(seconds=1)).astimezone(agency_zone()).date()
        self.range_label.setText(_("{start} to {end}", start=statistics.start.astimezone(
            agency_zone()).date().isoformat(), end=last_day.isoformat()))
        self.squad_bars.set_rows(statistics.squads, tuple(
            _("Everyone") if f.key == "all" else f.name for f in statistics.squads))
        self.officer_bars.set_rows(statistics.officers,
                                   tuple(f.name for f in statistics.officers))
        user = self.state.user
        self.officer_box.setTitle(_("By officer: {squad}", squad=user.squad_name)
                                  if user and user.role != "agency_head" else _("By officer"))
        _fill(self.overdue, [(r.officer, str(r.revisits), str(r.case_deadlines))
                             for r in statistics.overdue])
        self.overrides_box.setVisible(statistics.overrides is not None)
        _fill(self.overrides, [
            (to_local(o.at).strftime("%Y-%m-%d %H:%M"), o.officer,
             o.subject, o.violation, value_label(o.step), o.reason)
            for o in statistics.overrides or ()])
