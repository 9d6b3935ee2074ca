"""Setting up the agency, its squads and officers (the full registers come later)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fieldapp.domain.entities import OfficerRole
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.permissions import Action
from fieldapp.services.context import ServiceContext
from fieldapp.services.results import Written
from fieldapp.store.queries import staff as queries
from fieldapp.store.tables import AgencyProfile, Grid, Officer, Squad


def set_agency(*, ctx: ServiceContext, full_name: str, short_code: str,
               by_officer_id: str = "", **details: Any) -> Written:
    """Create the agency profile printed on documents (one per data directory).

    ``by_officer_id``: the leader doing it; nobody while the device is being set up
    (the organisation services all work so)."""
    if not full_name.strip():
        raise ValidationError("agency name", "is required")
    if not short_code.strip():
        raise ValidationError("document number prefix", "is required")
    with ctx.write(by_officer_id, action=Action.SET_UP) as tx:
        if queries.agency(tx.session) is not None:
            raise ValidationError("agency name", "an agency is already set up")
        agency = tx.add(AgencyProfile(id=tx.new_id(), full_name=full_name.strip(),
                                      short_code=short_code.strip(), updated_at=tx.now,
                                      **details))
        tx.audit("agency.create", "agency_profile", agency.id,
                 {"full_name": full_name, "short_code": short_code, **details})
    return Written(agency.id, frozenset(tx.changed))


def add_squad(*, ctx: ServiceContext, name: str, code: str,
              by_officer_id: str = "") -> Written:
    with ctx.write(by_officer_id, action=Action.SET_UP) as tx:
        agency = queries.agency(tx.session)
        if agency is None:
            raise ValidationError("agency name", "set up the agency first")
        squad = tx.add(Squad(id=tx.new_id(), agency_id=agency.id, name=name, code=code))
        tx.audit("squad.create", "squad", squad.id, {"name": name, "code": code})
    return Written(squad.id, frozenset(tx.changed))


def add_officer(*, ctx: ServiceContext, squad_id: str, name: str, certificate_no: str,
                valid_from: dt.date, valid_to: dt.date,
                role: OfficerRole = OfficerRole.OFFICER, by_officer_id: str = "") -> Written:
    if not name.strip():
        raise ValidationError("name", "is required")
    if not certificate_no.strip():
        raise ValidationError("certificate number", "is required")
    if valid_to < valid_from:
        raise ValidationError("certificate number", "valid until {to} is before valid from "
                              "{start}", to=valid_to.isoformat(), start=valid_from.isoformat())
    with ctx.write(by_officer_id, action=Action.SET_UP) as tx:
        clash = queries.officer_by_certificate(tx.session, certificate_no=certificate_no)
        if clash is not None:
            raise ValidationError("certificate number", "already belongs to {name}",
                                  name=clash.name)
        officer = tx.add(Officer(
            id=tx.new_id(), squad_id=squad_id, name=name.strip(),
            certificate_no=certificate_no.strip(), certificate_valid_from=valid_from,
            certificate_valid_to=valid_to, role=role.value))
        tx.audit("officer.create", "officer", officer.id,
                 {"name": name, "certificate_no": certificate_no, "role": role.value})
    return Written(officer.id, frozenset(tx.changed))


def add_grid(*, ctx: ServiceContext, squad_id: str, code: str, name: str,
             by_officer_id: str = "") -> Written:
    with ctx.write(by_officer_id, action=Action.SET_UP) as tx:
        grid = tx.add(Grid(id=tx.new_id(), squad_id=squad_id, code=code, name=name))
        tx.audit("grid.create", "grid", grid.id, {"code": code, "name": name})
    return Written(grid.id, frozenset(tx.changed))


@dataclass(frozen=True)
class GridView:
    id: str
    code: str
    name: str
    squad_id: str


def list_grids(*, ctx: ServiceContext, squad_id: str | None = None) -> list[GridView]:
    with ctx.read() as session:
        return [GridView(g.id, g.code, g.name, g.squad_id)
                for g in queries.grids(session, squad_id=squad_id)]
