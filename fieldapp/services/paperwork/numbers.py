"""Document numbers (文号): blocks reserved to this device, issuing, voiding, listing.

Numbers are issued offline from blocks of serials reserved to the device, per squad,
document kind and year (``number_block`` rows). Until sync leases blocks from HQ, a
device that runs out makes a local block after every block, used serial and voided
serial this store knows of; a device that holds a block leased from HQ (source ``hq``)
never makes local blocks for that squad, kind and year, so it cannot collide with
another device's lease: it says the numbers are exhausted instead.

Scope: when the agency's pattern has no ``{squad}`` placeholder, two squads would
print the same text for the same serial, so their serials share one sequence (blocks
and used serials of every squad count when a local block is made).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlmodel import Session, col, select

from fieldapp.domain.document_kinds import DocumentKind
from fieldapp.domain.errors import DomainError, NotFound, ValidationError
from fieldapp.domain.localtime import agency_zone
from fieldapp.domain.numbering import (
    DEFAULT_PATTERN,
    BlockState,
    NumbersExhausted,
    SerialRange,
    check_free,
    check_pattern,
    format_number,
    next_free_range,
    next_serial,
    parse_serial,
)
from fieldapp.domain.permissions import Action
from fieldapp.resources import resource
from fieldapp.services.context import ServiceContext
from fieldapp.services.results import Written
from fieldapp.services.rules import put_setting
from fieldapp.store.tables import (
    AgencyProfile,
    CaseFile,
    Document,
    NumberBlock,
    Officer,
    RuleSetting,
    Squad,
    VoidedNumber,
)
from fieldapp.store.unit import Tx

PATTERN_SETTING = "document_number_pattern"
SOURCES = ("local", "hq")


@dataclass(frozen=True)
class NumberCatalogue:
    """``resources/catalogue/document_numbers.json``."""

    pattern: str
    block_size: int
    codes: dict[str, str]  # kind -> 文号 code, e.g. 罚决字
    shorts: dict[str, str]  # kind -> ASCII short code for the QR payload


@cache
def number_catalogue() -> NumberCatalogue:
    data = json.loads(resource("catalogue", "document_numbers.json").read_text("utf-8"))
    kinds: dict[str, dict[str, str]] = data["kinds"]
    return NumberCatalogue(check_pattern(data.get("pattern", DEFAULT_PATTERN)),
                           int(data["block_size"]),
                           {k: v["code"] for k, v in kinds.items()},
                           {k: v["short"] for k, v in kinds.items()})


def kind_of_short(short: str) -> str | None:
    return next((k for k, s in number_catalogue().shorts.items() if s == short), None)


def _check_kind(kind: str) -> str:
    if kind not in number_catalogue().codes:
        raise ValidationError("document kind", "'{kind}' is not a document kind; use one of "
                              "{kinds}", kind=kind, kinds=", ".join(DocumentKind))
    return kind


def number_pattern(session: Session, kind: str) -> str:
    """The agency's pattern for ``kind`` (setting per kind, then general, then default)."""
    for key in (f"{PATTERN_SETTING}.{kind}", PATTERN_SETTING):
        row = session.get(RuleSetting, key)
        if row is not None:
            return check_pattern(str(json.loads(row.value_json)))
    return number_catalogue().pattern


def set_number_pattern(*, ctx: ServiceContext, officer_id: str, pattern: str,
                       kind: str | None = None) -> Written:
    """Set the agency's 文号 pattern, for every kind or for one kind."""
    check_pattern(pattern)
    key = f"{PATTERN_SETTING}.{_check_kind(kind)}" if kind else PATTERN_SETTING
    with ctx.write(officer_id, action=Action.SET_NUMBER_PATTERN) as tx:
        put_setting(tx, key, pattern, officer_id)
        tx.audit("numbering.pattern", "rule_setting", key, {"pattern": pattern})
    return Written(key, frozenset(tx.changed))


# --- blocks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockView:
    id: str
    squad_id: str
    kind: str
    year: int
    first: int
    last: int
    next: int
    remaining: int
    device_id: str
    source: str


def _view(block: NumberBlock) -> BlockView:
    state = _state(block)
    return BlockView(block.id, block.squad_id, block.kind, block.year, block.first_serial,
                     block.last_serial, block.next_serial, state.remaining, block.device_id,
                     block.source)


def _state(block: NumberBlock) -> BlockState:
    return BlockState(SerialRange(block.first_serial, block.last_serial), block.next_serial)


def _scope(session: Session, squad_id: str, kind: str) -> list[str] | None:
    """The squads whose serials share a sequence with ``squad_id`` (None: all squads)."""
    return [squad_id] if "{squad}" in number_pattern(session, kind) else None


def _known(session: Session, squad_id: str, kind: str,
           year: int) -> tuple[list[SerialRange], set[int]]:
    """Every block and every used or voided serial this store knows of, in scope."""
    squads = _scope(session, squad_id, kind)

    def where(query: Any, table: Any) -> Any:
        query = query.where(table.kind == kind, table.year == year)
        return query if squads is None else query.where(col(table.squad_id).in_(squads))

    ranges = [SerialRange(b.first_serial, b.last_serial)
              for b in session.exec(where(select(NumberBlock), NumberBlock))]
    used = set(session.exec(where(select(VoidedNumber.serial), VoidedNumber)))
    used |= {s for s in session.exec(where(select(Document.serial), Document)) if s}
    if kind == DocumentKind.FILING_APPROVAL:
        used |= _case_numbers(session, squad_id, kind, year)
    return ranges, used


def _case_numbers(session: Session, squad_id: str, kind: str, year: int) -> set[int]:
    """Serials of case numbers (立案号) already written on cases, e.g. imported ones."""
    agency, squad, pattern = _naming(session, squad_id, kind)
    code = number_catalogue().codes[kind]
    found = set()
    like = _like(format_number(pattern, agency=agency, code=code, year=year,
                               serial=_MARK, squad=squad))
    for case_no in session.exec(select(CaseFile.case_no).where(
            col(CaseFile.case_no).like(like, escape="\\"))):
        serial = parse_serial(case_no, pattern, agency=agency, code=code, year=year,
                              squad=squad)
        if serial:
            found.add(serial)
    return found


_MARK = 918273645546372819  # a serial no real number holds, replaced by the wildcard


def _like(number: str) -> str:
    """A LIKE pattern for every serial of ``number`` (written with the serial ``_MARK``)."""
    escaped = number.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace(str(_MARK), "%")


def _naming(session: Session, squad_id: str, kind: str) -> tuple[str, str, str]:
    agency = session.exec(select(AgencyProfile)).first()
    if agency is None:
        raise ValidationError("agency name", "set up the agency first")
    squad = session.get(Squad, squad_id)
    if squad is None:
        raise NotFound("squad", squad_id)
    return agency.short_code, squad.code, number_pattern(session, kind)


def reserve_block(*, ctx: ServiceContext, squad_id: str, kind: str, year: int,
                  first: int | None = None, last: int | None = None,
                  size: int | None = None, source: str | None = None,
                  officer_id: str = "") -> BlockView:
    """Reserve serials to this device: ``first``–``last`` as leased (by HQ), or else the
    next free local block of ``size`` (default from the catalogue)."""
    _check_kind(kind)
    with ctx.write(officer_id, action=Action.RESERVE_NUMBERS) as tx:
        block = reserve_block_in(tx, squad_id=squad_id, kind=kind, year=year, first=first,
                                 last=last, size=size, source=source)
    return _view(block)


def reserve_block_in(tx: Tx, *, squad_id: str, kind: str, year: int,
                     first: int | None = None, last: int | None = None,
                     size: int | None = None, source: str | None = None) -> NumberBlock:
    if (first is None) != (last is None):
        raise ValidationError("number block", "give both the first and the last serial")
    source = source or ("hq" if first is not None else "local")
    if source not in SOURCES:
        raise ValidationError("number block", "'{source}' is not one of {choices}",
                              source=source, choices=", ".join(SOURCES))
    if tx.session.get(Squad, squad_id) is None:
        raise NotFound("squad", squad_id)
    ranges, used = _known(tx.session, squad_id, kind, year)
    if first is not None and last is not None:
        wanted = SerialRange(first, last)
        check_free(wanted, ranges, used)
    else:
        wanted = next_free_range(ranges, used, size or number_catalogue().block_size)
    block = tx.add(NumberBlock(
        id=tx.new_id(), squad_id=squad_id, kind=kind, year=year, first_serial=wanted.first,
        last_serial=wanted.last, next_serial=wanted.first, device_id=tx.device_id,
        source=source, created_at=tx.now))
    tx.audit("number_block.reserve", "number_block", block.id, {
        "squad": squad_id, "kind": kind, "year": year, "first": wanted.first,
        "last": wanted.last, "source": source})
    return block


def list_blocks(*, ctx: ServiceContext, squad_id: str | None = None, kind: str | None = None,
                year: int | None = None, this_device: bool = False) -> list[BlockView]:
    query = select(NumberBlock)
    if squad_id:
        query = query.where(NumberBlock.squad_id == squad_id)
    if kind:
        query = query.where(NumberBlock.kind == kind)
    if year:
        query = query.where(NumberBlock.year == year)
    if this_device:
        query = query.where(NumberBlock.device_id == ctx.device_id)
    with ctx.read() as session:
        rows = session.exec(query.order_by(col(NumberBlock.kind), col(NumberBlock.year),
                                           col(NumberBlock.first_serial))).all()
    return [_view(b) for b in rows]


# --- issuing --------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedNumber:
    year: int
    serial: int
    number: str  # the 文号 text


def local_year(moment: dt.datetime) -> int:
    return moment.astimezone(agency_zone()).year


def take_number_in(tx: Tx, *, squad_id: str, kind: str, year: int) -> IssuedNumber:
    """The next number of this device for squad, kind and year, inside the caller's
    transaction (so the number and the document commit together, or neither)."""
    _check_kind(kind)
    blocks = tx.session.exec(select(NumberBlock).where(
        NumberBlock.squad_id == squad_id, NumberBlock.kind == kind, NumberBlock.year == year,
        NumberBlock.device_id == tx.device_id).order_by(col(NumberBlock.first_serial))).all()
    voided = set(tx.session.exec(select(VoidedNumber.serial).where(
        VoidedNumber.squad_id == squad_id, VoidedNumber.kind == kind,
        VoidedNumber.year == year)))
    for block in blocks:
        serial, after = next_serial(_state(block), voided)
        if after.next != block.next_serial:
            tx.update(block, {"next_serial": after.next})
        if serial is not None:
            return _issued(tx.session, squad_id, kind, year, serial)
    if any(b.source == "hq" for b in blocks):
        raise NumbersExhausted(kind, year)
    block = reserve_block_in(tx, squad_id=squad_id, kind=kind, year=year)
    serial, after = next_serial(_state(block), voided)
    if serial is None:  # pragma: no cover - a fresh block lies after every voided serial
        raise NumbersExhausted(kind, year)
    tx.update(block, {"next_serial": after.next})
    return _issued(tx.session, squad_id, kind, year, serial)


def _issued(session: Session, squad_id: str, kind: str, year: int, serial: int) -> IssuedNumber:
    agency, squad, pattern = _naming(session, squad_id, kind)
    return IssuedNumber(year, serial, format_number(
        pattern, agency=agency, code=number_catalogue().codes[kind], year=year,
        serial=serial, squad=squad))


# --- voided numbers -------------------------------------------------------------------


@dataclass(frozen=True)
class VoidedView:
    number: str
    kind: str
    year: int
    serial: int
    reason: str
    document_id: str | None
    officer: str
    at: dt.datetime


def record_voided_in(tx: Tx, *, squad_id: str, kind: str, year: int, serial: int, number: str,
                     reason: str, officer_id: str, document_id: str | None) -> VoidedNumber:
    if tx.session.exec(select(VoidedNumber).where(
            VoidedNumber.squad_id == squad_id, VoidedNumber.kind == kind,
            VoidedNumber.year == year, VoidedNumber.serial == serial)).first() is not None:
        raise DomainError("the number {number} is already voided", number=number)
    row = tx.add(VoidedNumber(
        id=tx.new_id(), squad_id=squad_id, kind=kind, year=year, serial=serial,
        number=number, reason=reason, document_id=document_id, officer_id=officer_id,
        at_utc=tx.now, created_at=tx.now))
    tx.audit("number.void", "voided_number", row.id, {
        "number": number, "kind": kind, "year": year, "serial": serial, "reason": reason,
        "document": document_id})
    return row


def void_unused_number(*, ctx: ServiceContext, officer_id: str, squad_id: str, kind: str,
                       year: int, serial: int, reason: str) -> Written:
    """Void a number of this device's blocks that no document uses (e.g. a spoiled
    pre-printed form); it is listed as voided and never issued."""
    if not reason.strip():
        raise ValidationError("reason", "is required")
    with ctx.write(officer_id, action=Action.VOID_NUMBER) as tx:
        mine = tx.session.exec(select(NumberBlock).where(
            NumberBlock.squad_id == squad_id, NumberBlock.kind == kind,
            NumberBlock.year == year, NumberBlock.device_id == tx.device_id,
            NumberBlock.first_serial <= serial, NumberBlock.last_serial >= serial)).first()
        if mine is None:
            raise ValidationError("number block", "serial {serial} is not in a block of this "
                                  "device", serial=serial)
        if tx.session.exec(select(Document.id).where(
                Document.squad_id == squad_id, Document.kind == kind, Document.year == year,
                Document.serial == serial)).first() is not None:
            raise DomainError("serial {serial} is used by an issued document: void the "
                              "document instead", serial=serial)
        issued = _issued(tx.session, squad_id, kind, year, serial)
        row = record_voided_in(tx, squad_id=squad_id, kind=kind, year=year, serial=serial,
                               number=issued.number, reason=reason.strip(),
                               officer_id=officer_id, document_id=None)
    return Written(row.id, frozenset(tx.changed))


def list_voided(*, ctx: ServiceContext, year: int, squad_id: str | None = None,
                kind: str | None = None) -> list[VoidedView]:
    """The voided numbers of a year, by kind and serial (作废文号登记)."""
    query = select(VoidedNumber, Officer.name).join(
        Officer, col(Officer.id) == col(VoidedNumber.officer_id)).where(
        VoidedNumber.year == year)
    if squad_id:
        query = query.where(VoidedNumber.squad_id == squad_id)
    if kind:
        query = query.where(VoidedNumber.kind == kind)
    with ctx.read() as session:
        rows = session.exec(query.order_by(col(VoidedNumber.kind),
                                           col(VoidedNumber.serial))).all()
    return [VoidedView(v.number, v.kind, v.year, v.serial, v.reason, v.document_id, name,
                       v.at_utc) for v, name in rows]
