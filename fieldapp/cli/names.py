"""What human output calls things: parties by name, violations by their name, steps and
statuses in the law's words; ids and codes stay in ``--json``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
    return _violation_names(ctx).get(code, code)


def _violation_names(ctx: ServiceContext) -> dict[str, str]:
    from fieldapp.services.rules import violation_types

    return _once(ctx, "violations", lambda: {v.code: v.name for v in violation_types(ctx=ctx)})


def officer_name(ctx: ServiceContext, officer_id: str) -> str:
    return _officer_names(ctx).get(officer_id, officer_id)


def _officer_names(ctx: ServiceContext) -> dict[str, str]:
    from fieldapp.services.staff import list_officers

    return _once(ctx, "officers", lambda: {o.id: o.name for o in list_officers(ctx=ctx)})


_tables: dict[tuple[int, str], Any] = {}


def _once(ctx: ServiceContext, what: str, load: Any) -> Any:
    """A name table read once per command (one command, one context)."""
    key = (id(ctx), what)
    if key not in _tables:
        _tables[key] = load()
    return _tables[key]
