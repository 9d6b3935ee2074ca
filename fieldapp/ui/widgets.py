"""Small widget builders the pages share."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fieldapp.ui.qt import (
    QAbstractItemView,
    QHeaderView,
    QKeySequence,
    QShortcut,
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
