"""Errors the domain raises.

The domain knows no language: an error carries the English field label and an English
message template with its parameters. The edges (CLI, UI, HQ) translate both through
``fieldapp.i18n`` so the user reads, in their language, which field is wrong and why.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain was broken; ``problem`` is an English template."""

    def __init__(self, problem: str, **params: Any) -> None:
        self.problem = problem
        self.params = params
        super().__init__(problem.format(**params))


class ValidationError(DomainError):
    """Bad input: names the field (English label, translated at the edge) and the problem."""

    def __init__(self, field: str, problem: str, **params: Any) -> None:
        self.field = field
        super().__init__(problem, **params)
        self.args = (f"{field}: {problem.format(**params)}",)


class NotFound(DomainError):
    """A record the user named does not exist."""

    def __init__(self, field: str, value: str) -> None:
        self.field = field
        super().__init__("no record with {field} {value}", field=field, value=value)
