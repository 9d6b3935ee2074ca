"""The advice panel: the step due in big plain words, why, the no-penalty items with
each condition met or not (and a question for each the officer must judge), the legal
basis and the documents to issue."""

from __future__ import annotations

from fieldapp.domain.document_kinds import TITLES
from fieldapp.domain.entities import StepKind
from fieldapp.domain.localtime import agency_zone
from fieldapp.domain.no_penalty import (
    EXEMPTION_LABELS,
    QUANTIFIED,
    Applicability,
    ConditionKind,
    ItemAssessment,
    Verdict,
)
from fieldapp.i18n import N_, _
from fieldapp.services.rules import Advice
from fieldapp.ui.qt import (
    QCheckBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QLabel,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

STEP_TITLES = {
    StepKind.EDUCATE: N_("Step 1 of 3: educate"),
    StepKind.WARN: N_("Step 2 of 3: warn and order to correct"),
    StepKind.ENFORCE: N_("Step 3 of 3: open a case"),
}
STEP_COLOURS = {StepKind.EDUCATE: "#1b7f3b", StepKind.WARN: "#c06000",
                StepKind.ENFORCE: "#b00020"}
VERDICT_MARKS = {Verdict.MET: "✔", Verdict.NOT_MET: "✘", Verdict.UNKNOWN: "？"}
# Conditions only the officer on the spot can judge; asked as questions.
ASKED = (ConditionKind.CORRECTED_ON_SPOT, ConditionKind.MINOR_HARM,
         ConditionKind.NO_HARMFUL_CONSEQUENCE, ConditionKind.NO_DAMAGE,
         ConditionKind.COOPERATES, ConditionKind.STOPS_AFTER_EDUCATION,
         ConditionKind.CORRECTED_IN_PERIOD, ConditionKind.NO_FAULT_PROVEN)
QUESTIONS = {
    ConditionKind.CORRECTED_ON_SPOT: N_("Corrected on the spot?"),
    ConditionKind.MINOR_HARM: N_("Is the harm minor?"),
    ConditionKind.NO_HARMFUL_CONSEQUENCE: N_("No harmful consequence?"),
    ConditionKind.NO_DAMAGE: N_("Nothing damaged?"),
    ConditionKind.COOPERATES: N_("Does the party cooperate?"),
    ConditionKind.STOPS_AFTER_EDUCATION: N_("Stopped at once after being told?"),
    ConditionKind.CORRECTED_IN_PERIOD: N_("Corrected within the period ordered?"),
    ConditionKind.NO_FAULT_PROVEN: N_("Has the party proved it had no fault?"),
    ConditionKind.AREA_MAX_M2: N_("Area (m²)"),
    ConditionKind.DURATION_MAX_DAYS: N_("Duration (days)"),
    ConditionKind.OVERDUE_MAX_MONTHS: N_("Months overdue"),
    ConditionKind.VOLUME_MAX_M3: N_("Volume (m³)"),
}


class AdvicePanel(QFrame):
    """``corrected_changed``: the officer ticked or unticked the panel's "corrected on
    the spot" question; the page owns that one answer and hands it in (``set_corrected``)."""

    answers_changed = Signal()
    corrected_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setProperty("role", "advice")
        self.step = QLabel(self)
        self.step.setProperty("role", "step")
        self.step.setWordWrap(True)
        self.explanation = QLabel(self)
        self.explanation.setWordWrap(True)
        self.explanation.setProperty("role", "explanation")
        self.history = QLabel(self)
        self.history.setWordWrap(True)
        self.history.setProperty("role", "hint")
        self.items = QLabel(self)
        self.items.setWordWrap(True)
        self.items.setTextFormat(Qt.TextFormat.RichText)
        self.basis = QLabel(self)
        self.basis.setWordWrap(True)
        self.documents = QLabel(self)
        self.documents.setWordWrap(True)
        self.questions = QWidget(self)
        self._grid = QGridLayout(self.questions)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._checks: dict[ConditionKind, QCheckBox] = {}
        self._numbers: dict[ConditionKind, QDoubleSpinBox] = {}
        layout = QVBoxLayout(self)
        for widget in (self.step, self.explanation, self.history, self.questions, self.items,
                       self.basis, self.documents):
            layout.addWidget(widget)
        self.advice: Advice | None = None
        self._corrected = False
        self.clear()

    def clear(self) -> None:
        self.advice = None
        self.step.setText(_("Choose the subject and the violation to see the advice."))
        self.step.setStyleSheet("")
        for label in (self.explanation, self.history, self.items, self.basis, self.documents):
            label.clear()
        self._set_questions(())

    def answers(self) -> dict[ConditionKind, bool | float | None]:
        out: dict[ConditionKind, bool | float | None] = {}
        for kind, box in self._checks.items():
            out[kind] = True if box.isChecked() else None
        out[ConditionKind.CORRECTED_ON_SPOT] = True if self._corrected else None
        for kind, spin in self._numbers.items():
            out[kind] = spin.value() if spin.value() > 0 else None
        return out

    def set_corrected(self, corrected: bool) -> None:
        self._corrected = corrected
        box = self._checks.get(ConditionKind.CORRECTED_ON_SPOT)
        if box is not None and box.isChecked() != corrected:
            box.blockSignals(True)  # the page's answer, shown here: not a new one
            box.setChecked(corrected)
            box.blockSignals(False)

    def show_advice(self, advice: Advice) -> None:
        self.advice = advice
        step = advice.step
        self.step.setText(_(STEP_TITLES[step]))
        self.step.setStyleSheet(f"color: {STEP_COLOURS[step]};")
        self.explanation.setText(advice.explanation)
        self.history.setText(self._history_text(advice))
        self.items.setText(self._items_html(advice.items))
        b = advice.basis
        self.basis.setText(_("Legal basis: {provision}; penalty: {penalty} ({range})",
                             provision=b.provision, penalty=b.penalty_provision,
                             range=b.penalty_range))
        self.documents.setText(_("Documents to issue: {titles}",
                                 titles="、".join(TITLES[d] for d in advice.documents)))
        asked = sorted({c.condition.kind for item in advice.items for c in item.conditions
                        if c.verdict is Verdict.UNKNOWN or c.condition.kind in self._checks
                        or c.condition.kind in self._numbers},
                       key=lambda k: list(ConditionKind).index(k))
        self._set_questions(tuple(k for k in asked
                                  if k in ASKED or k in QUANTIFIED))

    def _history_text(self, advice: Advice) -> str:
        if not advice.ladder.counted:
            return _("No earlier step for this violation in the window.")
        lines = [_("Earlier steps:")]
        for s in advice.ladder.counted:
            local = s.taken_at.astimezone(agency_zone())
            lines.append(f"{local:%Y-%m-%d}  {_(s.kind.value)}  {s.officer}")
        return "\n".join(lines)

    def _items_html(self, items: tuple[ItemAssessment, ...]) -> str:
        if not items:
            return _("No item of the no-penalty list covers this violation.")
        parts = []
        for a in items:
            outcome = {Applicability.APPLIES: _("applies"),
                       Applicability.DOES_NOT_APPLY: _("does_not_apply"),
                       Applicability.UNDETERMINED: _("undetermined")}[a.outcome]
            conditions = "<br/>".join(
                f"&nbsp;&nbsp;{VERDICT_MARKS[c.verdict]} {c.condition.text}"
                for c in a.conditions)
            parts.append(f"<b>{_('No-penalty item')} {a.item.item_no}："
                         f"{a.item.name}（{EXEMPTION_LABELS[a.item.exemption_kind]}）— "
                         f"{outcome}</b><br/>{conditions}")
        return "<br/>".join(parts)

    def _set_questions(self, kinds: tuple[ConditionKind, ...]) -> None:
        if tuple(list(self._checks) + list(self._numbers)) == kinds:
            return
        old = self.answers()
        while self._grid.count():
            taken = self._grid.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()
        self._checks, self._numbers = {}, {}
        for row, kind in enumerate(kinds):
            if kind in QUANTIFIED:
                self._grid.addWidget(QLabel(_(QUESTIONS[kind]), self.questions), row, 0)
                spin = QDoubleSpinBox(self.questions)
                spin.setRange(0, 100000)
                spin.setValue(float(old.get(kind) or 0))
                spin.valueChanged.connect(lambda _v: self.answers_changed.emit())
                self._grid.addWidget(spin, row, 1)
                self._numbers[kind] = spin
            else:
                box = QCheckBox(_(QUESTIONS[kind]), self.questions)
                box.setChecked(bool(old.get(kind)))
                if kind is ConditionKind.CORRECTED_ON_SPOT:
                    box.toggled.connect(self.corrected_changed.emit)
                else:
                    box.toggled.connect(lambda _v: self.answers_changed.emit())
                self._grid.addWidget(box, row, 0, 1, 2)
                self._checks[kind] = box
