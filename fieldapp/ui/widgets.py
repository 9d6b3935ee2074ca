"""Small widget builders the pages share."""

from __future__ import annotations

from collections.abc import Sequence

from fieldapp.ui.qt import QAbstractItemView, QHeaderView, Qt, QTableWidget, QWidget


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
