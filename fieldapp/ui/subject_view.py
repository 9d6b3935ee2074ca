"""The right side of the main window: one subject's profile and history."""

from __future__ import annotations

import datetime as dt

from fieldapp.domain.entities import SubjectData, SubjectKind
from fieldapp.domain.localtime import to_local
from fieldapp.i18n import _, gettext
from fieldapp.services.subjects import HistoryEntry
from fieldapp.ui.jobs import SubjectFile
from fieldapp.ui.qt import (
    QAbstractItemView,
    QColor,
    QGridLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
)

VIOLATION_COLUMN_PX = 200
ROW_MIN_PX = 34
_STEP_COLOURS = {"warn": QColor("#a15c00"), "enforce": QColor("#b00020")}


def heading(text: str) -> str:
    """A field label used as a title: capitalised (a no-op for Chinese)."""
    return text[:1].upper() + text[1:]


def value_label(value: str) -> str:
    """A stored code value (a step, a kind) in the current language.

    Codes are msgids of their own (extracted from the domain's StrEnums); until one is
    translated, English shows it with spaces instead of underscores.
    """
    return gettext(value).replace("_", " ")


def profile_rows(profile: SubjectData) -> list[tuple[str, str]]:
    """(label, value) of each filled-in profile field, in reading order."""
    rows = [
        (_("kind of subject"), value_label(profile.kind)),
        (_("shop sign"), profile.shop_sign),
        (_("name"), "" if profile.kind == SubjectKind.UNIDENTIFIED_VENDOR else profile.name),
        (_("legal representative"), profile.legal_representative),
        (_("phone"), profile.phone),
        (_("ID number"), profile.id_number),
        (_("unified social credit code"), profile.credit_code),
        (_("address"), profile.address),
        (_("usual place"), profile.usual_place),
        (_("goods"), profile.goods),
        (_("appearance"), profile.appearance),
        (_("notes"), profile.notes),
    ]
    return [(heading(label), value) for label, value in rows if value]


def step_text(entry: HistoryEntry) -> str:
    if entry.kind == "case":
        return f"{_('Case')} · {value_label(entry.step)}"
    if entry.kind == "document":
        return f"{_('Document')} · {value_label(entry.step)}"
    return value_label(entry.step)


def history_cells(entry: HistoryEntry) -> list[str]:
    local = to_local(entry.at)
    return [local.strftime("%Y-%m-%d %H:%M"), step_text(entry), entry.violation_name,
            _summary(entry), entry.officers]


def history_headers() -> list[str]:
    return [heading(_("time")), _("Ladder step"), _("Violation type"),
            heading(_("what was found")), heading(_("officers"))]


class SubjectView(QWidget):
    """Shows a placeholder until a subject is loaded, then its profile and history."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.subject_id: str | None = None
        self._stack = QStackedWidget(self)
        self._placeholder = QLabel(_("Select a subject to see its profile and history."))
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setProperty("role", "hint")
        self._stack.addWidget(self._placeholder)
        self._stack.addWidget(self._build_file())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

    def _build_file(self) -> QWidget:
        page = QWidget(self)
        self.title = QLabel(page)
        self.title.setProperty("role", "heading")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._profile = QGridLayout()
        self._profile.setHorizontalSpacing(12)
        self._profile.setColumnStretch(1, 1)
        self._profile.setColumnStretch(3, 1)
        self.history_title = QLabel(page)
        self.history_title.setProperty("role", "subheading")
        self.history = self._build_table(page)
        self.current = QLabel(page)
        self.current.setWordWrap(True)
        self.agreements = QLabel(page)
        self.agreements.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addLayout(self._profile)
        layout.addWidget(self.current)
        layout.addWidget(self.agreements)
        layout.addSpacing(8)
        layout.addWidget(self.history_title)
        layout.addWidget(self.history, 1)
        return page

    def _build_table(self, parent: QWidget) -> QTableWidget:
        table = QTableWidget(0, len(history_headers()), parent)
        table.setHorizontalHeaderLabels(history_headers())
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(True)  # officers read the whole finding, not an elided start
        table.setAlternatingRowColors(True)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setMinimumSectionSize(ROW_MIN_PX)
        table.verticalHeader().setDefaultSectionSize(ROW_MIN_PX)
        header = table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.Interactive,
                                       QHeaderView.ResizeMode.Stretch,
                                       QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(column, mode)
        header.resizeSection(2, VIOLATION_COLUMN_PX)
        # Wrapped rows need new heights when a column's width changes (window resize).
        self._row_heights = QTimer(self)
        self._row_heights.setSingleShot(True)
        self._row_heights.timeout.connect(table.resizeRowsToContents)
        header.sectionResized.connect(lambda *_args: self._row_heights.start())
        return table

    def clear(self) -> None:
        self.subject_id = None
        self._stack.setCurrentIndex(0)

    def show_file(self, file: SubjectFile) -> None:
        self.subject_id = file.id
        self.title.setText(file.title)
        self._fill_profile(profile_rows(file.profile))
        self.current.setText(_("Now due: {steps}", steps="；".join(
            f"{c.violation_name}：{_(c.due.value)}" for c in file.current))
            if file.current else _("No step recorded yet."))
        today = dt.date.today()
        self.agreements.setText("\n".join(
            _("Frontage agreement (门前四包) signed {date}: {scope} — {duties}{state}",
              date=a.signed_on.isoformat(), scope=a.scope, duties=a.duties,
              state="" if a.in_force(today) else f"（{_('expired')}）")
            for a in file.agreements) or _("No frontage agreement (门前四包) signed."))
        self.history_title.setText(f"{_('History')} ({len(file.history)})")
        self._stack.setCurrentIndex(1)  # first, so rows are measured at the real width
        self._fill_history(file.history)

    def _fill_profile(self, rows: list[tuple[str, str]]) -> None:
        while (item := self._profile.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()
        for index, (label, value) in enumerate(rows):
            row, column = divmod(index, 2)
            name = QLabel(label)
            name.setProperty("role", "hint")
            text = QLabel(value)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._profile.addWidget(name, row, column * 2, Qt.AlignmentFlag.AlignTop)
            self._profile.addWidget(text, row, column * 2 + 1, Qt.AlignmentFlag.AlignTop)

    def _fill_history(self, entries: tuple[HistoryEntry, ...]) -> None:
        table = self.history
        table.setRowCount(0)
        table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            for column, text in enumerate(history_cells(entry)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, column, item)
            colour = _STEP_COLOURS.get(entry.step)
            if colour is not None:
                step_item = table.item(row, 1)
                if step_item is not None:
                    step_item.setForeground(colour)
        table.resizeRowsToContents()
        table.scrollToTop()


def _summary(entry: HistoryEntry) -> str:
    """What was found, with "corrected on the spot" in the user's language."""
    if entry.corrected_on_spot:
        return _("{facts} (corrected on the spot)", facts=entry.summary)
    return entry.summary
