"""免罚清单: the no-penalty list in force and its other versions, browsed by domain with
the legal text of each item. Leaders import a new version and see every bad row; a
bureau's list comes in as a draft, and the leader confirms or maps each item it matched
with doubt or not at all, then publishes it; everyone may export a version (CSV, Excel
or JSON).
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path

from fieldapp.domain.changes import ChangeKind as K
from fieldapp.domain.changes import OpChanges
from fieldapp.domain.localtime import agency_zone
from fieldapp.domain.no_penalty import (
    EXEMPTION_LABELS,
    MEASURE_LABELS,
    ImportErrors,
    NoPenaltyItem,
    NoPenaltyList,
    list_in_force,
)
from fieldapp.domain.permissions import Action, may
from fieldapp.i18n import N_, _, describe
from fieldapp.services.context import ServiceContext
from fieldapp.services.rules import (
    ImportResult,
    describe_problems,
    export_list,
    import_list,
    lists,
    map_item,
    publish_list,
)
from fieldapp.ui.guards import ask_once
from fieldapp.ui.pages.base import Page
from fieldapp.ui.qt import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSplitter,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from fieldapp.ui.session import AppState
from fieldapp.ui.subject_view import heading
from fieldapp.ui.widgets import documents_folder, record_table, show_status, suggested_file

TREE_PANEL_PX = 400
VERSION_ROWS_SHOWN = 3  # more versions scroll
ROW_PX = 40
CODES_EDIT_PX = 200
_ITEM_ROLE = Qt.ItemDataRole.UserRole
_EXPORT_FILTERS = {N_("Excel workbook (*.xlsx)"): ".xlsx", N_("CSV file (*.csv)"): ".csv",
                   N_("JSON file (*.json)"): ".json"}


@dataclass(frozen=True)
class Versions:
    """Every stored version and the one in force on ``today``."""

    lists: tuple[NoPenaltyList, ...]
    in_force_id: str | None
    today: dt.date


def load_versions(ctx: ServiceContext) -> Versions:
    today = ctx.now().astimezone(agency_zone()).date()
    found = lists(ctx=ctx)
    current = list_in_force(found, today)
    # The newest first: the one in force, then what was there before.
    return Versions(tuple(reversed(found)), current.id if current else None, today)


def version_state(lst: NoPenaltyList, versions: Versions) -> str:
    if lst.id == versions.in_force_id:
        return _("in force")
    if lst.effective_from > versions.today:
        return _("not yet in force")
    if lst.effective_to is not None and lst.effective_to < versions.today:
        return _("expired")
    return _("superseded")


def list_dates(lst: NoPenaltyList) -> str:
    if lst.effective_to is None:
        return _("from {start}", start=lst.effective_from.isoformat())
    return _("from {start} to {end}", start=lst.effective_from.isoformat(),
             end=lst.effective_to.isoformat())


def item_title(item: NoPenaltyItem) -> str:
    return _("Item {number}: {name}", number=item.item_no, name=item.name)


def item_html(item: NoPenaltyItem) -> str:
    """One item in full: when it applies, its legal text and what the officer must do."""
    kind = item.exemption_kind
    meaning = (_("the law forbids a penalty") if kind.mandatory
               else _("not punishing is at the agency's discretion"))
    conditions = "".join(f"<li>{html.escape(c.text)}</li>" for c in item.conditions)
    rows = [
        (heading(_("domain")), html.escape(item.domain)),
        (heading(_("exemption kind")),
         f"<b>{EXEMPTION_LABELS[kind]}</b>（{html.escape(meaning)}）"),
        (heading(_("conditions")), f"<ol style='margin:0'>{conditions}</ol>"),
        (_("Prohibiting provision"), html.escape(item.prohibiting_provision)),
        (_("Penalty provision"), html.escape(item.penalty_provision)),
        (_("Statutory penalty"), html.escape(item.statutory_penalty)),
        (heading(_("required measure")), f"<b>{MEASURE_LABELS[item.required_measure]}</b>"),
        (heading(_("violation codes")), html.escape("、".join(item.violation_codes))),
        (_("Source"), html.escape(item.source)),
        (heading(_("notes")), html.escape(item.notes)),
    ]
    cells = "".join(
        f"<tr><td style='padding:6px 12px 6px 0; color:gray; white-space:nowrap'>"
        f"{html.escape(label)}</td><td style='padding:6px 0'>{value}</td></tr>"
        for label, value in rows if value)
    return (f"<h3>{html.escape(item_title(item))}</h3>"
            f"<table cellspacing='0'>{cells}</table>")


class ImportErrorsDialog(QDialog):
    """Every bad row and column of a refused file, so it can be fixed in one go."""

    def __init__(self, error: ImportErrors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("The list was not imported"))
        self.setMinimumSize(640, 420)
        summary = QLabel(_("Nothing was imported. Fix these cells and import the file "
                           "again: {summary}", summary=describe(error)), self)
        summary.setWordWrap(True)
        self.problems = QListWidget(self)
        self.problems.addItems(describe_problems(error))
        self.problems.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        buttons.addButton(_("Close"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.problems, 1)
        layout.addWidget(buttons)


# The list details a leader may give when the file lacks them (a bureau's table rarely
# prints its city, issuer or document number): label in the file → metadata key.
_DETAIL_LABELS = {"城市": "city", "发布机关": "issuer", "文号": "doc_no",
                  "清单名称": "title", "生效日期": "effective_from"}


def missing_details(error: BaseException) -> list[str]:
    """The metadata keys a refused import lacked, when those are all that was wrong."""
    if not isinstance(error, ImportErrors) or not error.problems:
        return []
    if any(p.row != 0 or p.column not in _DETAIL_LABELS for p in error.problems):
        return []
    return [_DETAIL_LABELS[p.column] for p in error.problems]


class ListDetailsDialog(QDialog):
    """The details a bureau's sheet does not print, asked once before importing again."""

    def __init__(self, path: Path, keys: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Import a no-penalty list"))
        intro = QLabel(_("{file} does not say its list's {details}: give them to import "
                         "it.", file=path.name, details="、".join(
                             label for label, key in _DETAIL_LABELS.items() if key in keys)),
                       self)
        intro.setWordWrap(True)
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        for label, key in _DETAIL_LABELS.items():
            if key in keys or key == "doc_no":
                edit = QLineEdit(self)
                form.addRow(label, edit)
                self.edits[key] = edit
        buttons = QDialogButtonBox(self)
        buttons.addButton(_("Import"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def details(self) -> dict[str, str]:
        return {key: edit.text().strip() for key, edit in self.edits.items()
                if edit.text().strip()}


class NoPenaltyPage(Page):
    key = "nopenalty"
    # Not "No-penalty list": the glossary makes that 轻微违法行为免罚清单, too long for
    # the navigation; the page heading shows the list's full title.
    title = N_("No-penalty")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.versions: Versions | None = None
        self.shown: NoPenaltyList | None = None
        self.file_dialog: QFileDialog | None = None
        self.errors_dialog: ImportErrorsDialog | None = None
        self.details_dialog: ListDetailsDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self._select_after_reload: str | None = None  # a list just imported
        self._build()
        self._connect()
        self.user_changed()

    # building
    def _build(self) -> None:
        self.heading = QLabel(self)
        self.heading.setProperty("role", "heading")
        self.heading.setWordWrap(True)
        self.details = QLabel(self)
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.import_button = QPushButton(_("Import new list…"), self)
        self.export_button = QPushButton(_("Export…"), self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        top = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.heading)
        titles.addWidget(self.details)
        top.addLayout(titles, 1)
        top.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)
        self.version_table = self._build_versions()
        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.item_view = QTextEdit(self)
        self.item_view.setReadOnly(True)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.item_view)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([TREE_PANEL_PX, 1280 - TREE_PANEL_PX])
        splitter.setChildrenCollapsible(False)
        self.review_bar = self._build_review()
        versions_title = QLabel(_("Versions"), self)
        versions_title.setProperty("role", "subheading")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(versions_title)
        layout.addWidget(self.version_table)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.review_bar)

    def _build_review(self) -> QWidget:
        """A draft's review: the chosen item's violation codes, confirmed or changed,
        and the list published once every item is confirmed."""
        bar = QWidget(self)
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 4, 0, 0)
        self.review_state = QLabel(bar)
        self.review_state.setWordWrap(True)
        self.codes_edit = QLineEdit(bar)
        self.codes_edit.setPlaceholderText(_("violation codes, e.g. SZ01 SZ03"))
        self.codes_edit.setMinimumWidth(CODES_EDIT_PX)
        self.map_button = QPushButton(_("Confirm the match"), bar)
        self.publish_button = QPushButton(_("Publish the list"), bar)
        row.addWidget(self.review_state, 1)
        row.addWidget(QLabel(_("violation codes"), bar))
        row.addWidget(self.codes_edit)
        row.addWidget(self.map_button)
        row.addWidget(self.publish_button)
        bar.setVisible(False)
        return bar

    def _build_versions(self) -> QTableWidget:
        headers = [heading(_("title")), heading(_("document number")),
                   heading(_("issuer")), _("In force"), _("Items"), _("Status")]
        table = record_table(self, headers, row_px=ROW_PX)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._fit_versions(table, 1)
        return table

    @staticmethod
    def _fit_versions(table: QTableWidget, rows: int) -> None:
        shown = min(max(rows, 1), VERSION_ROWS_SHOWN)
        table.setFixedHeight(table.horizontalHeader().sizeHint().height() + shown * ROW_PX + 4)

    def _connect(self) -> None:
        self.version_table.currentCellChanged.connect(
            lambda row, *_rest: self._show_version(row))
        self.tree.currentItemChanged.connect(lambda item, _prev: self._show_item(item))
        self.import_button.clicked.connect(self.choose_import_file)
        self.export_button.clicked.connect(self.choose_export_file)
        self.map_button.clicked.connect(self.map_current_item)
        self.codes_edit.returnPressed.connect(self.map_current_item)
        self.publish_button.clicked.connect(self.publish_shown)

    # what the window tells us
    def context_ready(self) -> None:
        self.reload()

    def user_changed(self) -> None:
        user = self.state.user
        self.import_button.setVisible(user is not None and may(user.role, Action.IMPORT_LIST))
        self._show_review()

    def records_changed(self, changes: OpChanges) -> None:
        if changes.touches(K.LISTS):
            self.reload()

    # showing
    def reload(self) -> None:
        ctx = self.state.ctx
        if ctx is not None:
            self.state.worker.run(lambda: load_versions(ctx), self.show_versions,
                                  key=f"no-penalty-{id(self)}")

    def show_versions(self, versions: Versions) -> None:
        keep = self._select_after_reload or (self.shown.id if self.shown
                                             else versions.in_force_id)
        self._select_after_reload = None
        self.versions = versions
        current = next((lst for lst in versions.lists if lst.id == versions.in_force_id),
                       None)
        if current is None:
            self.heading.setText(_("No no-penalty list is in force today."))
            self.details.clear()
        else:
            self.heading.setText(current.title)
            self.details.setText(" · ".join(
                part for part in (current.doc_no, current.issuer, list_dates(current),
                                  _("{count} items", count=len(current.items))) if part))
        table = self.version_table
        table.blockSignals(True)
        table.setRowCount(len(versions.lists))
        self._fit_versions(table, len(versions.lists))
        for row, lst in enumerate(versions.lists):
            cells = (lst.title, lst.doc_no, lst.issuer, list_dates(lst), str(len(lst.items)),
                     version_state(lst, versions))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, column, item)
        table.blockSignals(False)
        rows = [lst.id for lst in versions.lists]
        if rows:
            wanted = rows.index(keep) if keep in rows else 0
            if table.currentRow() == wanted:  # no signal: show the reloaded version
                self._show_version(wanted)
            else:
                table.setCurrentCell(wanted, 0)
        self.export_button.setEnabled(bool(rows))

    def _show_version(self, row: int) -> None:
        if self.versions is None or not 0 <= row < len(self.versions.lists):
            return
        lst = self.versions.lists[row]
        self.shown = lst
        self.tree.clear()
        for domain in lst.domains:
            items = [item for item in lst.items if item.domain == domain]
            branch = QTreeWidgetItem([f"{domain}（{len(items)}）"])
            branch.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for item in items:
                mark = "" if item.match_state == "confirmed" else "？"
                leaf = QTreeWidgetItem([f"{mark}{item.item_no}. {item.name}"])
                leaf.setData(0, _ITEM_ROLE, item.item_no)
                leaf.setToolTip(0, f"{item.name} · {EXEMPTION_LABELS[item.exemption_kind]}")
                branch.addChild(leaf)
            self.tree.addTopLevelItem(branch)
        self.tree.expandAll()
        first = self.tree.topLevelItem(0)
        if first is not None and first.childCount():
            self.tree.setCurrentItem(first.child(0))
        else:
            self.item_view.clear()
        self._show_review()

    def _show_item(self, leaf: QTreeWidgetItem | None) -> None:
        number = leaf.data(0, _ITEM_ROLE) if leaf is not None else None
        item = next((i for i in self.shown.items if i.item_no == number),
                    None) if self.shown else None
        if item is not None:
            self.item_view.setHtml(item_html(item))
            self.codes_edit.setText(" ".join(item.violation_codes))

    def current_item(self) -> NoPenaltyItem | None:
        leaf = self.tree.currentItem()
        number = leaf.data(0, _ITEM_ROLE) if leaf is not None else None
        return next((i for i in self.shown.items if i.item_no == number),
                    None) if self.shown else None

    def _show_review(self) -> None:
        user, lst = self.state.user, self.shown
        draft = lst is not None and lst.status == "draft"
        allowed = user is not None and may(user.role, Action.IMPORT_LIST)
        self.review_bar.setVisible(draft and allowed)
        if not draft or lst is None:
            return
        waiting = [i.item_no for i in lst.items if i.match_state != "confirmed"]
        self.review_state.setText(
            _("Draft, not in force: items {items} wait for your review (marked ？).",
              items="、".join(map(str, waiting))) if waiting else
            _("Every item is confirmed: the list can be published."))
        self.publish_button.setEnabled(not waiting)

    def map_current_item(self) -> None:
        ctx, user, lst, item = self.state.ctx, self.state.user, self.shown, self.current_item()
        if ctx is None or user is None or lst is None or not lst.id or item is None:
            return
        codes = self.codes_edit.text().replace("、", " ").replace(",", " ").split()
        list_id, officer_id, number = lst.id, user.officer_id, item.item_no
        self.state.worker.run(lambda: map_item(ctx=ctx, officer_id=officer_id,
                                               list_id=list_id, item_no=number, codes=codes),
                              lambda _written: self.show_message(_(
                                  "Item {number} now covers {codes}.", number=number,
                                  codes="、".join(c.upper() for c in codes))),
                              on_error=lambda e: self.show_message(
                                  _("Error: {error}", error=describe(e)), True))

    def publish_shown(self) -> None:
        ctx, user, lst = self.state.ctx, self.state.user, self.shown
        if ctx is None or user is None or lst is None or not lst.id:
            return
        list_id, officer_id = lst.id, user.officer_id
        self.confirm_box = ask_once(
            self, _("Publish the list"),
            _("Publish {title}? From its effective date it is the list in force.",
              title=lst.title), _("Publish the list"),
            lambda: self.state.worker.run(
                lambda: publish_list(ctx=ctx, officer_id=officer_id, list_id=list_id),
                lambda _written: self.show_message(_(
                    "The list is published and can be in force from its start date.")),
                on_error=lambda e: self.show_message(_("Error: {error}", error=describe(e)),
                                                     True)))

    def show_message(self, text: str, error: bool = False) -> None:
        show_status(self.message, text, error)

    # importing
    def choose_import_file(self) -> None:
        dialog = QFileDialog(self, _("Import a no-penalty list"))
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter(_("No-penalty lists (*.xlsx *.csv *.json)"))
        dialog.fileSelected.connect(lambda path: self.confirm_import(Path(path)))
        self.file_dialog = dialog
        dialog.open()

    def confirm_import(self, path: Path) -> None:
        """Importing replaces the list in force: ask once, naming the file and the list."""
        versions = self.versions
        current = next((lst for lst in versions.lists if lst.id == versions.in_force_id),
                       None) if versions else None
        if current is None:
            self.import_file(path)
            return
        self.confirm_box = ask_once(
            self, _("Import a no-penalty list"),
            _("Import {file}? From its effective date it replaces the list in force: "
              "{title}.", file=path.name, title=current.title),
            _("Import"), lambda: self.import_file(path))

    def import_file(self, path: Path, details: dict[str, str] | None = None) -> None:
        ctx, user = self.state.ctx, self.state.user
        if ctx is None or user is None or not may(user.role, Action.IMPORT_LIST):
            return
        officer_id = user.officer_id
        metadata = dict(details) if details else None
        self.show_message(_("Importing {name}…", name=path.name))
        self.state.worker.run(
            lambda: import_list(ctx=ctx, officer_id=officer_id, path=path, metadata=metadata),
            self._imported, on_error=lambda error: self._import_failed(error, path, details))

    def _imported(self, result: ImportResult) -> None:
        self.shown = None  # show the new version
        self._select_after_reload = result.list_id
        text = _("Imported {items} items in {domains} domains.", items=result.items,
                 domains=result.domains)
        if result.draft:
            text += " " + _("Saved as a draft: review the items marked ？ and publish it.")
        self.show_message(text)

    def _import_failed(self, error: BaseException, path: Path | None = None,
                       given: dict[str, str] | None = None) -> None:
        missing = missing_details(error)
        if path is not None and missing and not given:
            self.details_dialog = ListDetailsDialog(path, missing, self)
            self.details_dialog.accepted.connect(lambda: self.import_file(
                path, self.details_dialog.details() if self.details_dialog else None))
            self.details_dialog.open()
            return
        self.show_message(_("Error: {error}", error=describe(error)), True)
        if isinstance(error, ImportErrors):
            self.errors_dialog = ImportErrorsDialog(error, self)
            self.errors_dialog.open()

    # exporting
    def choose_export_file(self) -> None:
        if self.shown is None:
            return
        dialog = QFileDialog(self, _("Export the no-penalty list"))
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters([_(name) for name in _EXPORT_FILTERS])
        dialog.setDirectory(str(documents_folder()))
        dialog.selectFile(suggested_file(self.shown.title, suffix=".xlsx").name)
        lst = self.shown
        dialog.fileSelected.connect(
            lambda path: self.export_to(lst, self._with_suffix(Path(path), dialog)))
        self.file_dialog = dialog
        dialog.open()

    @staticmethod
    def _with_suffix(path: Path, dialog: QFileDialog) -> Path:
        if path.suffix.lower() in _EXPORT_FILTERS.values():
            return path
        chosen = dialog.selectedNameFilter()
        suffix = next((s for name, s in _EXPORT_FILTERS.items() if _(name) == chosen), ".xlsx")
        return path.with_suffix(suffix)

    def export_to(self, lst: NoPenaltyList, path: Path) -> None:
        ctx = self.state.ctx
        if ctx is None:
            return
        self.state.worker.run(
            lambda: export_list(ctx=ctx, list_id=lst.id, path=path),
            lambda written: self.show_message(_("Exported to {path}", path=str(written))),
            on_error=lambda e: self.show_message(_("Error: {error}", error=describe(e)), True))
