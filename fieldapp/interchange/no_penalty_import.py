"""Reading a no-penalty list file into a valid list: the city's own sheet (.json, .csv,
.xlsx as ``export`` writes them) or a bureau's published table, whose items are matched
against the catalogue and wait as a draft for a leader's review. One reader for the
desktop's import and HQ's publication."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldapp.domain.bureau_lists import (
    CatalogueEntry,
    MatchState,
    infer_exemption_kind,
    infer_measure,
    match_item,
    parse_conditions_lenient,
    split_basis,
)
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.no_penalty import (
    DOMAIN_FIELD,
    EFFECTIVE_FROM_FIELD,
    ITEM_NAME_FIELD,
    ITEM_NO_FIELD,
    LIST_FILE_FIELD,
    MEASURE_WORDS,
    Condition,
    NoPenaltyItem,
    NoPenaltyList,
    Problems,
    check_conditions,
    check_violation_codes,
    parse_conditions,
    parse_date,
    parse_end_date,
    parse_exemption_kind,
    parse_item_no,
    parse_required_measure,
    parse_violation_codes,
    require_text,
)
from fieldapp.interchange.no_penalty_sheets import (
    DETAIL_BY_LABEL,
    DETAILS,
    OPTIONAL_COLUMNS,
    Cell,
    SheetSource,
    cell_text,
    read_list_file,
)


@dataclass(frozen=True)
class ParsedList:
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


def parse_list_file(path: Path, metadata: Mapping[str, str | dt.date | None] | None,
                    known_codes: Collection[str],
                    catalogue: Callable[[], tuple[Sequence[CatalogueEntry],
                                                  Mapping[str, str]]]) -> ParsedList:
    """A list file (.json, .csv or .xlsx; a bureau's own sheet too) as a valid list, or
    ``ImportErrors`` naming every bad row and column. ``catalogue`` gives the entries a
    bureau's items are matched against (asked only for a bureau's sheet); ``metadata``
    (keys as in ``DETAILS``) replaces the file's list details."""
    source = read_list_file(path)
    problems = Problems()
    for row, label in source.bad_details:
        problems.add(row, label, _not_a_detail(label, list(DETAIL_BY_LABEL)))
    if source.bureau:
        _details_from_notes(source)
    _apply_metadata(source, metadata or {})
    if not source.items:
        raise ValidationError(LIST_FILE_FIELD, "'{name}' holds no items", name=source.name)
    build = _Build(known_codes, source.column, problems)
    if source.bureau:
        build.catalogue, build.domains = catalogue()
    details = _details(source.details, problems)
    items = [item for row, raw in source.items
             if (item := _item(row, raw, build, source.bureau))]
    problems.raise_if_any()
    status = "draft" if any(i.match_state != MatchState.CONFIRMED for i in items) else \
        "published"
    lst = NoPenaltyList(**details, items=tuple(sorted(items, key=lambda i: i.item_no)),
                        status=status, notes=source.notes)
    return ParsedList(lst, source.name, source.digest)


_SINCE = re.compile(r"自\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*起")
_UNTIL = re.compile(r"(?:有效期至|至)\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*(?:止|失效)?")


def _details_from_notes(source: SheetSource) -> None:
    """A bureau states the dates under its table: 本清单自2024年8月5日起施行。"""
    text = source.notes
    for key, pattern in (("effective_from", _SINCE), ("effective_to", _UNTIL)):
        found = pattern.search(text)
        if found and source.details[key].value in (None, ""):
            source.details[key] = Cell(0, key, found.group(1))


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
