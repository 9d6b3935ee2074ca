"""The case list and what the page shows of a case: values in words, the reads run on
the worker (a page of rows, one case in full), and the model fetching ``PAGE_SIZE``
cases at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fieldapp.domain.document_kinds import TITLES
from fieldapp.domain.localtime import to_local
from fieldapp.domain.penalties import Penalty, PenaltyKind
from fieldapp.i18n import N_, _, describe
from fieldapp.services.cases import (
    PAGE_SIZE,
    CaseDetail,
    CaseEventView,
    CaseFilter,
    CaseRow,
    Deadline,
    NextStep,
    case_detail,
    case_rows,
    count_cases,
)
from fieldapp.services.context import ServiceContext
from fieldapp.services.paperwork import CasePapers, case_papers
from fieldapp.ui.pages.cases.dossier import optional_module
from fieldapp.ui.qt import (
    QAbstractTableModel,
    QColor,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from fieldapp.ui.session import AppState
from fieldapp.ui.subject_view import heading, value_label

ROW_PX = 54  # two lines of text at the normal size, well above the 44 px touch target
# A service of the documents module: the page works without it, then with it.
DOCUMENTS_MODULE = "fieldapp.services.paperwork.documents"
OVERDUE_COLOUR = QColor("#c62828")
DUE_SOON_COLOUR = QColor("#e65100")
DEADLINE_COLOURS = {"overdue": OVERDUE_COLOUR, "due_soon": DUE_SOON_COLOUR}
_ID_ROLE = Qt.ItemDataRole.UserRole
_OPEN_EVENT = "open"  # the event opening a case is not a workflow action


# --- shown values ----------------------------------------------------------------------


def yuan(fen: int) -> str:
    return _("{amount} yuan", amount=f"{fen / 100:,.2f}")


def penalty_text(penalty: Penalty | None) -> str:
    if penalty is None:
        return ""
    kinds = "、".join(value_label(k.value) for k in PenaltyKind if k in penalty.kinds)
    return f"{kinds} {yuan(penalty.fine_fen)}" if penalty.fine_fen else kinds


def deadline_text(deadline: Deadline) -> str:
    """The due day over how it stands, and whether the holidays it crosses are guessed."""
    text = f"{deadline.due.isoformat()}\n{value_label(deadline.status)}"
    return text + _(" (provisional)") if deadline.provisional else text


def deadline_tooltip(deadline: Deadline) -> str:
    return f"{value_label(deadline.kind.value)} · {deadline.basis}"


def next_step_text(step: NextStep | None) -> str:
    """"待负责人立案审批", "待承办人出具处罚决定书", "待当事人缴纳罚款"."""
    if step is None:
        return ""
    who = (_("the case officers") if step.own_officers
           else value_label(step.role.value) if step.role is not None else _("the party"))
    if step.document is not None:
        what = _("issue {title}", title=TITLES[step.document])
    else:
        what = value_label(step.action.value) if step.action is not None else ""
    return _("Waiting for {who}: {what}", who=who, what=what)


def local_time(moment: dt.datetime) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


def event_name(event: CaseEventView) -> str:
    return _("case opened") if event.action == _OPEN_EVENT else value_label(event.action)


_DATE_KEYS = {"statement_due": N_("statement due by"),
              "hearing_request_due": N_("hearing request due by"),
              "payment_due": N_("payment due by")}
_TEXT_KEYS = ("items", "opinion", "conclusion")


def event_details(payload: Mapping[str, Any]) -> str:
    """What an action was taken with, in words (the keys ``workflow.apply`` reads)."""
    parts: list[str] = []
    for key in ("penalty", "revised_penalty"):
        if isinstance(raw := payload.get(key), Mapping):
            parts.append(penalty_text(Penalty.from_json(dict(raw))))
    for key in ("decision", "reason", "procedure"):
        if payload.get(key):
            parts.append(value_label(str(payload[key])))
    parts += [str(payload[key]) for key in _TEXT_KEYS if payload.get(key)]
    if payload.get("amount_fen"):
        parts.append(yuan(int(payload["amount_fen"])))
    if payload.get("party_waived_statement"):
        parts.append(_("the party waived the statement"))
    parts += [_("{label}: {value}", label=_(label), value=payload[key])
              for key, label in _DATE_KEYS.items() if payload.get(key)]
    return "；".join(parts)


@dataclass(frozen=True)
class CaseDocument:
    """A document issued in the case, as the detail lists it."""

    title: str
    number: str
    issued_at: dt.datetime
    state: str  # voided / amended / served, or ""


def case_documents(ctx: ServiceContext, case_id: str) -> tuple[CaseDocument, ...] | None:
    """The documents of the case; None while the documents module is not installed."""
    module = optional_module(DOCUMENTS_MODULE)
    if module is None:
        return None
    found = []
    for doc in module.list_documents(ctx=ctx, case_id=case_id):
        if doc.voids:  # the void record itself: its target shows as voided
            continue
        state = (_("voided") if doc.voided_by else _("amended") if doc.amended_by
                 else _("served") if doc.served else "")
        found.append(CaseDocument(doc.title, doc.number, doc.issued_at, state))
    return tuple(found)


@dataclass(frozen=True)
class CaseRecord:
    """Everything the detail panel shows of one case."""

    detail: CaseDetail
    documents: tuple[CaseDocument, ...] | None
    papers: CasePapers | None = None  # what the stage calls for, issued or not


def load_case(ctx: ServiceContext, case_id: str, officer_id: str | None) -> CaseRecord:
    return CaseRecord(case_detail(ctx=ctx, case_id=case_id, officer_id=officer_id),
                      case_documents(ctx, case_id),
                      case_papers(ctx=ctx, case_id=case_id, officer_id=officer_id))


# --- the list --------------------------------------------------------------------------


@dataclass(frozen=True)
class CasePage:
    offset: int
    rows: tuple[CaseRow, ...]
    total: int | None  # counted with the first page only


def fetch_page(ctx: ServiceContext, where: CaseFilter, offset: int) -> CasePage:
    rows = tuple(case_rows(ctx=ctx, where=where, offset=offset, limit=PAGE_SIZE))
    total = count_cases(ctx=ctx, where=where) if offset == 0 else None
    return CasePage(offset, rows, total)


AnyIndex = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the parent of every row: the list is flat
# Two lines a row: the case number over the subject, the due day over how it stands.
_COLUMNS = (N_("Case"), N_("Violation type"), N_("Status"), N_("Next deadline"))
DEADLINE_COLUMN = 3


class CaseListModel(QAbstractTableModel):
    """Cases, fetched ``PAGE_SIZE`` at a time on the worker as the view asks for more."""

    loaded = Signal()  # a page arrived (or the fetch failed)
    failed = Signal(str)

    def __init__(self, state: AppState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.where = CaseFilter()
        self.rows: list[CaseRow] = []
        self.total: int | None = None
        self._exhausted = True
        self._loading = False

    # Qt's model interface
    def rowCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return heading(_(_COLUMNS[section]))
        return None

    def data(self, index: AnyIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if role == Qt.ItemDataRole.ToolTipRole and column == DEADLINE_COLUMN and \
                    row.next_deadline:
                return deadline_tooltip(row.next_deadline)
            return self._cell(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == DEADLINE_COLUMN and \
                row.next_deadline:
            return DEADLINE_COLOURS.get(row.next_deadline.status)
        if role == _ID_ROLE:
            return row.id
        return None

    def canFetchMore(self, parent: AnyIndex = _ROOT) -> bool:
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: AnyIndex = _ROOT) -> None:
        if self.canFetchMore(parent):
            self._fetch(len(self.rows))

    # ours
    def reset(self, where: CaseFilter) -> None:
        """Show the cases ``where`` selects, from the first page."""
        self.beginResetModel()
        self.where, self.rows, self.total = where, [], None
        self._exhausted, self._loading = False, False
        self.endResetModel()
        self._fetch(0)

    def row_of(self, case_id: str) -> int | None:
        return next((n for n, row in enumerate(self.rows) if row.id == case_id), None)

    def _cell(self, row: CaseRow, column: int) -> str:
        if column == 0:
            return f"{row.case_no or _('not numbered yet')}\n{row.subject_name}"
        if column == 1:
            return row.violation_name
        if column == 2:
            waiting = next_step_text(row.next_step)
            return f"{value_label(row.status.value)}\n{waiting}" if waiting \
                else value_label(row.status.value)
        return deadline_text(row.next_deadline) if row.next_deadline else ""

    def _fetch(self, offset: int) -> None:
        ctx, where = self.state.ctx, self.where
        if ctx is None:
            return
        self._loading = True
        self.state.worker.run(lambda: fetch_page(ctx, where, offset), self._arrived,
                              on_error=self._failed, key=f"case-rows-{id(self)}")

    def _arrived(self, page: CasePage) -> None:
        self._loading = False
        if page.offset != len(self.rows):
            return  # an answer for a list since reset
        if page.total is not None:
            self.total = page.total
        # A short page ends the list; so does reaching the total (a last page that is
        # exactly full would otherwise ask once more for nothing).
        self._exhausted = len(page.rows) < PAGE_SIZE or (
            self.total is not None and len(self.rows) + len(page.rows) >= self.total)
        if page.rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page.rows) - 1)
            self.rows.extend(page.rows)
            self.endInsertRows()
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self._loading, self._exhausted = False, True
        self.failed.emit(_("Error: {error}", error=describe(error)))
        self.loaded.emit()


class Scope:
    """Whose cases the list shows (not a StrEnum: its values are no msgids)."""

    MINE = "mine"
    SQUAD = "squad"
    ALL = "all"
