"""Looking up officers and squads (the registers themselves come in a later issue)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import func, select

from fieldapp.domain.entities import OfficerRef, OfficerRole
from fieldapp.domain.errors import NotFound
from fieldapp.services.context import ServiceContext
from fieldapp.store.tables import Officer


def officer_ref(officer: Officer) -> OfficerRef:
    return OfficerRef(
        id=officer.id, name=officer.name, certificate_no=officer.certificate_no,
        certificate_valid_from=officer.certificate_valid_from,
        certificate_valid_to=officer.certificate_valid_to,
        role=OfficerRole(officer.role), active=officer.active)


def list_officers(*, ctx: ServiceContext) -> list[Officer]:
    with ctx.read() as session:
        return list(session.exec(select(Officer).order_by(Officer.certificate_no)))


def officer_by_certificate(*, ctx: ServiceContext, certificate_no: str) -> Officer:
    with ctx.read() as session:
        officer = session.exec(
            select(Officer).where(Officer.certificate_no == certificate_no.strip())).first()
    if officer is None:
        raise NotFound("certificate number", certificate_no)
    return officer


def records_since(*, ctx: ServiceContext) -> dt.date | None:
    """The squad's first day: nothing can have been recorded before its first officer's
    certificate was valid (None while no officer is set up)."""
    with ctx.read() as session:
        first = session.exec(select(func.min(Officer.certificate_valid_from))).one()
    return first if isinstance(first, dt.date) else None
