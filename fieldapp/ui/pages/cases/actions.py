"""The dialogs asking what a workflow action needs (a penalty, a decision, an
opinion…), or only to confirm it, before the page takes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fieldapp.domain.penalties import Penalty, PenaltyKind, yuan_to_fen
from fieldapp.domain.workflow import Action, CaseState, Decision, NoPenaltyReason, amount_due_fen
from fieldapp.i18n import N_, _
from fieldapp.services.cases import CaseDetail
from fieldapp.ui.qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)
from fieldapp.ui.subject_view import heading, value_label

# Actions that take a line of text, the payload key and the field's label.
_TEXT_INPUT = {
    Action.PRESERVE_EVIDENCE: ("items", N_("Items preserved")),
    Action.HANDLE_PRESERVED: ("decision", N_("Handling decision")),
    Action.LEGAL_REVIEW: ("opinion", N_("Legal review opinion")),
    Action.COLLECTIVE_DISCUSSION: ("conclusion", N_("Conclusion of the discussion")),
    Action.WITHDRAW: ("reason", N_("Reason for withdrawing")),
    Action.RECORD_STATEMENT: ("statement", N_("What the party stated and argued")),
    Action.RECORD_HEARING: ("summary", N_("Summary of the hearing")),
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
