"""No-penalty lists (轻微违法行为免罚清单): load, import, export, review, find the one in
force.

The file formats (the app's own layout and the bureaus' layouts) live in
``fieldapp.interchange.no_penalty_sheets``; this module validates what a file holds,
matches a bureau's items to the catalogue (``domain.bureau_lists``) and stores the list.

Errors: a file is imported whole or not at all. Every bad cell is reported as a
``RowProblem(row, column, problem, params)``: for CSV/XLSX, the row as Excel numbers it
and the column header as the file prints it (or the detail's label); for JSON, the
item's position in "items" from 1 (0 for the "list" details) and the JSON key. Details
given in ``metadata`` are reported at row 0 under their key.

A list whose items had to be matched (a bureau's file has no codes) is stored as a
draft when any match is doubtful or missing; ``list_review`` lets a leader confirm or
map them and publish it. Only published lists are ever in force.
"""

from __future__ import annotations

import datetime as dt
import json
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from fieldapp.domain.bureau_lists import (
    CatalogueEntry,
    MatchState,
)
from fieldapp.domain.errors import NotFound, ValidationError
from fieldapp.domain.no_penalty import (
    DOC_NO_FIELD,
    Condition,
    ConditionKind,
    ExemptionKind,
    ImportErrors,
    NoPenaltyItem,
    NoPenaltyList,
    RequiredMeasure,
    list_in_force,
)
from fieldapp.domain.permissions import Action
from fieldapp.i18n import _, gettext
from fieldapp.interchange.no_penalty_import import ParsedList, parse_list_file
from fieldapp.interchange.no_penalty_sheets import (
    WRITERS,
    conditions_json,
    details_json,
    unsupported,
)
from fieldapp.resources import resource
from fieldapp.services.context import ServiceContext
from fieldapp.store import tables
from fieldapp.store.store import Store
from fieldapp.store.unit import Tx


@dataclass(frozen=True)
class ImportResult:
    """What an import stored; ``changed`` is empty when the list was already there."""

    list_id: str
    items: int
    domains: int
    changed: frozenset[str]
    draft: bool = False  # waits for a leader to confirm the matches (list_review)
    to_review: tuple[int, ...] = ()  # item numbers matched with doubt or not at all


# ---- public use cases ---------------------------------------------------------------------


def load_default_list(*, ctx: ServiceContext) -> ImportResult:
    """Load the list shipped in ``resources/``, unless that version is already loaded."""
    path = resource("catalogue", "no_penalty_list.json")
    return _store(ctx, "", _parse(ctx, path, None), skip_existing=True,
                  action=Action.LOAD_CATALOGUE)


def import_list(*, ctx: ServiceContext, officer_id: str, path: Path,
                metadata: Mapping[str, str | dt.date | None] | None = None) -> ImportResult:
    """Import a .json, .csv or .xlsx list as a new version, all of it or (on any error) none.

    ``metadata`` (keys as in ``DETAILS``) replaces the file's list details, e.g. to load
    a re-issued list under its new document number. Raises ``ImportErrors`` naming every
    bad row and column, or ``ValidationError`` for a file it cannot read at all.
    """
    return _store(ctx, officer_id, _parse(ctx, path, metadata), skip_existing=False)


def export_list(*, ctx: ServiceContext, list_id: str, path: Path) -> Path:
    """Write a stored list to .csv, .xlsx or .json; ``import_list`` reads it back unchanged."""
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        raise unsupported(path)
    writer(get_list(ctx=ctx, list_id=list_id), path)
    return path


# Lists are only ever added (an import is a new version), a draft is published once and
# its review only confirms items and changes their codes, so these counts and the latest
# import time identify what is stored; advice reads the lists on every call.
_cached: weakref.WeakKeyDictionary[Store, tuple[tuple[Any, ...], list[NoPenaltyList]]] = (
    weakref.WeakKeyDictionary())


def lists(*, ctx: ServiceContext) -> list[NoPenaltyList]:
    """Every stored version, by start date then import order."""
    with ctx.read() as session:
        # One statement on advice's hot path: lists, their latest import, the published
        # ones, and the versions a leader's review of a draft makes.
        stamp = tuple(session.connection().exec_driver_sql(
            "SELECT (SELECT COUNT(*) FROM no_penalty_list),"
            " (SELECT MAX(imported_at) FROM no_penalty_list),"
            " (SELECT COUNT(*) FROM no_penalty_list WHERE status = 'published'),"
            " (SELECT COUNT(*) || ':' || TOTAL(version) FROM no_penalty_item),"
            " (SELECT COUNT(*) || ':' || TOTAL(version) FROM no_penalty_item_violation)"
        ).one())
        cached = _cached.get(ctx.store)
        if cached is not None and cached[0] == stamp:
            return list(cached[1])
        rows = session.exec(select(tables.NoPenaltyList).order_by(
            col(tables.NoPenaltyList.effective_from), col(tables.NoPenaltyList.imported_at),
            col(tables.NoPenaltyList.id))).all()
        found = [_to_domain(session, row) for row in rows]
    _cached[ctx.store] = (stamp, found)
    return list(found)


def list_in_force_on(*, ctx: ServiceContext, on: dt.date) -> NoPenaltyList | None:
    """The version that governs an act done on ``on`` (the act's date, not today's)."""
    return list_in_force(lists(ctx=ctx), on)


def get_list(*, ctx: ServiceContext, list_id: str) -> NoPenaltyList:
    with ctx.read() as session:
        row = session.get(tables.NoPenaltyList, list_id)
        if row is None:
            raise NotFound("no-penalty list", list_id)
        return _to_domain(session, row)


def _parse(ctx: ServiceContext, path: Path,
           metadata: Mapping[str, str | dt.date | None] | None) -> ParsedList:
    with ctx.read() as session:
        known = set(session.exec(select(tables.ViolationType.code)).all())
    return parse_list_file(path, metadata, known, lambda: catalogue_entries(ctx))


def describe_problems(error: ImportErrors) -> list[str]:
    """One line per bad cell, in the current language, for the CLI and the import dialog."""
    return [_("row {row}, {column}: {problem}", row=p.row, column=p.column,
              problem=p.message(gettext)) for p in error.problems]


# ---- storing and reading back -----------------------------------------------------------


def _store(ctx: ServiceContext, officer_id: str, parsed: ParsedList, *,
           skip_existing: bool, action: Action = Action.IMPORT_LIST) -> ImportResult:
    lst = parsed.lst
    counts = (len(lst.items), len(lst.domains))
    with ctx.write(officer_id, action=action) as tx:
        existing = _existing(tx.session, lst)
        if existing is not None and skip_existing:
            return ImportResult(existing.id, *counts, changed=frozenset())
        if existing is not None:
            raise ValidationError(DOC_NO_FIELD, "a list from {issuer} with this document "
                                  "number and start date is already loaded",
                                  issuer=lst.issuer)
        list_id = _save(tx, lst)
        tx.audit("no_penalty_list.import", "no_penalty_list", list_id, _audit_payload(parsed))
    review = tuple(i.item_no for i in lst.items if i.match_state != MatchState.CONFIRMED)
    return ImportResult(list_id, *counts, changed=frozenset(tx.changed),
                        draft=lst.status == "draft", to_review=review)


def catalogue_entries(ctx: ServiceContext) -> tuple[list[CatalogueEntry], dict[str, str]]:
    """The catalogue as a bureau's items are matched against it: each type's 违则 and
    罚则, the city's versions included, and its domain."""
    with ctx.read() as session:
        types = session.exec(select(tables.ViolationType)).all()
        city = session.exec(select(tables.CityViolationRule)).all()
    extra: dict[str, list[str]] = {}
    for rule in city:
        extra.setdefault(rule.violation_code, []).extend((rule.provision,
                                                          rule.penalty_provision))
    entries = [CatalogueEntry(t.code, t.name, "\n".join(
        (t.provision, t.penalty_provision, *extra.get(t.code, ())))) for t in types]
    return entries, {t.code: t.domain for t in types}


def _existing(session: Session, lst: NoPenaltyList) -> tables.NoPenaltyList | None:
    row = tables.NoPenaltyList
    return session.exec(select(row).where(
        row.issuer == lst.issuer, row.doc_no == lst.doc_no,
        row.effective_from == lst.effective_from)).first()


def _save(tx: Tx, lst: NoPenaltyList) -> str:
    list_id = tx.new_id()
    tx.add(tables.NoPenaltyList(
        id=list_id, city=lst.city, issuer=lst.issuer, doc_no=lst.doc_no, title=lst.title,
        effective_from=lst.effective_from, effective_to=lst.effective_to, imported_at=tx.now,
        status=lst.status, notes=lst.notes))
    for item in lst.items:
        row = tx.add(tables.NoPenaltyItem(
            id=tx.new_id(), list_id=list_id, item_no=item.item_no, domain=item.domain,
            name=item.name, prohibiting_provision=item.prohibiting_provision,
            penalty_provision=item.penalty_provision, statutory_penalty=item.statutory_penalty,
            exemption_kind=item.exemption_kind.value,
            conditions_json=json.dumps(conditions_json(item.conditions), ensure_ascii=False),
            required_measure=item.required_measure.value, notes=item.notes, source=item.source,
            basis=item.basis, match_state=item.match_state))
        for code in item.violation_codes:
            tx.add(tables.NoPenaltyItemViolation(item_id=row.id, violation_code=code))
    return list_id


def _audit_payload(parsed: ParsedList) -> dict[str, Any]:
    """What was imported, and the exact file (by hash) it came from."""
    return details_json(parsed.lst) | {"items": len(parsed.lst.items),
                                       "file": parsed.file_name, "sha256": parsed.digest,
                                       "status": parsed.lst.status}


def _to_domain(session: Session, row: tables.NoPenaltyList) -> NoPenaltyList:
    item_rows = session.exec(select(tables.NoPenaltyItem).where(
        tables.NoPenaltyItem.list_id == row.id).order_by(col(tables.NoPenaltyItem.item_no))).all()
    links = session.exec(select(tables.NoPenaltyItemViolation).where(
        col(tables.NoPenaltyItemViolation.item_id).in_([i.id for i in item_rows]),
        tables.NoPenaltyItemViolation.removed == False)).all()  # noqa: E712
    codes: dict[str, list[str]] = {}
    for link in links:
        codes.setdefault(link.item_id, []).append(link.violation_code)
    return NoPenaltyList(
        city=row.city, issuer=row.issuer, doc_no=row.doc_no, title=row.title,
        effective_from=row.effective_from, effective_to=row.effective_to, id=row.id,
        items=tuple(_item_to_domain(i, codes.get(i.id, [])) for i in item_rows),
        status=row.status, notes=row.notes)


def _item_to_domain(row: tables.NoPenaltyItem, codes: list[str]) -> NoPenaltyItem:
    conditions = tuple(Condition(ConditionKind(c["kind"]), c["text"], _float(c.get("value")))
                       for c in json.loads(row.conditions_json))
    return NoPenaltyItem(
        item_no=row.item_no, domain=row.domain, name=row.name,
        violation_codes=tuple(sorted(codes)), exemption_kind=ExemptionKind(row.exemption_kind),
        conditions=conditions, required_measure=RequiredMeasure(row.required_measure),
        prohibiting_provision=row.prohibiting_provision, penalty_provision=row.penalty_provision,
        statutory_penalty=row.statutory_penalty, source=row.source, notes=row.notes,
        basis=row.basis, match_state=row.match_state)


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)  # JSON gives back 5 for 5.0
