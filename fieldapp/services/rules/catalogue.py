"""Loading the violation catalogue and reading it back."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from fieldapp.domain.permissions import Action
from fieldapp.interchange.catalogue import default_catalogue_path, read_catalogue_file
from fieldapp.services.context import ServiceContext
from fieldapp.store.tables import ViolationType


def domain_names(path: Path | None = None) -> dict[str, str]:
    return read_catalogue_file(path or default_catalogue_path()).domains


def load_catalogue(*, ctx: ServiceContext, path: Path | None = None,
                   officer_id: str = "") -> int:
    """Insert or update the violation types of a catalogue file; returns how many changed.
    The built-in catalogue loads with nobody; another file needs a leader."""
    catalogue = read_catalogue_file(path or default_catalogue_path())
    changed = 0
    action = Action.SET_RULES if officer_id or path is not None else Action.LOAD_CATALOGUE
    with ctx.write(officer_id, action=action) as tx:
        for code, values in catalogue.types:
            row = tx.session.get(ViolationType, code)
            if row is None:
                tx.add(ViolationType(code=code, **values))
                changed += 1
            elif tx.update(row, values):
                changed += 1
        if changed:
            tx.audit("catalogue.load", "violation_type", catalogue.version,
                     {"changed": changed, "version": catalogue.version})
    return changed


def violation_types(*, ctx: ServiceContext) -> list[ViolationType]:
    with ctx.read() as session:
        return list(session.exec(select(ViolationType).order_by(ViolationType.code)))
