"""Under the confirm button: what was just recorded and its documents.

After recording it names the step, the subject, the violation and the case opened, and
offers exactly the documents that finding calls for: one "issue" button for each not yet
issued, and for each already issued its 文号 with "open" and "reprint" instead. The
panel keeps the same height whatever it shows, so nothing moves under a finger.
"""

from __future__ import annotations

from fieldapp.domain.document_kinds import TITLES, DocumentKind
from fieldapp.i18n import _
from fieldapp.services.inspections import FindingOutcome
from fieldapp.ui.qt import (
    QFontMetrics,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldapp.ui.subject_view import value_label
from fieldapp.ui.widgets import show_status

SHOWN_DOCUMENTS = 2  # rows kept free for the documents of a finding (a step needs ≤ 2)


class OutcomePanel(QFrame):
    issue_requested = Signal(object)  # DocumentKind
    open_requested = Signal(str)  # document id
    reprint_requested = Signal(str)  # document id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outcome: FindingOutcome | None = None
        self.issue_buttons: dict[DocumentKind, QPushButton] = {}
        self.open_buttons: dict[DocumentKind, QPushButton] = {}
        self.reprint_buttons: dict[DocumentKind, QPushButton] = {}
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setProperty("role", "subheading")
        self.documents = QWidget(self)
        self._grid = QGridLayout(self.documents)
        self._grid.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.documents)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self._reserve_height()

    def _reserve_height(self) -> None:
        """Two text lines, the documents' rows and a message line, always."""
        line = QFontMetrics(self.font()).lineSpacing()
        button = QPushButton("x").sizeHint().height()
        self.setMinimumHeight(3 * line + SHOWN_DOCUMENTS * (button + 6) + 2 * line + 12)

    # --- showing ---------------------------------------------------------------------

    def clear(self) -> None:
        """Forget the last finding: no button or message of it stays."""
        self.outcome = None
        self.summary.clear()
        self.message.clear()
        self._clear_documents()

    def show_message(self, text: str, error: bool = False) -> None:
        show_status(self.message, text, error)

    def show_outcome(self, outcome: FindingOutcome) -> None:
        self.outcome = outcome
        self.summary.setText(recorded_text(outcome))
        self._clear_documents()
        for row, kind in enumerate(outcome.documents):
            issued = outcome.issued_as(kind)
            if issued is None:
                button = QPushButton(_("Issue {title}", title=TITLES[kind]), self.documents)
                button.setProperty("role", "primary")
                button.clicked.connect(lambda _c=False, k=kind: self.issue_requested.emit(k))
                self._grid.addWidget(button, row, 0, 1, 3)
                self.issue_buttons[kind] = button
                continue
            label = QLabel(_("Issued: {title} {number}", title=TITLES[kind],
                             number=issued.number), self.documents)
            label.setWordWrap(True)
            opened = QPushButton(_("Open"), self.documents)
            opened.clicked.connect(lambda _c=False, d=issued.id: self.open_requested.emit(d))
            reprint = QPushButton(_("Reprint…"), self.documents)
            reprint.clicked.connect(
                lambda _c=False, d=issued.id: self.reprint_requested.emit(d))
            self._grid.addWidget(label, row, 0)
            self._grid.addWidget(opened, row, 1)
            self._grid.addWidget(reprint, row, 2)
            self.open_buttons[kind] = opened
            self.reprint_buttons[kind] = reprint
        self._grid.setColumnStretch(0, 1)

    def _clear_documents(self) -> None:
        while (item := self._grid.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.hide()
                widget.deleteLater()
        self.issue_buttons, self.open_buttons, self.reprint_buttons = {}, {}, {}


def recorded_text(outcome: FindingOutcome) -> str:
    """"Recorded: warn — 张三, 占道经营." and, when one was opened, the case."""
    text = _("Recorded: {step} — {subject}, {violation}.", step=value_label(outcome.step),
             subject=outcome.subject_name, violation=outcome.violation_name)
    if outcome.corrected_on_spot:
        text += " " + _("Corrected on the spot.")
    if outcome.case_id is not None:
        text += "\n" + (_("Case opened: {number}.", number=outcome.case_no) if outcome.case_no
                        else _("Case opened; it gets its number when the filing is approved."))
    if not outcome.documents:
        text += "\n" + _("No document to issue on the spot.")
    return text
