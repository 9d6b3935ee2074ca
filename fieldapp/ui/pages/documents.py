"""文书: the documents issued on this device, a preview of their pages, reprint (save as
PDF), print, and void with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fieldapp.domain.changes import ChangeKind as K
from fieldapp.domain.changes import OpChanges
from fieldapp.domain.localtime import agency_zone
from fieldapp.i18n import N_, _, describe
from fieldapp.services.context import ServiceContext
from fieldapp.services.paperwork import (
    DocumentView,
    list_documents,
    reprint_document,
    void_document,
)
from fieldapp.services.subjects import display_name, get_subject
from fieldapp.ui.pages.base import Page
from fieldapp.ui.printing import PageImage, print_pages, rasterise, save_pdf, to_qimage
from fieldapp.ui.qt import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPixmap,
    QPushButton,
    QScrollArea,
    QSplitter,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from fieldapp.ui.session import AppState
from fieldapp.ui.widgets import save_dialog, suggested_file


@dataclass(frozen=True)
class Preview:
    document_id: str
    pdf: bytes
    pages: list[PageImage]


class DocumentsPage(Page):
    key = "documents"
    title = N_("Documents")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.documents: list[DocumentView] = []
        self.preview: Preview | None = None
        self._wanted: str | None = None
        self.parties: dict[str, str] = {}
        self.save_dialog: QFileDialog | None = None
        self.void_dialog: QInputDialog | None = None
        self.table = QTableWidget(0, 5, self)
        self.table.setHorizontalHeaderLabels(
            [_("Issued"), _("Document"), _("Document number"), _("Layout"), _("State")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        # Every column as wide as its content; a narrow screen scrolls sideways rather
        # than cut a title to a few characters.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.pages = QWidget(self)
        self.pages_layout = QVBoxLayout(self.pages)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.pages)
        self.save_button = QPushButton(_("Save as PDF…"), self)
        self.print_button = QPushButton(_("Print…"), self)
        self.void_button = QPushButton(_("Void…"), self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.save_button, self.print_button, self.void_button):
            buttons.addWidget(b)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.addLayout(buttons)
        right_layout.addWidget(self.message)
        right_layout.addWidget(scroll, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(right)
        splitter.setSizes([560, 600])
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)
        self.table.itemSelectionChanged.connect(self._selected)
        self.save_button.clicked.connect(lambda: self.save_as())
        self.print_button.clicked.connect(self.print_current)
        self.void_button.clicked.connect(lambda: self.void_current())
        self._enable(False)

    def activate(self) -> None:
        self.reload()

    def records_changed(self, changes: OpChanges) -> None:
        if changes.touches(K.DOCUMENTS):
            self.reload()

    def reload(self) -> None:
        ctx = self.state.ctx
        if ctx is None:
            return
        self.state.worker.run(lambda: _listed(ctx), self._show, key="documents")

    def show_when_listed(self, document_id: str) -> None:
        self._wanted = document_id
        self.reload()

    def _show(self, listed: Listed) -> None:
        documents = listed.documents
        self.documents, self.parties = documents, listed.parties
        self.table.setRowCount(len(documents))
        for row, d in enumerate(documents):
            state = (_("voided") if d.voided_by else _("amended") if d.amended_by
                     else _("served") if d.served else "")
            if d.kind == "void":
                state = _("void record")
            cells = [f"{d.issued_at.astimezone(agency_zone()):%Y-%m-%d %H:%M}", d.title, d.number,
                     _("80 mm") if d.layout == "receipt" else "A4", state]
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        if self._wanted is not None:
            self.select(self._wanted)
            self._wanted = None

    def current(self) -> DocumentView | None:
        row = self.table.currentRow()
        return self.documents[row] if 0 <= row < len(self.documents) else None

    def select(self, document_id: str) -> None:
        for row, d in enumerate(self.documents):
            if d.id == document_id:
                self.table.selectRow(row)
                return

    def _enable(self, on: bool) -> None:
        for b in (self.save_button, self.print_button, self.void_button):
            b.setEnabled(on)

    def _selected(self) -> None:
        doc, ctx = self.current(), self.state.ctx
        self._enable(False)
        if doc is None or ctx is None or doc.kind == "void":
            return
        self.state.worker.run(lambda: _preview(ctx, doc.id), self._show_preview,
                              on_error=self._error, key="preview")

    def _show_preview(self, preview: Preview) -> None:
        self.preview = preview
        while self.pages_layout.count():
            item = self.pages_layout.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()  # type: ignore[union-attr]
        for page in preview.pages:
            label = QLabel(self.pages)
            label.setPixmap(QPixmap.fromImage(to_qimage(page)))
            self.pages_layout.addWidget(label)
        doc = self.current()
        self._enable(True)
        self.void_button.setEnabled(doc is not None and not doc.voided_by)

    def save_as(self, path: Path | None = None) -> None:
        """Reprint: the issued PDF, exactly as issued; without ``path``, the save dialog
        suggests 文号 + 当事人 in the documents folder."""
        if self.preview is None:
            return
        if path is None:
            doc = self.current()
            suggested = suggested_file(doc.number if doc else "",
                                       self.parties.get(doc.subject_id or "", "") if doc else "",
                                       suffix=".pdf")
            self.save_dialog = save_dialog(self, _("Save as PDF"), _("PDF files (*.pdf)"),
                                           suggested)
            self.save_dialog.fileSelected.connect(lambda name: self.save_as(Path(name)))
            self.save_dialog.open()
            return
        save_pdf(self.preview.pdf, path)
        self.message.setText(_("Written to {path}.", path=path))

    def print_current(self) -> None:
        if self.preview is None:
            return
        pdf = self.preview.pdf
        self.state.worker.run(lambda: rasterise(pdf, dpi=200),
                              lambda pages: print_pages(pages, self))

    def void_current(self, reason: str | None = None) -> None:
        """Void the chosen document; without ``reason``, one question asks for it,
        naming the document and its 文号 (a void cannot be undone)."""
        doc = self.current()
        if doc is None or self.state.ctx is None or self.state.user is None:
            return
        if reason is not None:
            self._void(doc, reason)
            return
        dialog = QInputDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowTitle(_("Void {number}", number=doc.number))
        dialog.setLabelText(_("Void {title} {number}? Its number is never used again. "
                              "Why is it voided?", title=doc.title, number=doc.number))
        dialog.setOkButtonText(_("Void"))
        dialog.setCancelButtonText(_("Cancel"))
        dialog.textValueSelected.connect(lambda text: self._void(doc, text))
        self.void_dialog = dialog
        dialog.open()

    def _void(self, doc: DocumentView, reason: str) -> None:
        ctx, user = self.state.ctx, self.state.user
        if ctx is None or user is None:
            return
        officer = user.officer_id
        self.state.worker.run(
            lambda: void_document(ctx=ctx, officer_id=officer, document_id=doc.id,
                                  reason=reason),
            lambda _r: self.message.setText(_("Document {number} is voided; its number is "
                                              "never used again.", number=doc.number)),
            on_error=self._error)

    def _error(self, error: BaseException) -> None:
        self.message.setText(describe(error))


@dataclass(frozen=True)
class Listed:
    documents: list[DocumentView]  # the newest first
    parties: dict[str, str]  # subject id → the party's name


def _listed(ctx: ServiceContext) -> Listed:
    documents = list(reversed(list_documents(ctx=ctx)))
    ids = {d.subject_id for d in documents if d.subject_id}
    return Listed(documents, {sid: display_name(get_subject(ctx=ctx, subject_id=sid))
                              for sid in ids})


def _preview(ctx: ServiceContext, document_id: str) -> Preview:
    pdf = reprint_document(ctx=ctx, document_id=document_id)
    return Preview(document_id, pdf, rasterise(pdf))
