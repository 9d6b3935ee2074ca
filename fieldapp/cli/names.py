"""What human output calls things: parties by name, violations by their name; ids and
codes stay in ``--json``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fieldapp.i18n import _

if TYPE_CHECKING:
    from fieldapp.services.context import ServiceContext


def subject_name(ctx: ServiceContext, subject_id: str) -> str:
    from fieldapp.domain.errors import NotFound
    from fieldapp.services.subjects import display_name, get_subject

    try:
        return display_name(get_subject(ctx=ctx, subject_id=subject_id)) or _("(no name)")
    except NotFound:
        return subject_id


def violation_name(ctx: ServiceContext, code: str) -> str:
    def load() -> dict[str, str]:
        from fieldapp.services.rules import violation_types

        return {v.code: v.name for v in violation_types(ctx=ctx)}

    return _table(ctx, "violations", load).get(code, code)


_tables: dict[tuple[int, str], dict[str, str]] = {}


def _table(ctx: ServiceContext, what: str, load: Callable[[], dict[str, str]]) -> dict[str, str]:
    """A table of names read once per command (one command, one context)."""
    key = (id(ctx), what)
    if key not in _tables:
        _tables[key] = load()
    return _tables[key]
