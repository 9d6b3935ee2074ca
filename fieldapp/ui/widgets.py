"""Small widget builders the pages share."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from fieldapp.ui.qt import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QKeySequence,
    QLabel,
    QShortcut,
    QStandardPaths,
    Qt,
    QTableWidget,
    QWidget,
)


def record_table(parent: QWidget, headers: Sequence[str], *, row_px: int,
                 stretch: int = 0) -> QTableWidget:
    """A read-only table of records: whole rows selected, columns fitted to their
    contents except ``stretch``, which takes the rest of the width."""
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(row_px)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def activate_on_enter(view: QAbstractItemView, open_row: Callable[[int], None]) -> None:
    """Double-click or Enter on a row opens it (whatever the style says about
    activation, which differs between platforms)."""
    view.doubleClicked.connect(lambda index: open_row(index.row()))
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        shortcut = QShortcut(QKeySequence(key), view)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(lambda: open_row(view.currentIndex().row()))


_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def documents_folder() -> Path:
    """The user's documents folder (文档), where saved files are looked for; never the
    program's folder."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(found) if found else Path.home()
    try:
        folder.mkdir(parents=True, exist_ok=True)  # a new account may not have it yet
    except OSError:
        return Path.home()
    return folder


def suggested_file(*parts: str, suffix: str) -> Path:
    """"东城管告字〔2026〕第1号 张三.pdf" in the documents folder: the parts that are
    known, joined, with what a file name may not hold replaced."""
    name = " ".join(p.strip() for p in parts if p and p.strip())
    return documents_folder() / f"{_NOT_IN_FILE_NAMES.sub('_', name) or 'fieldapp'}{suffix}"


def save_dialog(parent: QWidget, title: str, name_filter: str, suggested: Path) -> QFileDialog:
    """Qt's own (translated) save dialog, opened on ``suggested``; the caller connects
    ``fileSelected`` and opens it."""
    dialog = QFileDialog(parent, title, str(suggested.parent))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilter(name_filter)
    dialog.setDefaultSuffix(suggested.suffix.lstrip("."))
    dialog.selectFile(suggested.name)
    return dialog


def show_status(label: QLabel, text: str, error: bool = False) -> None:
    """A one-line outcome in a label: red for an error, green otherwise."""
    label.setProperty("role", "error" if error else "success")
    label.style().unpolish(label)
    label.style().polish(label)
    label.setText(text)
