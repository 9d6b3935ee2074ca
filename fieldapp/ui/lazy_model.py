"""A table model that fetches pages as the view scrolls, on the worker thread.

For lists that can hold a million rows: only the pages scrolled to are loaded, and
loading never blocks the GUI thread. ``fetch(after, limit)`` returns the next rows after
the given last row (None for the first page); ``columns`` turn a row into cells.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from fieldapp.ui.qt import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from fieldapp.ui.worker import Worker

R = TypeVar("R")
PAGE = 200
_Index = QModelIndex | QPersistentModelIndex


class LazyTableModel(QAbstractTableModel, Generic[R]):
    def __init__(self, worker: Worker, fetch: Callable[[R | None, int], list[R]],
                 headers: Sequence[str], columns: Callable[[R], Sequence[str]]) -> None:
        super().__init__()
        self._worker = worker
        self._fetch = fetch
        self._headers = list(headers)
        self._columns = columns
        self.rows: list[R] = []
        self._exhausted = False
        self._loading = False
        self._generation = 0

    def reset(self) -> None:
        """Forget what is loaded and start again from the first page."""
        self.beginResetModel()
        self.rows = []
        self._exhausted = False
        self._loading = False
        self._generation += 1
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        return self._columns(self.rows[index.row()])[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: _Index) -> None:
        if not self.canFetchMore(parent):
            return
        self._loading = True
        last = self.rows[-1] if self.rows else None
        generation = self._generation
        self._worker.run(lambda: self._fetch(last, PAGE),
                         lambda page: self._arrived(generation, page))

    def _arrived(self, generation: int, page: list[R]) -> None:
        if generation != self._generation:
            return  # a reset happened meanwhile; this page belongs to the old list
        self._loading = False
        if len(page) < PAGE:
            self._exhausted = True
        if page:
            start = len(self.rows)
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self.rows.extend(page)
            self.endInsertRows()
