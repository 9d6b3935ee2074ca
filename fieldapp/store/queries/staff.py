"""Reads of the staff: officers, squads, grids, the agency, this device."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import column, table
from sqlmodel import Session, col, func, select

from fieldapp.store.tables import AgencyProfile, Device, Grid, Officer, Squad, SyncState

# hq_verifier is a raw-SQL table (migrations), not a SQLModel table.
_hq_verifier = table("hq_verifier", column("officer_id"), column("valid_until"))


def officers(session: Session) -> list[Officer]:
    return list(session.exec(select(Officer).order_by(Officer.certificate_no)))


def officer_by_certificate(session: Session, *, certificate_no: str) -> Officer | None:
    return session.exec(select(Officer).where(
        Officer.certificate_no == certificate_no.strip())).first()


def first_certificate_day(session: Session) -> dt.date | None:
    first = session.exec(select(func.min(Officer.certificate_valid_from))).one()
    return first if isinstance(first, dt.date) else None


def login_choices(session: Session) -> list[tuple[Officer, Squad]]:
    """Active officers with a password, with their squads, by squad and number."""
    return [(o, s) for o, s in session.exec(select(Officer, Squad).join(Squad).where(
        col(Officer.active), Officer.password_hash != "")
        .order_by(Squad.name, Officer.certificate_no)).all()]


def agency(session: Session) -> AgencyProfile | None:
    return session.exec(select(AgencyProfile)).first()


def grids(session: Session, *, squad_id: str | None = None) -> list[Grid]:
    query = select(Grid).order_by(Grid.code)
    if squad_id:
        query = query.where(Grid.squad_id == squad_id)
    return list(session.exec(query))


def local_device(session: Session) -> Device | None:
    return session.exec(select(Device).where(col(Device.is_local))).first()


def state_flag(session: Session, *, key: str) -> bool:
    """Whether ``sync_state`` holds ``key`` (a flag: set-up done, demo data)."""
    return session.exec(select(SyncState.key).where(SyncState.key == key)).first() is not None


def hq_verifier_valid_until(session: Session, *, officer_id: str) -> str | None:
    """Until when HQ's cached verifier of the officer holds (UTC text; None: none)."""
    row = session.connection().execute(
        select(_hq_verifier.c.valid_until).where(_hq_verifier.c.officer_id == officer_id)
    ).first()
    return None if row is None else str(row[0])
