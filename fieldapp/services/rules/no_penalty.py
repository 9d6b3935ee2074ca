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
import re
import weakref
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, select

from fieldapp.domain.bureau_lists import (
    CatalogueEntry,
    MatchState,
    infer_exemption_kind,
    infer_measure,
    match_item,
    parse_conditions_lenient,
    split_basis,
)
from fieldapp.domain.errors import NotFound, ValidationError
from fieldapp.domain.no_penalty import (
    DOC_NO_FIELD,
    DOMAIN_FIELD,
    EFFECTIVE_FROM_FIELD,
    ITEM_NAME_FIELD,
    ITEM_NO_FIELD,
    LIST_FILE_FIELD,
    MEASURE_WORDS,
    Condition,
    ConditionKind,
    ExemptionKind,
    ImportErrors,
    NoPenaltyItem,
    NoPenaltyList,
    Problems,
    RequiredMeasure,
    check_conditions,
    check_violation_codes,
    list_in_force,
    parse_conditions,
    parse_date,
    parse_end_date,
    parse_exemption_kind,
    parse_item_no,
    parse_required_measure,
    parse_violation_codes,
    require_text,
)
from fieldapp.domain.permissions import Action
from fieldapp.i18n import _, gettext
from fieldapp.interchange.no_penalty_sheets import (
    DETAIL_BY_LABEL,
    DETAILS,
    OPTIONAL_COLUMNS,
    WRITERS,
    Cell,
    SheetSource,
    cell_text,
    conditions_json,
    details_json,
    read_list_file,
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


# Lists are only ever added (an import is a new version) and a draft is published once,
# so the counts and the latest import time identify what is stored; advice reads the
# lists on every call.
_cached: weakref.WeakKeyDictionary[Store, tuple[tuple[Any, ...], list[NoPenaltyList]]] = (
    weakref.WeakKeyDictionary())


def lists(*, ctx: ServiceContext) -> list[NoPenaltyList]:
    """Every stored version, by start date then import order."""
    with ctx.read() as session:
        row = tables.NoPenaltyList
        # Lists are only added, or published once: these three identify what is stored.
        stamp = (*session.exec(select(func.count(), func.max(row.imported_at))).one(),
                 session.exec(select(func.count()).where(row.status == "published")).one())
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


def describe_problems(error: ImportErrors) -> list[str]:
    """One line per bad cell, in the current language, for the CLI and the import dialog."""
    return [_("row {row}, {column}: {problem}", row=p.row, column=p.column,
              problem=p.message(gettext)) for p in error.problems]


# ---- parsing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parsed:
    """A valid list and the file it came from (named in the audit record)."""

    lst: NoPenaltyList
    file_name: str
    digest: str


@dataclass
class _Build:
    known_codes: Collection[str]
    column: Callable[[str], str]
    problems: Problems = field(default_factory=Problems)
    item_rows: dict[int, int] = field(default_factory=dict)  # item number → first row
    catalogue: Sequence[CatalogueEntry] = ()  # for a bureau's items, to match
    domains: Mapping[str, str] = field(default_factory=dict)  # code → catalogue domain

    def claim_item_no(self, item_no: int, row: int) -> None:
        first = self.item_rows.setdefault(item_no, row)
        if first != row:
            raise ValidationError(ITEM_NO_FIELD, "item number {number} is already used in "
                                  "row {row}", number=item_no, row=first)


def _parse(ctx: ServiceContext, path: Path,
           metadata: Mapping[str, str | dt.date | None] | None) -> _Parsed:
    source = read_list_file(path)
    problems = Problems()
    for row, label in source.bad_details:
        problems.add(row, label, _not_a_detail(label, list(DETAIL_BY_LABEL)))
    if source.bureau:
        _details_from_notes(source)
    _apply_metadata(source, metadata or {})
    if not source.items:
        raise ValidationError(LIST_FILE_FIELD, "'{name}' holds no items", name=source.name)
    build = _Build(_known_codes(ctx), source.column, problems)
    if source.bureau:
        build.catalogue, build.domains = catalogue_entries(ctx)
    details = _details(source.details, problems)
    items = [item for row, raw in source.items
             if (item := _item(row, raw, build, source.bureau))]
    problems.raise_if_any()
    status = "draft" if any(i.match_state != MatchState.CONFIRMED for i in items) else \
        "published"
    lst = NoPenaltyList(**details, items=tuple(sorted(items, key=lambda i: i.item_no)),
                        status=status, notes=source.notes)
    return _Parsed(lst, source.name, source.digest)


_SINCE = re.compile(r"自\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*起")
_UNTIL = re.compile(r"(?:有效期至|至)\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*(?:止|失效)?")


def _details_from_notes(source: SheetSource) -> None:
    """A bureau states the dates under its table: 本清单自2024年8月5日起施行。"""
    text = source.notes
    for key, pattern in (("effective_from", _SINCE), ("effective_to", _UNTIL)):
        found = pattern.search(text)
        if found and source.details[key].value in (None, ""):
            source.details[key] = Cell(0, key, found.group(1))


def _known_codes(ctx: ServiceContext) -> set[str]:
    with ctx.read() as session:
        return set(session.exec(select(tables.ViolationType.code)).all())


def _apply_metadata(source: SheetSource,
                    metadata: Mapping[str, str | dt.date | None]) -> None:
    for key, value in metadata.items():
        if key not in DETAILS:
            raise _not_a_detail(key, list(DETAILS))
        source.details[key] = Cell(0, key, value)


def _details(details: Mapping[str, Cell], problems: Problems) -> dict[str, Any]:
    def check(key: str, parse: Callable[..., Any], *args: Any) -> Any:
        cell = details[key]
        return problems.check(cell.row, cell.column, parse, *args)

    def text(key: str) -> str:
        return cell_text(details[key].value)

    values = {key: check(key, require_text, DETAILS[key][1], text(key))
              for key in ("city", "issuer", "title")}
    start = check("effective_from", parse_date, EFFECTIVE_FROM_FIELD, text("effective_from"))
    return values | {"doc_no": text("doc_no"), "effective_from": start,
                     "effective_to": check("effective_to", parse_end_date,
                                           text("effective_to"), start)}


def _item(row: int, raw: Mapping[str, object], build: _Build,
          bureau: bool) -> NoPenaltyItem | None:
    """One item, or None when any of its cells is bad (each problem is recorded)."""
    before = len(build.problems)

    def check(key: str, parse: Callable[..., Any], *args: Any) -> Any:
        return build.problems.check(row, build.column(key), parse, *args)

    def text(key: str) -> str:
        return cell_text(raw.get(key))

    conditions = check("conditions", parse_conditions_lenient if bureau else _conditions,
                       raw.get("conditions") if not bureau else text("conditions"))
    values: dict[str, Any] = {
        "item_no": check("item_no", parse_item_no, text("item_no")),
        "name": check("name", require_text, ITEM_NAME_FIELD, text("name")),
        "conditions": conditions,
    }
    if bureau:
        values |= _bureau_values(raw, build, conditions or (), check)
    else:
        values |= {
            "domain": check("domain", require_text, DOMAIN_FIELD, text("domain")),
            "violation_codes": check("violation_codes", _codes, raw.get("violation_codes"),
                                     build.known_codes),
            "exemption_kind": check("exemption_kind", parse_exemption_kind,
                                    text("exemption_kind")),
            "required_measure": check("required_measure", parse_required_measure,
                                      text("required_measure"))}
        values.update({key: text(key) for key in OPTIONAL_COLUMNS})
    if values["item_no"] is not None:
        check("item_no", build.claim_item_no, values["item_no"], row)
    if len(build.problems) > before:
        return None
    return NoPenaltyItem(**values)


def _bureau_values(raw: Mapping[str, object], build: _Build,
                   conditions: Sequence[Condition],
                   check: Callable[..., Any]) -> dict[str, Any]:
    """A bureau's item: codes by matching, the kind and measure its words imply."""
    def text(key: str) -> str:
        return cell_text(raw.get(key))

    basis = text("basis") or "\n".join(p for p in (text("prohibiting_provision"),
                                                   text("penalty_provision")) if p)
    prohibiting, penalty = split_basis(basis)
    match = match_item(text("name"), basis, build.catalogue)
    words = " ".join((text("conditions"), text("required_measure"), text("notes")))
    kind_text = text("exemption_kind")
    return {
        "domain": text("domain") or (build.domains.get(match.codes[0], "") if match.codes
                                     else "") or "其他",
        "violation_codes": match.codes, "match_state": match.state.value, "basis": basis,
        "exemption_kind": check("exemption_kind", parse_exemption_kind, kind_text)
        if kind_text else infer_exemption_kind(conditions, words),
        "required_measure": check("required_measure", parse_required_measure,
                                  text("required_measure")) if text("required_measure") in
        MEASURE_WORDS else infer_measure(words),
        "prohibiting_provision": text("prohibiting_provision") or prohibiting,
        "penalty_provision": text("penalty_provision") or penalty,
        "statutory_penalty": text("statutory_penalty"), "source": text("agency"),
        "notes": text("notes")}


def _codes(value: object, known: Collection[str]) -> tuple[str, ...]:
    if isinstance(value, list):  # JSON
        return check_violation_codes([cell_text(code) for code in value], known)
    return parse_violation_codes(cell_text(value), known)


def _conditions(value: object) -> tuple[Condition, ...]:
    if isinstance(value, list):  # JSON; a bare string is read for its kind
        return check_conditions([c if isinstance(c, Mapping) else {"text": cell_text(c)}
                                 for c in value])
    return parse_conditions(cell_text(value))


def _not_a_detail(label: str, labels: list[str]) -> ValidationError:
    return ValidationError(LIST_FILE_FIELD, "'{label}' is not a list detail; use {labels}",
                           label=label, labels="、".join(labels))


# ---- storing and reading back -----------------------------------------------------------


def _store(ctx: ServiceContext, officer_id: str, parsed: _Parsed, *,
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


def _audit_payload(parsed: _Parsed) -> dict[str, Any]:
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
