"""A leader's review of an imported list before it is published: the items matched to
the catalogue with doubt or not at all, confirmed or mapped by hand, then publishing.

A draft is never in force; publishing needs every item confirmed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import select

from fieldapp.domain.bureau_lists import MatchState
from fieldapp.domain.errors import DomainError, NotFound, ValidationError
from fieldapp.domain.no_penalty import CODES_FIELD, ITEM_NO_FIELD
from fieldapp.domain.permissions import Action
from fieldapp.services.context import ServiceContext
from fieldapp.services.results import Written
from fieldapp.store import tables


@dataclass(frozen=True)
class ReviewItem:
    item_no: int
    name: str
    basis: str
    codes: tuple[str, ...]
    state: MatchState


def review_items(*, ctx: ServiceContext, list_id: str) -> list[ReviewItem]:
    """Every item of a list with its match, the doubtful and unmatched ones first."""
    with ctx.read() as session:
        if session.get(tables.NoPenaltyList, list_id) is None:
            raise NotFound("no-penalty list", list_id)
        items = session.exec(select(tables.NoPenaltyItem).where(
            tables.NoPenaltyItem.list_id == list_id)).all()
        links = session.exec(select(tables.NoPenaltyItemViolation).where(
            tables.NoPenaltyItemViolation.removed == False)).all()  # noqa: E712
    codes: dict[str, list[str]] = {}
    for link in links:
        codes.setdefault(link.item_id, []).append(link.violation_code)
    out = [ReviewItem(i.item_no, i.name, i.basis, tuple(sorted(codes.get(i.id, []))),
                      MatchState(i.match_state)) for i in items]
    return sorted(out, key=lambda r: (r.state is MatchState.CONFIRMED, r.item_no))


def map_item(*, ctx: ServiceContext, officer_id: str, list_id: str, item_no: int,
             codes: Sequence[str]) -> Written:
    """Confirm an item's match (the codes it has) or map it to other catalogue types."""
    with ctx.write(officer_id, action=Action.IMPORT_LIST) as tx:
        lst = _draft(tx.session, list_id)
        item = tx.session.exec(select(tables.NoPenaltyItem).where(
            tables.NoPenaltyItem.list_id == lst.id,
            tables.NoPenaltyItem.item_no == item_no)).first()
        if item is None:
            raise ValidationError(ITEM_NO_FIELD, "the list has no item {number}",
                                  number=item_no)
        wanted = sorted({c.strip().upper() for c in codes if c.strip()})
        if not wanted:
            raise ValidationError(CODES_FIELD, "give at least one violation code")
        for code in wanted:
            if tx.session.get(tables.ViolationType, code) is None:
                raise ValidationError(CODES_FIELD, "'{code}' is not in the catalogue",
                                      code=code)
        # Each match is a record: one no longer wanted is marked removed (a new version),
        # never deleted, so the full-process record keeps every version.
        links = {link.violation_code: link for link in tx.session.exec(
            select(tables.NoPenaltyItemViolation).where(
                tables.NoPenaltyItemViolation.item_id == item.id)).all()}
        for code, link in links.items():
            tx.update(link, {"removed": code not in wanted})
        for code in wanted:
            if code not in links:
                tx.add(tables.NoPenaltyItemViolation(item_id=item.id, violation_code=code))
        tx.update(item, {"match_state": MatchState.CONFIRMED.value})
        tx.audit("no_penalty_list.map", "no_penalty_list", lst.id,
                 {"item_no": item_no, "codes": wanted})
    return Written(list_id, frozenset(tx.changed))


def publish_list(*, ctx: ServiceContext, officer_id: str, list_id: str) -> Written:
    """Publish a reviewed draft: from now on it can be in force."""
    with ctx.write(officer_id, action=Action.IMPORT_LIST) as tx:
        lst = _draft(tx.session, list_id)
        open_items = tx.session.exec(select(tables.NoPenaltyItem.item_no).where(
            tables.NoPenaltyItem.list_id == lst.id,
            tables.NoPenaltyItem.match_state != MatchState.CONFIRMED.value)).all()
        if open_items:
            raise ValidationError(CODES_FIELD, "confirm or map items {items} before the "
                                  "list is published",
                                  items="、".join(str(n) for n in sorted(open_items)))
        tx.update(lst, {"status": "published"})
        tx.audit("no_penalty_list.publish", "no_penalty_list", lst.id, {"title": lst.title})
    return Written(list_id, frozenset(tx.changed))


def _draft(session: object, list_id: str) -> tables.NoPenaltyList:
    from sqlmodel import Session

    assert isinstance(session, Session)
    lst = session.get(tables.NoPenaltyList, list_id)
    if lst is None:
        raise NotFound("no-penalty list", list_id)
    if lst.status != "draft":
        raise DomainError("the list {title} is already published", title=lst.title)
    return lst
