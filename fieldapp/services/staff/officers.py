"""Looking up officers and squads (the registers themselves come in a later issue)."""

from __future__ import annotations

import datetime as dt

from fieldapp.domain.entities import OfficerRef, OfficerRole
from fieldapp.domain.errors import NotFound
from fieldapp.services.context import ServiceContext
from fieldapp.store.queries import staff as queries
from fieldapp.store.tables import Officer


def officer_ref(officer: Officer) -> OfficerRef:
    return OfficerRef(
        id=officer.id, name=officer.name, certificate_no=officer.certificate_no,
        certificate_valid_from=officer.certificate_valid_from,
        certificate_valid_to=officer.certificate_valid_to,
        role=OfficerRole(officer.role), active=officer.active)


def list_officers(*, ctx: ServiceContext) -> list[Officer]:
    with ctx.read() as session:
        return queries.officers(session)


def officer_by_certificate(*, ctx: ServiceContext, certificate_no: str) -> Officer:
    with ctx.read() as session:
        officer = queries.officer_by_certificate(session, certificate_no=certificate_no)
    if officer is None:
        raise NotFound("certificate number", certificate_no)
    return officer


def records_since(*, ctx: ServiceContext) -> dt.date | None:
    """The squad's first day: nothing can have been recorded before its first officer's
    certificate was valid (None while no officer is set up)."""
    with ctx.read() as session:
        return queries.first_certificate_day(session)
