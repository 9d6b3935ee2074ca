"""The detail panel: one case in full, with its deadlines, the steps the officer's role
may take now, its history and its documents."""

from __future__ import annotations

from fieldapp.domain.errors import DomainError
from fieldapp.domain.localtime import to_local
from fieldapp.domain.workflow import Action
from fieldapp.i18n import _, describe
from fieldapp.services.cases import CaseDetail, CaseEventView, Deadline
from fieldapp.services.paperwork import CasePaper, CasePapers
from fieldapp.ui.pages.cases.case_list import (
    DEADLINE_COLOURS,
    ROW_PX,
    CaseDocument,
    CaseRecord,
    deadline_text,
    event_details,
    event_name,
    local_time,
    next_step_text,
    penalty_text,
    yuan,
)
from fieldapp.ui.pages.cases.dossier import dossier_available
from fieldapp.ui.qt import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldapp.ui.subject_view import heading, value_label
from fieldapp.ui.widgets import record_table, show_status

ACTIONS_PER_ROW = 3
HISTORY_ROWS_SHOWN = 6  # more scroll inside the table
HISTORY_ROW_PX = 34


class CaseDetailPanel(QWidget):
    """One case: what it is about, its deadlines, what may be done now, what was done."""

    action_chosen = Signal(object)  # Action
    print_dossier = Signal()
    issue_requested = Signal(object)  # CasePaper
    open_requested = Signal(str)  # document id: shown on the documents page
    reprint_requested = Signal(str)  # document id: saved again as PDF

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: CaseDetail | None = None
        self.papers: CasePapers | None = None
        self.action_buttons: dict[Action, QPushButton] = {}
        self.issue_buttons: dict[tuple[str, str], QPushButton] = {}  # (kind, serves)
        self.open_buttons: dict[tuple[str, str], QPushButton] = {}
        self.reprint_buttons: dict[tuple[str, str], QPushButton] = {}
        self.placeholder = QLabel(_("Select a case to see its deadlines, history and the "
                                    "steps you may take."), self)
        self.placeholder.setProperty("role", "hint")
        self.placeholder.setWordWrap(True)
        self.title = QLabel(self)
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.next_step = QLabel(self)
        self.next_step.setObjectName("next-step")
        self.next_step.setProperty("role", "subheading")
        self.next_step.setWordWrap(True)
        self.facts = QGridLayout()
        self.facts.setHorizontalSpacing(12)
        self.facts.setColumnStretch(1, 1)
        self.deadlines = QGridLayout()
        self.deadlines.setHorizontalSpacing(12)
        self.deadlines.setColumnStretch(3, 1)
        self.actions = QGridLayout()
        self.refusals = QLabel(self)
        self.refusals.setObjectName("refusals")
        self.refusals.setWordWrap(True)
        self.refusals.setProperty("role", "hint")
        self.paper_grid = QGridLayout()
        self.paper_grid.setColumnStretch(0, 1)
        self.no_papers = QLabel(self)
        self.no_papers.setProperty("role", "hint")
        self.no_papers.setWordWrap(True)
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
        body.addWidget(self.next_step)
        body.addWidget(self.message)
        body.addWidget(self._section(_("What you may do")))
        body.addLayout(self.actions)
        body.addWidget(self.no_actions)
        body.addWidget(self.refusals)
        body.addWidget(self._section(_("Documents this stage calls for")))
        body.addLayout(self.paper_grid)
        body.addWidget(self.no_papers)
        body.addWidget(self._section(_("Deadlines")))
        body.addLayout(self.deadlines)
        body.addLayout(self.facts)
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
        self._fill_next_step(detail)
        self._fill_facts(detail)
        self._fill_deadlines(detail.case.deadlines)
        self._fill_actions(detail.actions, dict(detail.refusals))
        self._fill_papers(file.papers)
        self._fill_history(detail.events)
        self._fill_documents(file.documents)

    def show_message(self, text: str, error: bool = False) -> None:
        show_status(self.message, text, error)

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
            colour = DEADLINE_COLOURS.get(deadline.status)
            if colour is not None:
                status.setStyleSheet(f"color: {colour.name()}; font-weight: bold;")
            basis = QLabel(deadline.basis, self)
            basis.setWordWrap(True)
            basis.setProperty("role", "hint")
            for column, widget in enumerate((QLabel(value_label(deadline.kind.value), self),
                                             QLabel(deadline.due.isoformat(), self),
                                             status, basis)):
                self.deadlines.addWidget(widget, row, column, Qt.AlignmentFlag.AlignTop)

    def _fill_next_step(self, detail: CaseDetail) -> None:
        """Who must act next, and the nearest legal deadline."""
        text = next_step_text(detail.next_step)
        deadline = detail.case.next_deadline
        if deadline is not None:
            due = deadline_text(deadline).replace("\n", " ")
            text = _("{step} · {deadline} by {due}", step=text or value_label(
                detail.case.status.value), deadline=value_label(deadline.kind.value), due=due)
        self.next_step.setText(text)
        self.next_step.setVisible(bool(text))
        colour = DEADLINE_COLOURS.get(deadline.status) if deadline is not None else None
        self.next_step.setStyleSheet(f"color: {colour.name()};" if colour is not None else "")

    def _fill_actions(self, actions: tuple[Action, ...],
                      refusals: dict[Action, DomainError]) -> None:
        _clear(self.actions)
        self.action_buttons = {}
        for n, action in enumerate(actions):
            button = QPushButton(value_label(action.value), self)
            button.setObjectName(f"action-{action.value}")
            button.clicked.connect(lambda _checked=False, a=action: self.action_chosen.emit(a))
            refused = refusals.get(action)
            if refused is not None:  # the service would refuse it: say why, beforehand
                button.setEnabled(False)
                button.setToolTip(describe(refused))
            self.action_buttons[action] = button
            self.actions.addWidget(button, n // ACTIONS_PER_ROW, n % ACTIONS_PER_ROW)
        self.no_actions.setVisible(not actions)
        self.no_actions.setText(_("Your role has no step to take on this case now."))
        reasons = sorted({describe(r) for r in refusals.values()})
        self.refusals.setText("\n".join(reasons))
        self.refusals.setVisible(bool(reasons))

    def _fill_papers(self, papers: CasePapers | None) -> None:
        """Each paper the stage calls for: issued (文号, open, reprint) or to issue."""
        _clear(self.paper_grid)
        self.papers = papers
        self.issue_buttons, self.open_buttons, self.reprint_buttons = {}, {}, {}
        shown = papers.papers if papers is not None else ()
        for row, paper in enumerate(shown):
            self._paper_row(row, paper)
        refused = sorted({describe(p.refusal) for p in shown
                          if p.refusal is not None and not p.issued})
        self.no_papers.setVisible(not shown or bool(refused))
        self.no_papers.setText("\n".join(refused) if refused
                               else _("No document is called for at this stage."))

    def _paper_row(self, row: int, paper: CasePaper) -> None:
        key = (paper.kind.value, paper.serves_id)
        title = paper.title
        if paper.serves_number:
            title = _("{title} of {served} {number}", title=paper.title,
                      served=paper.serves_title, number=paper.serves_number)
        if not paper.required:
            title += _(" (if needed)")
        if paper.issued:
            label = QLabel(_("Issued: {title} {number}", title=title,
                             number=paper.issued_number), self)
            label.setWordWrap(True)
            opened = QPushButton(_("Open"), self)
            reprint = QPushButton(_("Reprint…"), self)
            document_id = paper.issued_id or ""
            opened.clicked.connect(lambda _c=False, d=document_id: self.open_requested.emit(d))
            reprint.clicked.connect(
                lambda _c=False, d=document_id: self.reprint_requested.emit(d))
            self.paper_grid.addWidget(label, row, 0)
            self.paper_grid.addWidget(opened, row, 1)
            self.paper_grid.addWidget(reprint, row, 2)
            self.open_buttons[key], self.reprint_buttons[key] = opened, reprint
            return
        button = QPushButton(_("Issue {title}", title=title), self)
        button.setObjectName(f"issue-{paper.kind.value}")
        button.setProperty("role", "primary" if paper.required else "")
        button.clicked.connect(lambda _c=False, p=paper: self.issue_requested.emit(p))
        if paper.refusal is not None:
            button.setEnabled(False)
            button.setToolTip(describe(paper.refusal))
        self.paper_grid.addWidget(button, row, 0, 1, 3)
        self.issue_buttons[key] = button

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
            issued = to_local(doc.issued_at).date().isoformat()
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
