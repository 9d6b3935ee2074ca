"""No-penalty lists (轻微违法行为免罚清单): load, import, export, and find the one in force.

File layouts
------------
JSON: the shape of ``resources/catalogue/no_penalty_list.json``: ``{"list": {city, issuer,
doc_no, title, effective_from, effective_to}, "items": [{item_no, domain, name,
violation_codes: [...], prohibiting_provision, penalty_provision, statutory_penalty,
exemption_kind, conditions: [{kind, text, value?}], required_measure, source, notes}]}``.
A condition's words must say what its kind says (see ``domain.no_penalty.check_condition``).

CSV and XLSX share one layout, on one sheet (XLSX: the first sheet, written as "免罚清单")::

    清单名称 | 示例市城市管理领域轻微违法行为免罚清单        rows 1-6: list details,
    城市     | 示例市                                    label in column A,
    发布机关 | 示例市城市管理综合行政执法局              value in column B
    文号     | 示城管发〔2026〕1号                        (文号 and 失效日期 may
    生效日期 | 2026-01-01                                be empty; dates may also
    失效日期 |                                           be 2026/1/1 or 2026年1月1日)
    (blank row)
    序号 | 领域 | 事项名称 | 违法行为代码 | 违则 | 罚则 | 法定处罚 | 免罚情形 |
        适用条件 | 处理措施 | 来源 | 备注                              the header row, then
    1 | 市政设施 | 擅自占用城市道路 | SZ01 | … | 首违可不罚 |              one row per item
        1.首次被发现；2.占用面积不超过5平方米 | 教育并责令改正 | … | …

The header row is the first row whose column A is 序号; the rows above it are list
details, blank rows are skipped, extra columns are ignored. 违法行为代码 holds catalogue
codes separated by commas; 免罚情形 is 轻微不罚 / 首违可不罚 / 无过错不罚; 适用条件 numbers
its conditions and separates them with "；"; 处理措施 is 教育 / 教育并责令改正 / 签署承诺书.
CSV is written as UTF-8 with a BOM (so Excel shows the Chinese); GB18030, what Excel
saves on Chinese Windows, is read too.

Errors: a file is imported whole or not at all. Every bad cell is reported as a
``RowProblem(row, column, problem, params)``: for CSV/XLSX, the row as Excel numbers it
and the Chinese column header (or the detail's label); for JSON, the item's position in
"items" from 1 (0 for the "list" details) and the JSON key. Details given in
``metadata`` are reported at row 0 under their key.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import weakref
import zipfile
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, select

from fieldapp.domain.errors import NotFound, ValidationError
from fieldapp.domain.no_penalty import (
    CITY_FIELD,
    DOC_NO_FIELD,
    DOMAIN_FIELD,
    EFFECTIVE_FROM_FIELD,
    EFFECTIVE_TO_FIELD,
    EXEMPTION_LABELS,
    ISSUER_FIELD,
    ITEM_NAME_FIELD,
    ITEM_NO_FIELD,
    LIST_FILE_FIELD,
    MEASURE_LABELS,
    TITLE_FIELD,
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
    format_conditions,
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
from fieldapp.resources import resource
from fieldapp.services.context import ServiceContext
from fieldapp.store import tables
from fieldapp.store.store import Store
from fieldapp.store.unit import Tx

# Field key → the column bureaus publish it under.
COLUMNS = {
    "item_no": "序号", "domain": "领域", "name": "事项名称", "violation_codes": "违法行为代码",
    "prohibiting_provision": "违则", "penalty_provision": "罚则", "statutory_penalty": "法定处罚",
    "exemption_kind": "免罚情形", "conditions": "适用条件", "required_measure": "处理措施",
    "source": "来源", "notes": "备注",
}
_OPTIONAL_COLUMNS = ("prohibiting_provision", "penalty_provision", "statutory_penalty",
                     "source", "notes")
# List detail key → (its label in CSV/XLSX, its field label in messages).
DETAILS = {
    "title": ("清单名称", TITLE_FIELD), "city": ("城市", CITY_FIELD),
    "issuer": ("发布机关", ISSUER_FIELD), "doc_no": ("文号", DOC_NO_FIELD),
    "effective_from": ("生效日期", EFFECTIVE_FROM_FIELD),
    "effective_to": ("失效日期", EFFECTIVE_TO_FIELD),
}
_DETAIL_BY_LABEL = {label: key for key, (label, _field) in DETAILS.items()}
_SHEET = "免罚清单"


@dataclass(frozen=True)
class ImportResult:
    """What an import stored; ``changed`` is empty when the list was already there."""

    list_id: str
    items: int
    domains: int
    changed: frozenset[str]


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
    writer = _WRITERS.get(path.suffix.lower())
    if writer is None:
        raise _unsupported(path)
    writer(get_list(ctx=ctx, list_id=list_id), path)
    return path


# Lists are only ever added (an import is a new version), so the number of versions and
# the latest import time identify what is stored; advice reads the lists on every call.
_cached: weakref.WeakKeyDictionary[Store, tuple[tuple[Any, ...], list[NoPenaltyList]]] = (
    weakref.WeakKeyDictionary())


def lists(*, ctx: ServiceContext) -> list[NoPenaltyList]:
    """Every stored version, by start date then import order."""
    with ctx.read() as session:
        stamp = tuple(session.exec(select(func.count(), func.max(
            tables.NoPenaltyList.imported_at))).one())
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
class _Cell:
    row: int
    column: str
    value: object


@dataclass
class _Source:
    """A file read into list details and raw items, before any validation."""

    name: str
    digest: str
    details: dict[str, _Cell]
    items: Sequence[tuple[int, Mapping[str, object]]]
    column: Callable[[str], str]  # field key → the column name errors report


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

    def claim_item_no(self, item_no: int, row: int) -> None:
        first = self.item_rows.setdefault(item_no, row)
        if first != row:
            raise ValidationError(ITEM_NO_FIELD, "item number {number} is already used in "
                                  "row {row}", number=item_no, row=first)


def _parse(ctx: ServiceContext, path: Path,
           metadata: Mapping[str, str | dt.date | None] | None) -> _Parsed:
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise _unsupported(path)
    if not path.is_file():
        raise ValidationError(LIST_FILE_FIELD, "'{path}' does not exist", path=str(path))
    problems = Problems()
    source = reader(path, problems)
    _apply_metadata(source, metadata or {})
    if not source.items:
        raise ValidationError(LIST_FILE_FIELD, "'{name}' holds no items", name=source.name)
    build = _Build(_known_codes(ctx), source.column, problems)
    details = _details(source.details, problems)
    items = [item for row, raw in source.items if (item := _item(row, raw, build))]
    problems.raise_if_any()
    lst = NoPenaltyList(**details, items=tuple(sorted(items, key=lambda i: i.item_no)))
    return _Parsed(lst, source.name, source.digest)


def _known_codes(ctx: ServiceContext) -> set[str]:
    with ctx.read() as session:
        return set(session.exec(select(tables.ViolationType.code)).all())


def _apply_metadata(source: _Source, metadata: Mapping[str, str | dt.date | None]) -> None:
    for key, value in metadata.items():
        if key not in DETAILS:
            raise _not_a_detail(key, list(DETAILS))
        source.details[key] = _Cell(0, key, value)


def _details(details: Mapping[str, _Cell], problems: Problems) -> dict[str, Any]:
    def check(key: str, parse: Callable[..., Any], *args: Any) -> Any:
        cell = details[key]
        return problems.check(cell.row, cell.column, parse, *args)

    def text(key: str) -> str:
        return _text(details[key].value)

    values = {key: check(key, require_text, DETAILS[key][1], text(key))
              for key in ("city", "issuer", "title")}
    start = check("effective_from", parse_date, EFFECTIVE_FROM_FIELD, text("effective_from"))
    return values | {"doc_no": text("doc_no"), "effective_from": start,
                     "effective_to": check("effective_to", parse_end_date,
                                           text("effective_to"), start)}


def _item(row: int, raw: Mapping[str, object], build: _Build) -> NoPenaltyItem | None:
    """One item, or None when any of its cells is bad (each problem is recorded)."""
    before = len(build.problems)

    def check(key: str, parse: Callable[..., Any], *args: Any) -> Any:
        return build.problems.check(row, build.column(key), parse, *args)

    def text(key: str) -> str:
        return _text(raw.get(key))

    values: dict[str, Any] = {
        "item_no": check("item_no", parse_item_no, text("item_no")),
        "domain": check("domain", require_text, DOMAIN_FIELD, text("domain")),
        "name": check("name", require_text, ITEM_NAME_FIELD, text("name")),
        "violation_codes": check("violation_codes", _codes, raw.get("violation_codes"),
                                 build.known_codes),
        "exemption_kind": check("exemption_kind", parse_exemption_kind, text("exemption_kind")),
        "conditions": check("conditions", _conditions, raw.get("conditions")),
        "required_measure": check("required_measure", parse_required_measure,
                                  text("required_measure")),
    }
    if values["item_no"] is not None:
        check("item_no", build.claim_item_no, values["item_no"], row)
    if len(build.problems) > before:
        return None
    values.update({key: text(key) for key in _OPTIONAL_COLUMNS})
    return NoPenaltyItem(**values)


def _codes(value: object, known: Collection[str]) -> tuple[str, ...]:
    if isinstance(value, list):  # JSON
        return check_violation_codes([_text(code) for code in value], known)
    return parse_violation_codes(_text(value), known)


def _conditions(value: object) -> tuple[Condition, ...]:
    if isinstance(value, list):  # JSON; a bare string is read for its kind
        return check_conditions([c if isinstance(c, Mapping) else {"text": _text(c)}
                                 for c in value])
    return parse_conditions(_text(value))


def _text(value: object) -> str:
    """A cell or JSON value as text: Excel's numbers and dates as a person typed them."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _unsupported(path: Path) -> ValidationError:
    return ValidationError(LIST_FILE_FIELD, "'{name}' is not a .json, .csv or .xlsx file",
                           name=path.name)


def _unreadable(path: Path, error: Exception) -> ValidationError:
    return ValidationError(LIST_FILE_FIELD, "'{name}' cannot be read: {error}",
                           name=path.name, error=str(error))


def _not_a_detail(label: str, labels: list[str]) -> ValidationError:
    return ValidationError(LIST_FILE_FIELD, "'{label}' is not a list detail; use {labels}",
                           label=label, labels="、".join(labels))


# ---- readers -------------------------------------------------------------------------------


def _read_json(path: Path, problems: Problems) -> _Source:
    data = path.read_bytes()
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _unreadable(path, error) from error
    if not isinstance(document, dict):
        document = {}
    info, items = document.get("list"), document.get("items")
    if not isinstance(info, dict) or not isinstance(items, list):
        raise ValidationError(LIST_FILE_FIELD, "'{name}' lacks the list details or the items",
                              name=path.name)
    details = {key: _Cell(0, key, info.get(key)) for key in DETAILS}
    rows = [(n, item if isinstance(item, dict) else {}) for n, item in enumerate(items, 1)]
    return _Source(path.name, _digest(data), details, rows, column=str)


def _read_csv(path: Path, problems: Problems) -> _Source:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # what Excel saves on Chinese Windows
        except UnicodeDecodeError as error:
            raise _unreadable(path, error) from error
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""))]
    return _table(path, _digest(data), rows, problems)


def _read_xlsx(path: Path, problems: Problems) -> _Source:
    import openpyxl  # type: ignore[import-untyped]  # here: it adds 0.1 s to every start

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise _unreadable(path, error) from error
    try:
        rows = [[_text(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()  # read-only workbooks keep the file open until closed
    return _table(path, _digest(path.read_bytes()), rows, problems)


def _table(path: Path, digest: str, rows: list[list[str]], problems: Problems) -> _Source:
    """Split a sheet into its details block, header row and item rows (1-based rows)."""
    numbered = [(n, row) for n, row in enumerate(rows, start=1) if any(row)]
    header_at = next((i for i, (_n, row) in enumerate(numbered) if row[0] == "序号"), None)
    if header_at is None:
        raise ValidationError(LIST_FILE_FIELD, "no header row starting with 序号 was found "
                              "in '{name}'", name=path.name)
    index = _header_index(numbered[header_at][1])
    details = {key: _Cell(0, label, None) for key, (label, _f) in DETAILS.items()}
    for n, row in numbered[:header_at]:
        key = _DETAIL_BY_LABEL.get(row[0])
        if key is None:
            problems.add(n, row[0], _not_a_detail(row[0], list(_DETAIL_BY_LABEL)))
        else:
            details[key] = _Cell(n, row[0], row[1] if len(row) > 1 else "")
    items = [(n, {key: row[i] if i < len(row) else "" for key, i in index.items()})
             for n, row in numbered[header_at + 1:]]
    return _Source(path.name, digest, details, items, column=COLUMNS.__getitem__)


def _header_index(header: list[str]) -> dict[str, int]:
    position = {name: i for i, name in reversed(list(enumerate(header)))}  # first wins
    missing = [name for key, name in COLUMNS.items()
               if name not in position and key not in _OPTIONAL_COLUMNS]
    if missing:
        raise ValidationError(LIST_FILE_FIELD, "the header row lacks the columns {columns}",
                              columns="、".join(missing))
    return {key: position[name] for key, name in COLUMNS.items() if name in position}


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_READERS: dict[str, Callable[[Path, Problems], _Source]] = {
    ".json": _read_json, ".csv": _read_csv, ".xlsx": _read_xlsx}


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
    return ImportResult(list_id, *counts, changed=frozenset(tx.changed))


def _existing(session: Session, lst: NoPenaltyList) -> tables.NoPenaltyList | None:
    row = tables.NoPenaltyList
    return session.exec(select(row).where(
        row.issuer == lst.issuer, row.doc_no == lst.doc_no,
        row.effective_from == lst.effective_from)).first()


def _save(tx: Tx, lst: NoPenaltyList) -> str:
    list_id = tx.new_id()
    tx.add(tables.NoPenaltyList(
        id=list_id, city=lst.city, issuer=lst.issuer, doc_no=lst.doc_no, title=lst.title,
        effective_from=lst.effective_from, effective_to=lst.effective_to, imported_at=tx.now))
    for item in lst.items:
        row = tx.add(tables.NoPenaltyItem(
            id=tx.new_id(), list_id=list_id, item_no=item.item_no, domain=item.domain,
            name=item.name, prohibiting_provision=item.prohibiting_provision,
            penalty_provision=item.penalty_provision, statutory_penalty=item.statutory_penalty,
            exemption_kind=item.exemption_kind.value,
            conditions_json=json.dumps(_conditions_json(item.conditions), ensure_ascii=False),
            required_measure=item.required_measure.value, notes=item.notes, source=item.source))
        for code in item.violation_codes:
            tx.add(tables.NoPenaltyItemViolation(item_id=row.id, violation_code=code))
    return list_id


def _audit_payload(parsed: _Parsed) -> dict[str, Any]:
    """What was imported, and the exact file (by hash) it came from."""
    return _details_json(parsed.lst) | {"items": len(parsed.lst.items),
                                        "file": parsed.file_name, "sha256": parsed.digest}


def _to_domain(session: Session, row: tables.NoPenaltyList) -> NoPenaltyList:
    item_rows = session.exec(select(tables.NoPenaltyItem).where(
        tables.NoPenaltyItem.list_id == row.id).order_by(col(tables.NoPenaltyItem.item_no))).all()
    links = session.exec(select(tables.NoPenaltyItemViolation).where(
        col(tables.NoPenaltyItemViolation.item_id).in_([i.id for i in item_rows]))).all()
    codes: dict[str, list[str]] = {}
    for link in links:
        codes.setdefault(link.item_id, []).append(link.violation_code)
    return NoPenaltyList(
        city=row.city, issuer=row.issuer, doc_no=row.doc_no, title=row.title,
        effective_from=row.effective_from, effective_to=row.effective_to, id=row.id,
        items=tuple(_item_to_domain(i, codes.get(i.id, [])) for i in item_rows))


def _item_to_domain(row: tables.NoPenaltyItem, codes: list[str]) -> NoPenaltyItem:
    conditions = tuple(Condition(ConditionKind(c["kind"]), c["text"], _float(c.get("value")))
                       for c in json.loads(row.conditions_json))
    return NoPenaltyItem(
        item_no=row.item_no, domain=row.domain, name=row.name,
        violation_codes=tuple(sorted(codes)), exemption_kind=ExemptionKind(row.exemption_kind),
        conditions=conditions, required_measure=RequiredMeasure(row.required_measure),
        prohibiting_provision=row.prohibiting_provision, penalty_provision=row.penalty_provision,
        statutory_penalty=row.statutory_penalty, source=row.source, notes=row.notes)


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)  # JSON gives back 5 for 5.0


def _conditions_json(conditions: tuple[Condition, ...]) -> list[dict[str, Any]]:
    return [{"kind": c.kind.value, "text": c.text}
            | ({"value": _json_number(c.value)} if c.value is not None else {})
            for c in conditions]


# ---- writers -------------------------------------------------------------------------------


def _json_number(value: float) -> int | float:
    return int(value) if value.is_integer() else value  # 5, as the lists write it, not 5.0


def _details_json(lst: NoPenaltyList) -> dict[str, str | None]:
    return {"city": lst.city, "issuer": lst.issuer, "doc_no": lst.doc_no, "title": lst.title,
            "effective_from": lst.effective_from.isoformat(),
            "effective_to": lst.effective_to.isoformat() if lst.effective_to else None}


def _detail_rows(lst: NoPenaltyList) -> list[list[Any]]:
    values = _details_json(lst)
    return [[label, values[key] or ""] for key, (label, _f) in DETAILS.items()]


def _item_row(item: NoPenaltyItem) -> list[Any]:
    values = {
        "item_no": item.item_no, "domain": item.domain, "name": item.name,
        "violation_codes": ",".join(item.violation_codes),
        "exemption_kind": EXEMPTION_LABELS[item.exemption_kind],
        "conditions": format_conditions(item.conditions),
        "required_measure": MEASURE_LABELS[item.required_measure],
    } | {key: getattr(item, key) for key in _OPTIONAL_COLUMNS}
    return [values[key] for key in COLUMNS]


def _sheet_rows(lst: NoPenaltyList) -> list[list[Any]]:
    return [*_detail_rows(lst), [], list(COLUMNS.values()),
            *(_item_row(item) for item in lst.items)]


def _write_csv(lst: NoPenaltyList, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:  # BOM: Excel reads UTF-8
        csv.writer(out).writerows(_sheet_rows(lst))


def _write_xlsx(lst: NoPenaltyList, path: Path) -> None:
    import openpyxl  # here: it adds 0.1 s to every start
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _SHEET
    for row in _sheet_rows(lst):
        sheet.append(row)
    header_row = len(DETAILS) + 2
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for number, width in enumerate((6, 14, 30, 14, 40, 30, 30, 12, 50, 16, 30, 40), start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = f"A{header_row + 1}"
    book.save(path)


def _write_json(lst: NoPenaltyList, path: Path) -> None:
    document = {"list": _details_json(lst), "items": [_item_json(item) for item in lst.items]}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _item_json(item: NoPenaltyItem) -> dict[str, Any]:
    return {"item_no": item.item_no, "domain": item.domain, "name": item.name,
            "violation_codes": list(item.violation_codes),
            "prohibiting_provision": item.prohibiting_provision,
            "penalty_provision": item.penalty_provision,
            "statutory_penalty": item.statutory_penalty,
            "exemption_kind": item.exemption_kind.value,
            "conditions": _conditions_json(item.conditions),
            "required_measure": item.required_measure.value,
            "source": item.source, "notes": item.notes}


_WRITERS: dict[str, Callable[[NoPenaltyList, Path], None]] = {
    ".json": _write_json, ".csv": _write_csv, ".xlsx": _write_xlsx}
