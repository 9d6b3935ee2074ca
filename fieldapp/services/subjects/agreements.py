"""门前四包责任书: frontage-responsibility agreements signed with shops.

Breaching one is a violation of its own (catalogue SR03); the subject page lists them
with the subject's notes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import col, select

from fieldapp.domain.errors import NotFound, ValidationError
from fieldapp.domain.permissions import Action
from fieldapp.services.context import ServiceContext
from fieldapp.services.results import Written
from fieldapp.store.tables import FrontageAgreement, Subject

DEFAULT_DUTIES = "包卫生、包绿化、包秩序、包设施"


@dataclass(frozen=True)
class AgreementView:
    id: str
    signed_on: dt.date
    ends_on: dt.date | None
    scope: str
    duties: str
    signed_by: str

    def in_force(self, on: dt.date) -> bool:
        return self.signed_on <= on and (self.ends_on is None or on <= self.ends_on)


def add_agreement(*, ctx: ServiceContext, officer_id: str, subject_id: str,
                  signed_on: dt.date, scope: str, duties: str = DEFAULT_DUTIES,
                  signed_by: str = "", ends_on: dt.date | None = None) -> Written:
    if not scope.strip():
        raise ValidationError("frontage", "describe the frontage the party is responsible for")
    if ends_on is not None and ends_on < signed_on:
        raise ValidationError("ends on", "{end} is before the signing date {start}",
                              end=ends_on.isoformat(), start=signed_on.isoformat())
    with ctx.write(officer_id, action=Action.RECORD_AGREEMENT) as tx:
        if tx.session.get(Subject, subject_id) is None:
            raise NotFound("subject", subject_id)
        row = tx.add(FrontageAgreement(
            id=tx.new_id(), subject_id=subject_id, signed_on=signed_on, ends_on=ends_on,
            scope=scope.strip(), duties=duties.strip(), signed_by=signed_by.strip(),
            officer_id=officer_id, created_at=tx.now))
        tx.audit("agreement.sign", "frontage_agreement", row.id,
                 {"subject": subject_id, "signed_on": signed_on.isoformat(), "scope": scope})
    return Written(row.id, frozenset(tx.changed))


def agreements_of(*, ctx: ServiceContext, subject_id: str) -> list[AgreementView]:
    with ctx.read() as session:
        rows = session.exec(select(FrontageAgreement).where(
            FrontageAgreement.subject_id == subject_id).order_by(
            col(FrontageAgreement.signed_on).desc())).all()
    return [AgreementView(r.id, r.signed_on, r.ends_on, r.scope, r.duties, r.signed_by)
            for r in rows]
