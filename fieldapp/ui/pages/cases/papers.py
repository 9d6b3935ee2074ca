"""Issuing a case's documents from its detail: the dialog asking only what people write
(the questions and answers of a 询问笔录, what the party said), when a 笔录's sitting
began and ended, and, before a 送达回证, how the document was served. Everything else —
party, amounts, provisions, dates — the services fill from the case; nothing here
offers to change it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from fieldapp.domain.changes import ChangeKind
from fieldapp.domain.document_text import SERVICE_METHODS
from fieldapp.domain.issuance import RecordTimes
from fieldapp.domain.localtime import agency_zone
from fieldapp.i18n import _
from fieldapp.services.context import ServiceContext
from fieldapp.services.paperwork import (
    CasePaper,
    CasePapers,
    issue_document,
    record_service,
    reprint_document,
)
from fieldapp.ui.printing import save_pdf
from fieldapp.ui.qt import (
    QCheckBox,
    QComboBox,
    QDateTime,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

SITTING_MINUTES = 30  # the default length of a sitting the officers then correct
DATETIME_FORMAT = "yyyy-MM-dd HH:mm"


@dataclass(frozen=True)
class Service:
    """How a document was served, as ``record_service`` takes it."""

    method: str
    served_at: dt.datetime
    receiver: str
    place: str
    refused: bool
    refusal_note: str
    witness: str


@dataclass(frozen=True)
class IssueRequest:
    paper: CasePaper
    fields: dict[str, str] = field(default_factory=dict)
    times: RecordTimes | None = None
    service: Service | None = None


def _local(moment: dt.datetime) -> QDateTime:
    return QDateTime(moment.astimezone(agency_zone()).replace(tzinfo=None, second=0,
                                                               microsecond=0))


def _moment(edit: QDateTimeEdit) -> dt.datetime:
    naive = edit.dateTime().toPython()
    assert isinstance(naive, dt.datetime)
    return naive.replace(tzinfo=agency_zone())


def _time_edit(parent: QWidget, moment: dt.datetime) -> QDateTimeEdit:
    edit = QDateTimeEdit(parent)
    edit.setDisplayFormat(DATETIME_FORMAT)
    edit.setCalendarPopup(True)
    edit.setDateTime(_local(moment))
    return edit


class IssueDialog(QDialog):
    """Asks what a paper needs from people, then the page issues it on the worker."""

    def __init__(self, paper: CasePaper, papers: CasePapers, case_name: str, party: str,
                 now: dt.datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.paper = paper
        self.setWindowTitle(_("Issue {title}", title=paper.title))
        self.setMinimumWidth(560)
        self.words: dict[str, QLineEdit | QPlainTextEdit] = {}
        self.started: QDateTimeEdit | None = None
        self.ended: QDateTimeEdit | None = None
        self.give_times: QCheckBox | None = None
        self.method: QComboBox | None = None
        layout = QVBoxLayout(self)
        question = QLabel(_("Issue {title} for case {case}?", title=self._title(),
                            case=case_name), self)
        question.setWordWrap(True)
        question.setProperty("role", "subheading")
        layout.addWidget(question)
        note = QLabel(_("The party, the amounts, the legal provisions and the dates are "
                        "filled from the case and cannot be changed here; the document "
                        "gets its number when it is issued."), self)
        note.setWordWrap(True)
        note.setProperty("role", "hint")
        layout.addWidget(note)
        if paper.kind.value == "service_receipt" and not paper.service_recorded:
            layout.addWidget(self._service_box(party, now))
        if paper.times:
            layout.addWidget(self._times_box(papers, now))
        if paper.words:
            layout.addWidget(self._words_box())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Issue"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _title(self) -> str:
        if self.paper.serves_number:
            return _("{title} of {served} {number}", title=self.paper.title,
                     served=self.paper.serves_title, number=self.paper.serves_number)
        return self.paper.title

    def _service_box(self, party: str, now: dt.datetime) -> QGroupBox:
        box = QGroupBox(_("How it was served"), self)
        form = QFormLayout(box)
        self.method = QComboBox(box)
        for code, name in SERVICE_METHODS.items():
            self.method.addItem(name, code)
        self.served_at = _time_edit(box, now)
        self.receiver = QLineEdit(party, box)
        self.place = QLineEdit(box)
        self.place.setPlaceholderText(_("Blank: the party's address"))
        self.refused = QCheckBox(_("The party refused to sign for it"), box)
        self.refusal_note = QLineEdit(box)
        self.witness = QLineEdit(box)
        form.addRow(_("Service method"), self.method)
        form.addRow(_("Served at"), self.served_at)
        form.addRow(_("Received by"), self.receiver)
        form.addRow(_("Place of service"), self.place)
        form.addRow(self.refused)
        form.addRow(_("How the party refused"), self.refusal_note)
        form.addRow(_("Witness"), self.witness)
        return box

    def _times_box(self, papers: CasePapers, now: dt.datetime) -> QGroupBox:
        box = QGroupBox(_("The sitting this record covers"), self)
        form = QFormLayout(box)
        start = max(now - dt.timedelta(minutes=SITTING_MINUTES), papers.act_at or now)
        self.started = _time_edit(box, start)
        self.ended = _time_edit(box, now)
        if self.paper.times == "optional":
            self.give_times = QCheckBox(_("Give the start and end times (otherwise they "
                                          "follow the inspection recorded)"), box)
            form.addRow(self.give_times)
            self.give_times.toggled.connect(self.started.setEnabled)
            self.give_times.toggled.connect(self.ended.setEnabled)
            self.started.setEnabled(False)
            self.ended.setEnabled(False)
        form.addRow(_("Began at"), self.started)
        form.addRow(_("Ended at"), self.ended)
        return box

    def _words_box(self) -> QGroupBox:
        box = QGroupBox(_("In the words of the people present"), self)
        form = QFormLayout(box)
        for words in self.paper.words:
            edit: QLineEdit | QPlainTextEdit
            if words.multiline:
                edit = QPlainTextEdit(words.default, box)
                edit.setMinimumHeight(120)
            else:
                edit = QLineEdit(words.default, box)
            edit.setObjectName(f"words-{words.key}")
            self.words[words.key] = edit
            form.addRow(_(words.label), edit)
        return box

    def request(self) -> IssueRequest:
        fields = {key: (edit.toPlainText() if isinstance(edit, QPlainTextEdit)
                        else edit.text()).strip() for key, edit in self.words.items()}
        times = None
        if self.started is not None and self.ended is not None and (
                self.give_times is None or self.give_times.isChecked()):
            times = RecordTimes(_moment(self.started), _moment(self.ended))
        service = None
        if self.method is not None:
            service = Service(str(self.method.currentData()), _moment(self.served_at),
                              self.receiver.text().strip(), self.place.text().strip(),
                              self.refused.isChecked(), self.refusal_note.text().strip(),
                              self.witness.text().strip())
        return IssueRequest(self.paper, {k: v for k, v in fields.items() if v}, times,
                            service)


# --- run on the worker ---------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    number: str
    changed: frozenset[ChangeKind] = frozenset({ChangeKind.DOCUMENTS, ChangeKind.CASES})


def issue(ctx: ServiceContext, officer_id: str, papers: CasePapers,
          request: IssueRequest) -> Issued:
    """Record the service first when a receipt needs it, then issue; the 文号."""
    paper = request.paper
    if request.service is not None:
        other = next((o for o in papers.officer_ids if o != officer_id), papers.officer_ids[1])
        s = request.service
        record_service(ctx=ctx, document_id=paper.serves_id, method=s.method,
                       served_at=s.served_at, officer_ids=(officer_id, other),
                       receiver=s.receiver, refused=s.refused, refusal_note=s.refusal_note,
                       witness=s.witness, place=s.place)
    issued = issue_document(ctx=ctx, officer_id=officer_id, kind=paper.kind,
                            case_id=papers.case_id, fields=request.fields,
                            served_document_id=paper.serves_id or None,
                            record_times=request.times)
    return Issued(issued.number)


def save_copy(ctx: ServiceContext, document_id: str, path: Path) -> Path:
    """Reprint: the issued PDF, byte for byte, saved where the officer chose."""
    return save_pdf(reprint_document(ctx=ctx, document_id=document_id), path)
