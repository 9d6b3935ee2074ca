"""巡查: record an inspection on the street, tablet in one hand.

Place → subject (type-ahead, or quick creation incl. an unidentified vendor with a photo)
→ violation (search or by domain) → the advice panel → facts, evidence photos, the
second officer → confirm. Each officer's unfinished form is kept when another officer
logs in on the same device, and comes back when they log in again.
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
from fieldapp.i18n import N_, _, describe
from fieldapp.services.inspections import RecordedInspection, record_inspection
from fieldapp.services.paperwork import IssuedDocument, available_layouts, issue_document
from fieldapp.services.rules import Advice, advise, violation_types
from fieldapp.services.staff import GridView, list_grids, list_officers
from fieldapp.services.subjects import create_subject
from fieldapp.ui.advice_panel import AdvicePanel
from fieldapp.ui.pages.base import Page
from fieldapp.ui.pages.subjects import SearchBox
from fieldapp.ui.qt import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
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
# Issued from the case once it is filed, not from the finding on the street.
CASE_DOCUMENTS = frozenset({DocumentKind.FILING_APPROVAL, DocumentKind.INSPECTION_RECORD,
                            DocumentKind.ON_SPOT_DECISION})
STEP_CHOICES = ((None, N_("as advised")), (StepKind.EDUCATE, N_("educate")),
                (StepKind.WARN, N_("warn")), (StepKind.ENFORCE, N_("enforce")))


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
    photos: list[str] = field(default_factory=list)
    second_officer: str = ""


@dataclass(frozen=True)
class _Lists:
    grids: list[GridView]
    violations: list[tuple[str, str, str]]  # code, name, domain
    officers: list[tuple[str, str, str, str]]  # id, name, certificate, squad id


def _load_lists(state: AppState) -> _Lists:
    ctx = state.ctx
    assert ctx is not None
    return _Lists(list_grids(ctx=ctx),
                  [(v.code, v.name, v.domain) for v in violation_types(ctx=ctx)],
                  [(o.id, o.name, o.certificate_no, o.squad_id)
                   for o in list_officers(ctx=ctx) if o.role != "auxiliary" and o.active])


class InspectionPage(Page):
    key = "inspection"
    title = N_("Inspection")
    document_issued = Signal(str)  # document id

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.drafts: dict[str, Draft] = {}
        self._draft_owner: str | None = None
        self.lists: _Lists | None = None
        self.subject_id = ""
        self.photos: list[str] = []
        self.last_recorded: RecordedInspection | None = None
        self._build()
        self._connect()

    # --- building --------------------------------------------------------------------

    def _build(self) -> None:
        # Two columns: what is being recorded on the left, the advice and the
        # confirmation on the right, so the advice is in view as soon as it exists.
        left, right = QWidget(self), QWidget(self)
        col = QVBoxLayout(left)
        col.addWidget(self._place_box(left))
        col.addWidget(self._subject_box(left))
        col.addWidget(self._violation_box(left), 1)
        col2 = QVBoxLayout(right)
        self.advice_panel = AdvicePanel(right)
        col2.addWidget(self.advice_panel)
        col2.addWidget(self._finish_box(right))
        col2.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((left, 5), (right, 6)):
            scroll = QScrollArea(self)
            scroll.setWidgetResizable(True)
            scroll.setWidget(widget)
            layout.addWidget(scroll, stretch)
        self.finish_scroll = scroll

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
        self.search.results.setMaximumHeight(150)
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
        self.violations.setMinimumHeight(160)
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
        self.facts.setMaximumHeight(90)
        self.corrected = QCheckBox(_("corrected on the spot"), box)
        self.step_choice = QComboBox(box)
        for step, label in STEP_CHOICES:
            self.step_choice.addItem(_(label), step.value if step else "")
        self.override_reason = QLineEdit(box)
        self.override_reason.setPlaceholderText(
            _("why another step than the advised one is taken"))
        self.second = QComboBox(box)
        self.photo_button = QPushButton(_("Add photos…"), box)
        self.photo_list = QLabel(box)
        self.photo_list.setWordWrap(True)
        self.confirm = QPushButton(_("Confirm and record"), box)
        self.confirm.setProperty("role", "primary")
        self.message = QLabel(box)
        self.message.setWordWrap(True)
        self.layout_choice = QComboBox(box)
        self.layout_choice.addItem(_("A4"), "a4")
        self.layout_choice.addItem(_("80 mm receipt printer"), "receipt")
        self.issue_buttons = QWidget(box)
        self.issue_layout = QHBoxLayout(self.issue_buttons)
        self.issue_layout.setContentsMargins(0, 0, 0, 0)
        self.issued: IssuedDocument | None = None
        form = QFormLayout(box)
        form.addRow(_("facts"), self.facts)
        form.addRow("", self.corrected)
        form.addRow(_("step taken"), self.step_choice)
        form.addRow(_("override reason"), self.override_reason)
        form.addRow(_("Second officer"), self.second)
        form.addRow(self.photo_button, self.photo_list)
        form.addRow(self.confirm)
        form.addRow(self.message)
        form.addRow(_("Paper"), self.layout_choice)
        form.addRow(self.issue_buttons)
        return box

    def _connect(self) -> None:
        self.search.results.currentItemChanged.connect(self._subject_chosen)
        self.create_button.clicked.connect(self.create_new_subject)
        self.new_photo_button.clicked.connect(self._pick_subject_photo)
        self.domain.currentIndexChanged.connect(lambda _i: self._fill_violations())
        self.violation_filter.textChanged.connect(lambda _t: self._fill_violations())
        self.violations.currentItemChanged.connect(lambda _i, _p: self.refresh_advice())
        self.advice_panel.answers_changed.connect(self.refresh_advice)
        self.corrected.toggled.connect(self.advice_panel.set_corrected)
        self.photo_button.clicked.connect(self.pick_photos)
        self.confirm.clicked.connect(self.record)

    # --- page events -----------------------------------------------------------------

    def context_ready(self) -> None:
        self.state.worker.run(lambda: _load_lists(self.state), self._lists_loaded)

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

    def _subject_chosen(self, item: QListWidgetItem | None, _prev: object = None) -> None:
        chosen = self.search.chosen_id(item)
        if chosen is not None and item is not None:
            hit = self.search.hits.get(chosen)
            if hit is not None and hit.place and not self.address.text().strip():
                self.address.setText(hit.place)  # where this subject is usually met
            self.choose_subject(chosen, item.toolTip())

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
        name, _f = QFileDialog.getOpenFileName(self, _("Photo of the subject"), "",
                                               _("Images (*.jpg *.jpeg *.png)"))
        if name:
            self.new_photo = name
            self.new_photo_button.setText(_("Photo ✔"))

    def pick_photos(self) -> None:
        files, _filter = QFileDialog.getOpenFileNames(
            self, _("Evidence photos"), "", _("Images (*.jpg *.jpeg *.png)"))
        self.add_photos(files)

    def add_photos(self, paths: list[str]) -> None:
        self.photos.extend(p for p in paths if p not in self.photos)
        self.photo_list.setText("\n".join(Path(p).name for p in self.photos))

    def record(self) -> None:
        """Validate in the services and record everything in one commit."""
        ctx, user = self.state.ctx, self.state.user
        if ctx is None or user is None:
            self.message.setText(_("Log in first."))
            return
        step_value = self.step_choice.currentData()
        at = to_local(dt.datetime.now(dt.UTC))
        try:
            latitude, longitude = _coordinates(self.coords.text())
        except ValueError:
            self.message.setText(_("Coordinates: give latitude, longitude, e.g. 39.915, 116.404"))
            return
        data = InspectionData(
            subject_id=self.subject_id, officer_ids=(user.officer_id,
                                                     str(self.second.currentData() or "")),
            at=at, address=self.address.text().strip(),
            grid_id=self.grid.currentData() or None, latitude=latitude, longitude=longitude,
            findings=(FindingData(
                violation_code=self.violation_code(), facts=self.facts.toPlainText(),
                corrected_on_spot=self.corrected.isChecked(),
                step=StepKind(step_value) if step_value else None,
                override_reason=self.override_reason.text()),),
            evidence=tuple(EvidenceData(path=p, evidence_type=EvidenceType.AUDIOVISUAL,
                                        captured_at=at, place=self.address.text().strip())
                           for p in self.photos))
        self.confirm.setEnabled(False)
        self.message.setText(_("Recording…"))
        self.state.worker.run(lambda: record_inspection(ctx=ctx, data=data), self._recorded,
                              on_error=self._show_error)

    def _recorded(self, recorded: RecordedInspection) -> None:
        self.last_recorded = recorded
        self.confirm.setEnabled(True)
        advice = self.advice_panel.advice
        self._offer_documents(advice.documents if advice else ())
        step = _(advice.step.value) if advice else ""
        self.message.setText(_("Recorded: {step}. The inspection is in the subject's history.",
                               step=step))
        self.facts.clear()
        self.photos.clear()
        self.photo_list.clear()
        self.override_reason.clear()
        self.refresh_advice()

    def _offer_documents(self, kinds: tuple[DocumentKind, ...]) -> None:
        """After recording: one button per document the step calls for."""
        while self.issue_layout.count():
            item = self.issue_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.issue_button_by_kind: dict[DocumentKind, QPushButton] = {}
        for kind in kinds:
            if kind in CASE_DOCUMENTS:
                continue  # issued from the case, once it is filed
            button = QPushButton(_("Issue {title}", title=TITLES[kind]), self.issue_buttons)
            button.clicked.connect(lambda _c=False, k=kind: self.issue(k))
            self.issue_layout.addWidget(button)
            self.issue_button_by_kind[kind] = button

    def issue(self, kind: DocumentKind) -> None:
        ctx, user, recorded = self.state.ctx, self.state.user, self.last_recorded
        if ctx is None or user is None or recorded is None or not recorded.finding_ids:
            return
        officer, finding = user.officer_id, recorded.finding_ids[0]
        layout = str(self.layout_choice.currentData())
        if layout not in available_layouts(kind):
            layout = "a4"
        self.message.setText(_("Issuing {title}…", title=TITLES[kind]))
        self.state.worker.run(
            lambda: issue_document(ctx=ctx, officer_id=officer, kind=kind, finding_id=finding,
                                   layout=layout), self._issued, on_error=self._show_error)

    def _issued(self, issued: IssuedDocument) -> None:
        self.issued = issued
        self.message.setText(_("Document issued: {number}, PDF: {path}", number=issued.number,
                               path=issued.pdf_path))
        self.document_issued.emit(issued.id)

    def _show_error(self, error: BaseException) -> None:
        self.confirm.setEnabled(True)
        self.message.setText(describe(error))

    # --- drafts ----------------------------------------------------------------------

    def draft(self) -> Draft:
        return Draft(self.grid.currentData() or "", self.address.text(), self.subject_id,
                     self.chosen.text(), self.violation_code(), self.facts.toPlainText(),
                     self.corrected.isChecked(), list(self.photos),
                     str(self.second.currentData() or ""))

    def restore(self, draft: Draft) -> None:
        self.address.setText(draft.address)
        index = self.grid.findData(draft.grid_id)
        if index >= 0:
            self.grid.setCurrentIndex(index)
        self.subject_id = draft.subject_id
        self.chosen.setText(draft.subject_title or _("No subject chosen."))
        self.facts.setPlainText(draft.facts)
        self.corrected.setChecked(draft.corrected)
        self.photos = list(draft.photos)
        self.photo_list.setText("\n".join(Path(p).name for p in self.photos))
        if draft.violation_code:
            self.choose_violation(draft.violation_code)
        else:
            self.violations.setCurrentRow(-1)
        self.refresh_advice()



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
