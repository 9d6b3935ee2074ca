"""巡查: record an inspection on the street, tablet in one hand.

Place → subject (type-ahead, or quick creation incl. an unidentified vendor with a photo)
→ violation (search or by domain) → the advice panel → facts, evidence photos (camera or
file), the second officer → confirm. The confirm button and what was recorded stay in a
fixed bar under the form, never scrolled away; after recording, the bar offers exactly
the documents of that finding, and forgets them as soon as another subject or violation
is chosen. Each officer's unfinished form is kept when another officer logs in on the
same device, and comes back when they log in again.

Longer than 500 lines on purpose: the page is the officer's whole street workflow, one
form whose parts clear each other (another subject clears the last one's buttons); its
panels already live in their own modules (search box, advice, outcome, photos).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from fieldapp.domain.document_kinds import TITLES, DocumentKind
from fieldapp.domain.entities import (
    EvidenceData,
    EvidenceType,
    FindingData,
    InspectionData,
    StepKind,
    SubjectData,
    SubjectKind,
)
from fieldapp.domain.localtime import to_local
from fieldapp.domain.no_penalty import RequiredMeasure
from fieldapp.i18n import N_, _, describe
from fieldapp.services.context import ServiceContext
from fieldapp.services.inspections import (
    CapturedPhoto,
    FindingOutcome,
    RecordedInspection,
    check_unchanged,
    finding_outcome,
    record_inspection,
)
from fieldapp.services.paperwork import available_layouts, issue_document, reprint_document
from fieldapp.services.rules import Advice, advise, violation_types
from fieldapp.services.staff import GridView, list_grids, list_officers
from fieldapp.services.subjects import create_subject
from fieldapp.ui.advice_panel import AdvicePanel
from fieldapp.ui.outcome_panel import OutcomePanel
from fieldapp.ui.pages.base import Page
from fieldapp.ui.pages.subjects import SearchBox
from fieldapp.ui.photo_strip import PhotoStrip, photo_dialog
from fieldapp.ui.printing import print_pages, rasterise
from fieldapp.ui.qt import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldapp.ui.session import AppState

_ID = Qt.ItemDataRole.UserRole
STEP_CHOICES = ((None, N_("as advised")), (StepKind.EDUCATE, N_("educate")),
                (StepKind.WARN, N_("warn")), (StepKind.ENFORCE, N_("enforce")))
SEARCH_RESULT_ROWS = 5  # a result list shows at least five subjects
VIOLATION_LIST_PX = 220


@dataclass
class Draft:
    """An officer's unfinished inspection (kept across officer switches)."""

    grid_id: str = ""
    address: str = ""
    subject_id: str = ""
    subject_title: str = ""
    violation_code: str = ""
    facts: str = ""
    corrected: bool = False
    photos: list[CapturedPhoto] = field(default_factory=list)
    second_officer: str = ""


@dataclass(frozen=True)
class _Lists:
    grids: list[GridView]
    violations: list[tuple[str, str, str]]  # code, name, domain
    officers: list[tuple[str, str, str, str]]  # id, name, certificate, squad id


@dataclass(frozen=True)
class Recorded:
    """A recording and what it came to; ``changed`` reaches the other pages."""

    inspection: RecordedInspection
    outcome: FindingOutcome | None
    changed: frozenset[str]


def _load_lists(ctx: ServiceContext) -> _Lists:
    return _Lists(list_grids(ctx=ctx),
                  [(v.code, v.name, v.domain) for v in violation_types(ctx=ctx)],
                  [(o.id, o.name, o.certificate_no, o.squad_id)
                   for o in list_officers(ctx=ctx) if o.role != "auxiliary" and o.active])


def _outcome_flags(advice: Advice | None) -> dict[str, bool]:
    """What of the advice at recording time decides the finding's documents."""
    if advice is None:
        return {}
    commitment = any(a.applies and a.item.required_measure is RequiredMeasure.COMMITMENT
                     for a in advice.items)
    return {"no_penalty_commitment": commitment, "summary_possible": advice.summary_possible}


class InspectionPage(Page):
    key = "inspection"
    title = N_("Inspection")
    document_issued = Signal(str)  # document id: "open" shows it on the documents page

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.drafts: dict[str, Draft] = {}
        self._draft_owner: str | None = None
        self.lists: _Lists | None = None
        self.subject_id = ""
        self.last_recorded: RecordedInspection | None = None
        self.issued_number: str | None = None
        self._build()
        self._connect()

    # --- building --------------------------------------------------------------------

    def _build(self) -> None:
        # Two columns. On the left, everything the officer fills in, top to bottom; on
        # the right the advice, scrolling on its own (it grows: nothing else moves), above
        # a bar that never scrolls: confirm, and what was recorded.
        left = QWidget(self)
        col = QVBoxLayout(left)
        col.addWidget(self._place_box(left))
        col.addWidget(self._subject_box(left))
        col.addWidget(self._violation_box(left))
        col.addWidget(self._finish_box(left))
        col.addStretch(1)
        self.advice_panel = AdvicePanel(self)
        self.form_scroll = _scrolled(left, self)
        self.advice_scroll = _scrolled(self.advice_panel, self)
        right = QWidget(self)
        right_col = QVBoxLayout(right)
        right_col.setContentsMargins(0, 0, 0, 0)
        right_col.addWidget(self.advice_scroll, 1)
        right_col.addWidget(self._action_bar(right))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form_scroll, 1)
        layout.addWidget(right, 1)

    def _place_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(_("Place"), parent)
        self.grid = QComboBox(box)
        self.address = QLineEdit(box)
        self.address.setPlaceholderText(_("address or landmark"))
        self.coords = QLineEdit(box)
        self.coords.setPlaceholderText(_("optional: latitude, longitude (e.g. 39.915, 116.404)"))
        form = QFormLayout(box)
        form.addRow(_("Grid"), self.grid)
        form.addRow(_("address"), self.address)
        form.addRow(_("Coordinates"), self.coords)
        return box

    def _subject_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(_("Subject"), parent)
        self.search = SearchBox(self.state, box)
        self.search.show_rows(SEARCH_RESULT_ROWS, fixed=True)
        self.chosen = QLabel(_("No subject chosen."), box)
        self.chosen.setProperty("role", "subheading")
        self.new_kind = QComboBox(box)
        for kind in SubjectKind:
            self.new_kind.addItem(_(kind.value), kind.value)
        self.new_name = QLineEdit(box)
        self.new_name.setPlaceholderText(_("name, or shop sign"))
        self.new_goods = QLineEdit(box)
        self.new_goods.setPlaceholderText(_("goods (vendor)"))
        self.new_look = QLineEdit(box)
        self.new_look.setPlaceholderText(_("appearance (vendor)"))
        self.create_button = QPushButton(_("New subject"), box)
        self.new_photo_button = QPushButton(_("Photo…"), box)
        self.new_photo: str | None = None
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        row1.addWidget(self.new_kind)
        row1.addWidget(self.new_name, 1)
        row2.addWidget(self.new_goods)
        row2.addWidget(self.new_look)
        row2.addWidget(self.new_photo_button)
        row2.addWidget(self.create_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.search)
        layout.addWidget(self.chosen)
        layout.addLayout(row1)
        layout.addLayout(row2)
        return box

    def _violation_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(_("Violation type"), parent)
        self.domain = QComboBox(box)
        self.violation_filter = QLineEdit(box)
        self.violation_filter.setPlaceholderText(_("search the violation catalogue"))
        self.violations = QListWidget(box)
        self.violations.setFixedHeight(VIOLATION_LIST_PX)  # scrolls inside: no jump
        top = QHBoxLayout()
        top.addWidget(self.domain)
        top.addWidget(self.violation_filter, 1)
        layout = QVBoxLayout(box)
        layout.addLayout(top)
        layout.addWidget(self.violations)
        return box

    def _finish_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(_("Record"), parent)
        self.facts = QPlainTextEdit(box)
        self.facts.setPlaceholderText(_("what was found"))
        self.facts.setFixedHeight(90)
        self.corrected = QCheckBox(_("corrected on the spot"), box)
        self.step_choice = QComboBox(box)
        for step, label in STEP_CHOICES:
            self.step_choice.addItem(_(label), step.value if step else "")
        self.override_reason = QLineEdit(box)
        self.override_reason.setPlaceholderText(
            _("why another step than the advised one is taken"))
        self.second = QComboBox(box)
        self.photo_strip = PhotoStrip(self.state, box)
        form = QFormLayout(box)
        form.addRow(_("facts"), self.facts)
        form.addRow("", self.corrected)
        form.addRow(_("step taken"), self.step_choice)
        form.addRow(_("override reason"), self.override_reason)
        form.addRow(_("Second officer"), self.second)
        form.addRow(_("Evidence photos"), self.photo_strip)
        return box

    def _action_bar(self, parent: QWidget) -> QFrame:
        bar = QFrame(parent)
        bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.confirm = QPushButton(_("Confirm and record"), bar)
        self.confirm.setProperty("role", "primary")
        self.layout_choice = QComboBox(bar)
        self.layout_choice.addItem(_("A4"), "a4")
        self.layout_choice.addItem(_("80 mm receipt printer"), "receipt")
        self.outcome_panel = OutcomePanel(bar)
        self.message = self.outcome_panel.message
        row = QHBoxLayout()
        row.addWidget(self.confirm, 1)
        row.addWidget(QLabel(_("Paper"), bar))
        row.addWidget(self.layout_choice)
        layout = QVBoxLayout(bar)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(row)
        layout.addWidget(self.outcome_panel)
        return bar

    def _connect(self) -> None:
        self.search.results.currentItemChanged.connect(self._subject_chosen)
        self.create_button.clicked.connect(self.create_new_subject)
        self.new_photo_button.clicked.connect(self._pick_subject_photo)
        self.domain.currentIndexChanged.connect(lambda _i: self._fill_violations())
        self.violation_filter.textChanged.connect(lambda _t: self._fill_violations())
        self.violations.currentItemChanged.connect(lambda _i, _p: self._violation_chosen())
        self.advice_panel.answers_changed.connect(self.refresh_advice)
        # One state: the form's box and the advice's question show the same answer.
        self.corrected.toggled.connect(self._corrected_changed)
        self.advice_panel.corrected_changed.connect(self.corrected.setChecked)
        self.confirm.clicked.connect(self.record)
        self.outcome_panel.issue_requested.connect(self.issue)
        self.outcome_panel.open_requested.connect(self.document_issued.emit)
        self.outcome_panel.reprint_requested.connect(self.reprint)

    # --- page events -----------------------------------------------------------------

    def context_ready(self) -> None:
        ctx = self.state.ctx
        if ctx is not None:
            self.state.worker.run(lambda: _load_lists(ctx), self._lists_loaded)

    def user_changed(self) -> None:
        if self._draft_owner is not None:
            self.drafts[self._draft_owner] = self.draft()
        user = self.state.user
        self._draft_owner = user.officer_id if user else None
        self.restore(self.drafts.pop(user.officer_id, Draft()) if user else Draft())
        self._fill_officers()

    def _lists_loaded(self, lists: _Lists) -> None:
        self.lists = lists
        self.grid.clear()
        for g in lists.grids:
            self.grid.addItem(f"{g.name}（{g.code}）", g.id)
        self.domain.clear()
        self.domain.addItem(_("All domains"), "")
        for name in sorted({v[2] for v in lists.violations}):
            self.domain.addItem(name, name)
        self._fill_violations()
        self._fill_officers()

    def _fill_officers(self) -> None:
        self.second.clear()
        user = self.state.user
        if self.lists is None or user is None:
            return
        for oid, name, cert, squad in self.lists.officers:
            if oid != user.officer_id and squad == user.squad_id:
                self.second.addItem(f"{name}（{cert}）", oid)

    def _fill_violations(self) -> None:
        if self.lists is None:
            return
        keep = self.violation_code()
        domain, text = self.domain.currentData(), self.violation_filter.text().strip()
        self.violations.blockSignals(True)
        self.violations.clear()
        for code, name, dom in self.lists.violations:
            if (domain and dom != domain) or (text and text not in name and text not in code):
                continue
            item = QListWidgetItem(f"{name}\n{code} · {dom}")
            item.setData(_ID, code)
            self.violations.addItem(item)
            if code == keep:
                self.violations.setCurrentItem(item)
        self.violations.blockSignals(False)

    # --- the form --------------------------------------------------------------------

    def violation_code(self) -> str:
        item = self.violations.currentItem()
        return str(item.data(_ID)) if item is not None else ""

    def choose_subject(self, subject_id: str, title: str) -> None:
        if subject_id != self.subject_id:
            self.forget_outcome()
        self.subject_id = subject_id
        self.chosen.setText(_("Subject: {name}", name=title))
        self.refresh_advice()

    def choose_violation(self, code: str) -> None:
        self.domain.setCurrentIndex(0)
        self.violation_filter.clear()
        for row in range(self.violations.count()):
            if self.violations.item(row).data(_ID) == code:
                self.violations.setCurrentRow(row)
                return

    def _violation_chosen(self) -> None:
        outcome = self.outcome_panel.outcome
        if outcome is None or outcome.violation_code != self.violation_code():
            self.forget_outcome()
        self.refresh_advice()

    def forget_outcome(self) -> None:
        """Another subject or violation: nothing of the last finding stays offered."""
        self.last_recorded = None
        self.issued_number = None
        self.outcome_panel.clear()

    def _subject_chosen(self, item: QListWidgetItem | None, _prev: object = None) -> None:
        chosen = self.search.chosen_id(item)
        if chosen is not None and item is not None:
            hit = self.search.hits.get(chosen)
            if hit is not None and hit.place and not self.address.text().strip():
                self.address.setText(hit.place)  # where this subject is usually met
            self.choose_subject(chosen, item.toolTip())

    def _corrected_changed(self, corrected: bool) -> None:
        self.advice_panel.set_corrected(corrected)
        self.refresh_advice()

    def refresh_advice(self) -> None:
        ctx, code, subject = self.state.ctx, self.violation_code(), self.subject_id
        if ctx is None or not code or not subject:
            self.advice_panel.clear()
            return
        answers = self.advice_panel.answers()
        at = to_local(dt.datetime.now(dt.UTC))
        self.state.worker.run(
            lambda: advise(ctx=ctx, subject_id=subject, violation_code=code, at=at,
                           answers=answers), self._advice_ready, key="advice")

    def _advice_ready(self, advice: Advice) -> None:
        if advice.subject_id == self.subject_id and advice.violation_code == self.violation_code():
            self.advice_panel.show_advice(advice)

    def create_new_subject(self) -> None:
        ctx, user = self.state.ctx, self.state.user
        if ctx is None:
            return
        kind = SubjectKind(self.new_kind.currentData())
        name = self.new_name.text().strip()
        data = SubjectData(
            kind=kind, name=name if kind is not SubjectKind.INDIVIDUAL_BUSINESS else "",
            shop_sign=name if kind is SubjectKind.INDIVIDUAL_BUSINESS else "",
            goods=self.new_goods.text().strip(), appearance=self.new_look.text().strip(),
            usual_place=self.address.text().strip(), grid_id=self.grid.currentData())
        officer = user.officer_id if user else ""
        title = name or f"{data.goods} {data.appearance}".strip()
        photo = Path(self.new_photo) if self.new_photo else None
        self.state.worker.run(
            lambda: create_subject(ctx=ctx, officer_id=officer, data=data, photo=photo),
            lambda written: self._created(written.id, title), on_error=self._show_error)

    def _created(self, subject_id: str, title: str) -> None:
        self.new_photo = None
        self.new_photo_button.setText(_("Photo…"))
        self.choose_subject(subject_id, title)

    def _pick_subject_photo(self) -> None:
        dialog = photo_dialog(self, _("Photo of the subject"), many=False)
        dialog.fileSelected.connect(self._subject_photo_chosen)
        self.subject_photo_dialog = dialog
        dialog.open()

    def _subject_photo_chosen(self, name: str) -> None:
        self.new_photo = name
        self.new_photo_button.setText(_("Photo ✔"))

    # --- recording -------------------------------------------------------------------

    def record(self) -> None:
        """Validate in the services and record everything in one commit."""
        ctx, user = self.state.ctx, self.state.user
        if ctx is None or user is None:
            self.outcome_panel.show_message(_("Log in first."), True)
            return
        if self.photo_strip.busy():
            self.outcome_panel.show_message(_("Wait: a photo is still being saved."), True)
            return
        try:
            latitude, longitude = _coordinates(self.coords.text())
        except ValueError:
            self.outcome_panel.show_message(
                _("Coordinates: give latitude, longitude, e.g. 39.915, 116.404"), True)
            return
        data = self._inspection_data(user.officer_id, latitude, longitude)
        photos = tuple(self.photo_strip.photos)
        flags = _outcome_flags(self.advice_panel.advice)

        def job() -> Recorded:
            check_unchanged(photos)
            recorded = record_inspection(ctx=ctx, data=data)
            outcome = (finding_outcome(ctx=ctx, finding_id=recorded.finding_ids[0], **flags)
                       if recorded.finding_ids else None)
            return Recorded(recorded, outcome, recorded.changed)

        self.forget_outcome()
        self.confirm.setEnabled(False)
        self.outcome_panel.show_message(_("Recording…"))
        self.state.worker.run(job, self._recorded, on_error=self._show_error)

    def _inspection_data(self, officer_id: str, latitude: float | None,
                         longitude: float | None) -> InspectionData:
        step_value = self.step_choice.currentData()
        at = to_local(dt.datetime.now(dt.UTC))
        place = self.address.text().strip()
        return InspectionData(
            subject_id=self.subject_id,
            officer_ids=(officer_id, str(self.second.currentData() or "")),
            at=at, address=place, grid_id=self.grid.currentData() or None,
            latitude=latitude, longitude=longitude,
            findings=(FindingData(
                violation_code=self.violation_code(), facts=self.facts.toPlainText(),
                corrected_on_spot=self.corrected.isChecked(),
                step=StepKind(step_value) if step_value else None,
                override_reason=self.override_reason.text()),),
            evidence=tuple(EvidenceData(path=str(p.path), evidence_type=EvidenceType.AUDIOVISUAL,
                                        captured_at=to_local(p.captured_at), place=place,
                                        latitude=latitude, longitude=longitude)
                           for p in self.photo_strip.photos))

    def _recorded(self, result: Recorded) -> None:
        self.last_recorded = result.inspection
        self.confirm.setEnabled(True)
        self.outcome_panel.clear()
        if result.outcome is not None:
            self.outcome_panel.show_outcome(result.outcome)
        self.outcome_panel.show_message(_("The inspection is in the subject's history."))
        self.facts.clear()
        self.photo_strip.clear()
        self.override_reason.clear()
        self.step_choice.setCurrentIndex(0)  # an override is for one finding only
        self.corrected.setChecked(False)
        self.refresh_advice()

    def issue(self, kind: DocumentKind) -> None:
        ctx, user, outcome = self.state.ctx, self.state.user, self.outcome_panel.outcome
        if ctx is None or user is None or outcome is None:
            return
        officer, finding = user.officer_id, outcome.finding_id
        layout = str(self.layout_choice.currentData())
        if layout not in available_layouts(kind):
            layout = "a4"
        flags = _outcome_flags(self.advice_panel.advice)

        def job() -> tuple[str, FindingOutcome]:
            issued = issue_document(ctx=ctx, officer_id=officer, kind=kind,
                                    finding_id=finding, layout=layout)
            return issued.number, finding_outcome(ctx=ctx, finding_id=finding, **flags)

        button = self.outcome_panel.issue_buttons.get(kind)
        if button is not None:
            button.setEnabled(False)  # one tap, one document
        self.outcome_panel.show_message(_("Issuing {title}…", title=TITLES[kind]))
        self.state.worker.run(job, self._issued, on_error=self._show_error)

    def _issued(self, result: tuple[str, FindingOutcome]) -> None:
        number, outcome = result
        if self.outcome_panel.outcome is None or \
                self.outcome_panel.outcome.finding_id != outcome.finding_id:
            return  # the officer moved on meanwhile
        self.issued_number = number
        self.outcome_panel.show_outcome(outcome)
        self.outcome_panel.show_message(_("Document issued: {number}", number=number))

    def reprint(self, document_id: str) -> None:
        ctx = self.state.ctx
        if ctx is not None:
            self.state.worker.run(
                lambda: rasterise(reprint_document(ctx=ctx, document_id=document_id), dpi=200),
                lambda pages: print_pages(pages, self), on_error=self._show_error)

    def _show_error(self, error: BaseException) -> None:
        self.confirm.setEnabled(True)
        for button in self.outcome_panel.issue_buttons.values():
            button.setEnabled(True)
        self.outcome_panel.show_message(describe(error), True)

    @property
    def issue_button_by_kind(self) -> dict[DocumentKind, QPushButton]:
        return self.outcome_panel.issue_buttons

    # --- drafts ----------------------------------------------------------------------

    def draft(self) -> Draft:
        return Draft(self.grid.currentData() or "", self.address.text(), self.subject_id,
                     self.chosen.text(), self.violation_code(), self.facts.toPlainText(),
                     self.corrected.isChecked(), list(self.photo_strip.photos),
                     str(self.second.currentData() or ""))

    def restore(self, draft: Draft) -> None:
        self.forget_outcome()
        self.address.setText(draft.address)
        index = self.grid.findData(draft.grid_id)
        if index >= 0:
            self.grid.setCurrentIndex(index)
        self.subject_id = draft.subject_id
        self.chosen.setText(draft.subject_title or _("No subject chosen."))
        self.facts.setPlainText(draft.facts)
        self.corrected.setChecked(draft.corrected)
        self.photo_strip.set_photos(draft.photos)
        if draft.violation_code:
            self.choose_violation(draft.violation_code)
        else:
            self.violations.setCurrentRow(-1)
        self.refresh_advice()


def _scrolled(widget: QWidget, parent: QWidget) -> QScrollArea:
    scroll = QScrollArea(parent)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(widget)
    return scroll


def _coordinates(text: str) -> tuple[float | None, float | None]:
    """"39.915, 116.404" → (39.915, 116.404); empty → no coordinates."""
    if not text.strip():
        return None, None
    parts = [p for p in text.replace("，", ",").replace(" ", ",").split(",") if p]
    if len(parts) != 2:
        raise ValueError(text)
    latitude, longitude = float(parts[0]), float(parts[1])
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError(text)
    return latitude, longitude
