"""Every problem of an import at once: importers run each cell's parser through
``Problems`` and raise one ``ImportErrors`` naming each bad row and column."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, ParamSpec, TypeVar

from fieldapp.domain.errors import ValidationError

P = ParamSpec("P")
T = TypeVar("T")
LIST_FILE_FIELD = "no-penalty list file"


@dataclass(frozen=True)
class RowProblem:
    """One bad cell: its row and column in the file, and the English template."""

    row: int
    column: str
    problem: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self, translate: Callable[[str], str] = str) -> str:
        return translate(self.problem).format(**self.params)


class ImportErrors(ValidationError):
    """Every bad row of a file at once; nothing of the file was imported."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = tuple(problems)
        problem = "{count} rows have errors"
        super().__init__(LIST_FILE_FIELD, problem, count=len({p.row for p in self.problems}))
        details = "; ".join(f"row {p.row}, {p.column}: {p.message()}" for p in self.problems)
        self.args = (f"{self.args[0]}: {details}",)


class Problems:
    """Runs the parsers of one file, keeping each failure instead of stopping at it."""

    def __init__(self) -> None:
        self.found: list[RowProblem] = []

    def __len__(self) -> int:
        return len(self.found)

    def add(self, row: int, column: str, error: ValidationError) -> None:
        self.found.append(RowProblem(row, column, error.problem, dict(error.params)))

    def check(self, row: int, column: str, parse: Callable[P, T], /,
              *args: P.args, **kwargs: P.kwargs) -> T | None:
        """``parse(*args)``, or None after recording its error at (row, column)."""
        try:
            return parse(*args, **kwargs)
        except ValidationError as error:
            self.add(row, column, error)
            return None

    def raise_if_any(self) -> None:
        if self.found:
            raise ImportErrors(sorted(self.found, key=attrgetter("row")))
