"""案件: the case list with its deadlines, and one case in full with the actions the
logged-in officer's role allows (the squad leader approves 立案 and 结案 here).

The list fetches lazily, ``PAGE_SIZE`` cases at a time, as the view scrolls, so a
squad's whole history stays browsable. Every read and every action runs on the worker;
an action's result announces what changed, and the list and the detail reload.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from fieldapp.domain.dates import to_local
from fieldapp.domain.penalties import Penalty, PenaltyKind, yuan_to_fen
from fieldapp.domain.workflow import Action, CaseState, Decision, NoPenaltyReason, amount_due_fen
from fieldapp.i18n import N_, _, describe
from fieldapp.services.case_history import (
    PAGE_SIZE,
    CaseDetail,
    CaseEventView,
    CaseFilter,
    CaseRow,
    case_detail,
    case_rows,
    count_cases,
)
from fieldapp.services.cases import Deadline, act
from fieldapp.services.context import ServiceContext
from fieldapp.ui.pages.base import Page
from fieldapp.ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QCheckBox,
    QColor,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QEvent,
    QFileDialog,
    QFontMetrics,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QSplitter,
    Qt,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldapp.ui.session import AppState
from fieldapp.ui.subject_view import heading, value_label
from fieldapp.ui.widgets import record_table

LOCAL_OFFSET_MINUTES = 8 * 60  # case times are shown in China Standard Time
LIST_PANEL_PX = 660
ROW_PX = 54  # two lines of text at the normal size, well above the 44 px touch target
# The documents module's services: the page works without them, then with them.
DOSSIER_MODULE = "fieldapp.services.dossier"
DOCUMENTS_MODULE = "fieldapp.services.documents"
OVERDUE_COLOUR = QColor("#c62828")
DUE_SOON_COLOUR = QColor("#e65100")
_DEADLINE_COLOURS = {"overdue": OVERDUE_COLOUR, "due_soon": DUE_SOON_COLOUR}
_ID_ROLE = Qt.ItemDataRole.UserRole
_OPEN_EVENT = "open"  # the event opening a case is not a workflow action
ACTIONS_PER_ROW = 3
HISTORY_ROWS_SHOWN = 6  # more scroll inside the table
HISTORY_ROW_PX = 34


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


def local_time(moment: dt.datetime) -> str:
    return to_local(moment, LOCAL_OFFSET_MINUTES).strftime("%Y-%m-%d %H:%M")


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


def load_case(ctx: ServiceContext, case_id: str, officer_id: str | None) -> CaseRecord:
    return CaseRecord(case_detail(ctx=ctx, case_id=case_id, officer_id=officer_id),
                    case_documents(ctx, case_id))


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
            return _DEADLINE_COLOURS.get(row.next_deadline.status)
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
            return value_label(row.status.value)
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
        self._exhausted = len(page.rows) < PAGE_SIZE
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


_SCOPE_LABELS = {Scope.MINE: N_("My cases"), Scope.SQUAD: N_("My squad"),
                 Scope.ALL: N_("All squads")}


# --- the action dialog -----------------------------------------------------------------

# Actions that take a line of text, the payload key and the field's label.
_TEXT_INPUT = {
    Action.PRESERVE_EVIDENCE: ("items", N_("Items preserved")),
    Action.HANDLE_PRESERVED: ("decision", N_("Handling decision")),
    Action.LEGAL_REVIEW: ("opinion", N_("Legal review opinion")),
    Action.COLLECTIVE_DISCUSSION: ("conclusion", N_("Conclusion of the discussion")),
    Action.WITHDRAW: ("reason", N_("Reason for withdrawing")),
}
_WITH_DECISION = (Action.FINISH_INVESTIGATION, Action.DECIDE)
_SUMMARY_KINDS = (PenaltyKind.WARNING, PenaltyKind.FINE)
FINE_MAX_YUAN = 100_000_000


class PenaltyEditor(QWidget):
    """Kinds of penalty (行政处罚法 art. 9) and the fine in yuan."""

    def __init__(self, kinds: tuple[PenaltyKind, ...], start: Penalty | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.boxes: dict[PenaltyKind, QCheckBox] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for n, kind in enumerate(kinds):
            box = QCheckBox(value_label(kind.value), self)
            box.setChecked(start is not None and kind in start.kinds)
            self.boxes[kind] = box
            grid.addWidget(box, n // 3, n % 3)
        self.fine = QDoubleSpinBox(self)
        self.fine.setRange(0, FINE_MAX_YUAN)
        self.fine.setDecimals(2)
        self.fine.setSingleStep(100)
        self.fine.setGroupSeparatorShown(True)
        self.fine.setValue(start.fine_fen / 100 if start else 0)
        fine_row = QHBoxLayout()
        fine_row.addWidget(QLabel(_("Fine (yuan)"), self))
        fine_row.addWidget(self.fine, 1)
        grid.addLayout(fine_row, (len(kinds) + 2) // 3, 0, 1, 3)
        self.boxes[PenaltyKind.FINE].toggled.connect(self._fine_enabled)
        self._fine_enabled(self.boxes[PenaltyKind.FINE].isChecked())

    def _fine_enabled(self, on: bool) -> None:
        self.fine.setEnabled(on)

    def value(self) -> dict[str, Any]:
        kinds = sorted(k.value for k, box in self.boxes.items() if box.isChecked())
        fine = yuan_to_fen(self.fine.value()) if PenaltyKind.FINE.value in kinds else 0
        return {"kinds": kinds, "fine_fen": fine}


class ActionDialog(QDialog):
    """Asks what an action needs (a penalty, a decision, an opinion…), or only to confirm."""

    def __init__(self, action: Action, detail: CaseDetail, parent: QWidget | None = None,
                 today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.action = action
        state = detail.case.state
        self.setWindowTitle(value_label(action.value))
        self.setMinimumWidth(560)
        self.form = QFormLayout()
        self.text: QPlainTextEdit | None = None
        self.decision: QComboBox | None = None
        self.reason: QComboBox | None = None
        self.penalty: PenaltyEditor | None = None
        self.revise: QCheckBox | None = None
        self.waived: QCheckBox | None = None
        self.amount: QDoubleSpinBox | None = None
        self._build(action, state, today or dt.date.today())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(value_label(action.value))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        question = QLabel(_("{action} for case {case_no}", action=value_label(action.value),
                            case_no=detail.case.case_no or detail.subject_name), self)
        question.setWordWrap(True)
        question.setProperty("role", "subheading")
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addLayout(self.form)
        layout.addWidget(buttons)

    def _build(self, action: Action, state: CaseState, today: dt.date) -> None:
        if action in _TEXT_INPUT:
            self.text = QPlainTextEdit(self)
            self.text.setMinimumHeight(100)
            self.form.addRow(_(_TEXT_INPUT[action][1]), self.text)
        if action in _WITH_DECISION:
            self.decision = QComboBox(self)
            for decision in Decision:
                self.decision.addItem(value_label(decision.value), decision.value)
            self.form.addRow(heading(_("decision")), self.decision)
        if action in (*_WITH_DECISION, Action.DECIDE_ON_SPOT, Action.RECORD_STATEMENT):
            kinds = _SUMMARY_KINDS if action is Action.DECIDE_ON_SPOT else tuple(PenaltyKind)
            self.penalty = PenaltyEditor(kinds, state.notified or state.proposed, self)
            if action is Action.RECORD_STATEMENT:
                self.revise = QCheckBox(_("The penalty is made lighter after the statement"))
                self.form.addRow(self.revise)
                self.revise.toggled.connect(self.penalty.setEnabled)
                self.penalty.setEnabled(False)
            self.form.addRow(heading(_("penalty")), self.penalty)
        if action is Action.DECIDE:
            self.reason = QComboBox(self)
            for reason in NoPenaltyReason:
                self.reason.addItem(value_label(reason.value), reason.value)
            self.form.addRow(_("Reason for no penalty"), self.reason)
            self.waived = QCheckBox(_("The party waived the statement and defence"), self)
            self.form.addRow(self.waived)
        if action is Action.RECORD_PAYMENT:
            self.amount = QDoubleSpinBox(self)
            self.amount.setRange(0, FINE_MAX_YUAN)
            self.amount.setDecimals(2)
            self.amount.setGroupSeparatorShown(True)
            self.amount.setValue(amount_due_fen(state, today) / 100)
            self.form.addRow(_("Amount paid (yuan)"), self.amount)
        if self.decision is not None:
            self.decision.currentIndexChanged.connect(self._decision_changed)
            self._decision_changed()

    def _decision_changed(self) -> None:
        assert self.decision is not None
        decision = self.decision.currentData()
        if self.penalty is not None:
            self.penalty.setVisible(decision == Decision.PENALTY.value)
            self.form.labelForField(self.penalty).setVisible(decision == Decision.PENALTY.value)
        if self.reason is not None:
            self.reason.setVisible(decision == Decision.NO_PENALTY.value)
            self.form.labelForField(self.reason).setVisible(
                decision == Decision.NO_PENALTY.value)

    def payload(self) -> dict[str, Any]:
        """What ``cases.act`` takes for this action (``workflow.apply`` checks it)."""
        out: dict[str, Any] = {}
        if self.text is not None:
            out[_TEXT_INPUT[self.action][0]] = self.text.toPlainText().strip()
        decision = self.decision.currentData() if self.decision is not None else None
        if decision is not None:
            out["decision"] = decision
        if self.penalty is not None:
            if self.revise is not None:
                if self.revise.isChecked():
                    out["revised_penalty"] = self.penalty.value()
            elif decision in (None, Decision.PENALTY.value):
                out["penalty"] = self.penalty.value()
        if self.reason is not None and decision == Decision.NO_PENALTY.value:
            out["reason"] = self.reason.currentData()
        if self.waived is not None and self.waived.isChecked():
            out["party_waived_statement"] = True
        if self.amount is not None:
            out["amount_fen"] = yuan_to_fen(self.amount.value())
        return out


# --- dossier printing ------------------------------------------------------------------


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

    def start(self, case_id: str, case_no: str) -> None:
        ctx, module = self.state.ctx, optional_module(DOSSIER_MODULE)
        if ctx is None or module is None:
            return
        self._cancel.clear()
        self.state.worker.run(lambda: module.dossier_completeness(ctx=ctx, case_id=case_id),
                              lambda missing: self._show_check(case_id, case_no, missing),
                              on_error=self._failed)

    def _show_check(self, case_id: str, case_no: str, missing: list[str]) -> None:
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
        dialog.accepted.connect(lambda: self._choose_file(case_id, case_no))
        self.check_dialog = dialog
        dialog.open()

    def _choose_file(self, case_id: str, case_no: str) -> None:
        dialog = QFileDialog(self._window(), _("Save the dossier as PDF"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(_("PDF files (*.pdf)"))
        dialog.setDefaultSuffix("pdf")
        dialog.selectFile(f"{case_no or case_id}.pdf")
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


# --- the detail panel ------------------------------------------------------------------


class CaseDetailPanel(QWidget):
    """One case: what it is about, its deadlines, what may be done now, what was done."""

    action_chosen = Signal(object)  # Action
    print_dossier = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: CaseDetail | None = None
        self.action_buttons: dict[Action, QPushButton] = {}
        self.placeholder = QLabel(_("Select a case to see its deadlines, history and the "
                                    "steps you may take."), self)
        self.placeholder.setProperty("role", "hint")
        self.placeholder.setWordWrap(True)
        self.title = QLabel(self)
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QGridLayout()
        self.facts.setHorizontalSpacing(12)
        self.facts.setColumnStretch(1, 1)
        self.deadlines = QGridLayout()
        self.deadlines.setHorizontalSpacing(12)
        self.deadlines.setColumnStretch(3, 1)
        self.actions = QGridLayout()
        self.no_actions = QLabel(self)
        self.no_actions.setProperty("role", "hint")
        self.no_actions.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.history = self._history_table()
        self.documents_hint = QLabel(self)
        self.documents_hint.setProperty("role", "hint")
        self.documents_hint.setWordWrap(True)
        self.documents = self._documents_table()
        self.dossier_button = QPushButton(_("Print dossier…"), self)
        self._layout()
        self.dossier_button.clicked.connect(self.print_dossier)
        self.show_detail(None)

    def _history_table(self) -> QTableWidget:
        headers = [heading(_("time")), _("Step"), heading(_("officer")), _("Details")]
        table = QTableWidget(0, len(headers), self)
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(True)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setMinimumSectionSize(HISTORY_ROW_PX)
        header = table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        return table

    def _documents_table(self) -> QTableWidget:
        headers = [_("Document"), heading(_("document number")), _("Issued"), _("Status")]
        return record_table(self, headers, row_px=ROW_PX)

    def _section(self, title: str) -> QLabel:
        label = QLabel(title, self)
        label.setProperty("role", "subheading")
        return label

    def _layout(self) -> None:
        self.body = QWidget(self)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.title)
        body.addLayout(self.facts)
        body.addWidget(self._section(_("Deadlines")))
        body.addLayout(self.deadlines)
        body.addWidget(self._section(_("What you may do")))
        body.addLayout(self.actions)
        body.addWidget(self.no_actions)
        body.addWidget(self.message)
        self.history_title = self._section(heading(_("History")))
        body.addWidget(self.history_title)
        body.addWidget(self.history)
        documents = QGroupBox(_("Documents of this case"), self.body)
        box = QVBoxLayout(documents)
        box.addWidget(self.documents_hint)
        box.addWidget(self.documents)
        box.addWidget(self.dossier_button, 0, Qt.AlignmentFlag.AlignLeft)
        body.addWidget(documents)
        body.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.body)

    def show_detail(self, file: CaseRecord | None) -> None:
        detail = file.detail if file is not None else None
        self.detail = detail
        self.placeholder.setVisible(detail is None)
        self.body.setVisible(detail is not None)
        if file is None or detail is None:
            return
        case = detail.case
        self.title.setText(f"{case.case_no or _('Case')} · {detail.subject_name}")
        self._fill_facts(detail)
        self._fill_deadlines(detail.case.deadlines)
        self._fill_actions(detail.actions)
        self._fill_history(detail.events)
        self._fill_documents(file.documents)

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setProperty("role", "error" if error else "success")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)

    def _fill_facts(self, detail: CaseDetail) -> None:
        case, state = detail.case, detail.case.state
        penalty = state.decided or state.notified or state.proposed
        rows = [
            (heading(_("subject")), detail.subject_name),
            (_("Violation type"), detail.violation_name),
            (_("Status"), value_label(case.status.value)),
            (_("Procedure"), value_label(case.procedure.value)),
            (heading(_("officers")), f"{detail.lead_officer}、{detail.assist_officer}"),
            (_("Opened"), local_time(case.opened_at)),
            (heading(_("penalty")), penalty_text(penalty)),
            (_("Paid"), yuan(state.paid_fen) if state.paid_fen else ""),
            (_("Summary"), detail.summary),
        ]
        _refill(self.facts, [(label, value) for label, value in rows if value])

    def _fill_deadlines(self, deadlines: tuple[Deadline, ...]) -> None:
        _clear(self.deadlines)
        if not deadlines:
            none = QLabel(_("No legal deadline is running."), self)
            none.setProperty("role", "hint")
            self.deadlines.addWidget(none, 0, 0, 1, 4)
            return
        for row, deadline in enumerate(sorted(deadlines, key=lambda d: d.due)):
            status = QLabel(value_label(deadline.status)
                            + (_(" (provisional)") if deadline.provisional else ""), self)
            colour = _DEADLINE_COLOURS.get(deadline.status)
            if colour is not None:
                status.setStyleSheet(f"color: {colour.name()}; font-weight: bold;")
            basis = QLabel(deadline.basis, self)
            basis.setWordWrap(True)
            basis.setProperty("role", "hint")
            for column, widget in enumerate((QLabel(value_label(deadline.kind.value), self),
                                             QLabel(deadline.due.isoformat(), self),
                                             status, basis)):
                self.deadlines.addWidget(widget, row, column, Qt.AlignmentFlag.AlignTop)

    def _fill_actions(self, actions: tuple[Action, ...]) -> None:
        _clear(self.actions)
        self.action_buttons = {}
        for n, action in enumerate(actions):
            button = QPushButton(value_label(action.value), self)
            button.setObjectName(f"action-{action.value}")
            button.clicked.connect(lambda _checked=False, a=action: self.action_chosen.emit(a))
            self.action_buttons[action] = button
            self.actions.addWidget(button, n // ACTIONS_PER_ROW, n % ACTIONS_PER_ROW)
        self.no_actions.setVisible(not actions)
        self.no_actions.setText(_("Your role has no step to take on this case now."))

    def _fill_history(self, events: tuple[CaseEventView, ...]) -> None:
        table = self.history
        table.setRowCount(len(events))
        for row, event in enumerate(events):
            cells = (local_time(event.at), event_name(event),
                     f"{event.officer_name}（{value_label(event.role)}）",
                     event_details(event.payload))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, column, item)
        table.resizeRowsToContents()
        shown = sum(table.rowHeight(r) for r in range(min(len(events), HISTORY_ROWS_SHOWN)))
        table.setFixedHeight(table.horizontalHeader().sizeHint().height()
                             + max(shown, HISTORY_ROW_PX) + 2 * table.frameWidth())
        self.history_title.setText(f"{heading(_('History'))} ({len(events)})")

    def _fill_documents(self, documents: tuple[CaseDocument, ...] | None) -> None:
        missing = _("Document features come with the documents module")
        available = dossier_available()
        self.dossier_button.setEnabled(available)
        self.dossier_button.setToolTip("" if available else missing)
        if documents is None:
            self.documents_hint.setText(missing)
        elif not documents:
            self.documents_hint.setText(_("No document has been issued in this case yet."))
        self.documents_hint.setVisible(not documents)
        self.documents.setVisible(bool(documents))
        self.documents.setRowCount(len(documents or ()))
        for row, doc in enumerate(documents or ()):
            issued = to_local(doc.issued_at, LOCAL_OFFSET_MINUTES).date().isoformat()
            for column, text in enumerate((doc.title, doc.number, issued, doc.state)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.documents.setItem(row, column, item)
        self.documents.setFixedHeight(self.documents.horizontalHeader().sizeHint().height()
                                      + ROW_PX * min(max(len(documents or ()), 1), 5)
                                      + 2 * self.documents.frameWidth())


def _clear(grid: QGridLayout) -> None:
    while (item := grid.takeAt(0)) is not None:
        if (widget := item.widget()) is not None:
            widget.deleteLater()


def _refill(grid: QGridLayout, rows: list[tuple[str, str]]) -> None:
    _clear(grid)
    for row, (label, value) in enumerate(rows):
        name = QLabel(label)
        name.setProperty("role", "hint")
        text = QLabel(value)
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(text, row, 1, Qt.AlignmentFlag.AlignTop)


# --- the page --------------------------------------------------------------------------


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

    def records_changed(self, kinds: frozenset[str]) -> None:
        if kinds & {"case_file", "case_event", "subject"}:
            self.reload()  # reopens the case shown, too
        elif kinds & {"document", "document_service"} and self.selected_id:
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
            self.dossier.start(detail.case.id, detail.case.case_no)

