"""No-penalty list files (轻微违法行为免罚清单): JSON, CSV and XLSX, read and written.

This layer knows file formats only (no store, no services), so the desktop and HQ read
and publish lists "from the same files".

Two table layouts are read, on one sheet (XLSX: the first sheet):

* **the app's own** (what ``write_*`` produce)::

    清单名称 | 示例市城市管理领域轻微违法行为免罚清单        rows 1-6: list details,
    城市     | 示例市                                    label in column A,
    发布机关 | 示例市城市管理综合行政执法局              value in column B
    文号     | 示城管发〔2026〕1号
    生效日期 | 2026-01-01
    失效日期 |
    (blank row)
    序号 | 领域 | 事项名称 | 违法行为代码 | 违则 | 罚则 | 法定处罚 | 免罚情形 | 适用条件 |
        处理措施 | 来源 | 备注 | 实施依据

* **as bureaus publish them** (DOMAIN.md §3.1 variants A–C): a title row (often merged
  across the columns), a header row whose names vary (see
  ``domain.bureau_lists.HEADER_SYNONYMS``), numbered multi-line conditions in one cell,
  no internal codes, notes under the table (注：…). The list's city, issuer and dates
  come from the caller (the title row gives the title).

JSON: ``{"list": {city, issuer, doc_no, title, effective_from, effective_to}, "items":
[{item_no, domain, name, violation_codes: [...], prohibiting_provision,
penalty_provision, statutory_penalty, exemption_kind, conditions: [{kind, text,
value?}], required_measure, source, notes, basis}]}``.

Rows are numbered as Excel numbers them; a reader reports a file it cannot read at all
as a ``ValidationError`` and leaves each cell's validation to the caller.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldapp.domain.bureau_lists import HEADER_SYNONYMS, header_keys, is_header, is_note
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.no_penalty import (
    CITY_FIELD,
    DOC_NO_FIELD,
    EFFECTIVE_FROM_FIELD,
    EFFECTIVE_TO_FIELD,
    EXEMPTION_LABELS,
    ISSUER_FIELD,
    LIST_FILE_FIELD,
    MEASURE_LABELS,
    TITLE_FIELD,
    Condition,
    NoPenaltyItem,
    NoPenaltyList,
    format_conditions,
)

# Field key → the column the app writes it under.
COLUMNS = {
    "item_no": "序号", "domain": "领域", "name": "事项名称", "violation_codes": "违法行为代码",
    "prohibiting_provision": "违则", "penalty_provision": "罚则", "statutory_penalty": "法定处罚",
    "exemption_kind": "免罚情形", "conditions": "适用条件", "required_measure": "处理措施",
    "source": "来源", "notes": "备注", "basis": "实施依据",
}
OPTIONAL_COLUMNS = ("prohibiting_provision", "penalty_provision", "statutory_penalty",
                    "source", "notes", "basis")
# List detail key → (its label in CSV/XLSX, its field label in messages).
DETAILS = {
    "title": ("清单名称", TITLE_FIELD), "city": ("城市", CITY_FIELD),
    "issuer": ("发布机关", ISSUER_FIELD), "doc_no": ("文号", DOC_NO_FIELD),
    "effective_from": ("生效日期", EFFECTIVE_FROM_FIELD),
    "effective_to": ("失效日期", EFFECTIVE_TO_FIELD),
}
DETAIL_BY_LABEL = {label: key for key, (label, _field) in DETAILS.items()}
SHEET = "免罚清单"


@dataclass(frozen=True)
class Cell:
    row: int
    column: str
    value: object


@dataclass
class SheetSource:
    """A file read into list details and raw items, before any validation."""

    name: str
    digest: str
    details: dict[str, Cell]
    items: Sequence[tuple[int, Mapping[str, object]]]
    column: Callable[[str], str]  # field key → the column name errors report
    bureau: bool = False  # published by a bureau: no codes, items to match
    notes: str = ""  # lines under the table
    bad_details: list[tuple[int, str]] = field(default_factory=list)  # (row, label)


def unsupported(path: Path) -> ValidationError:
    return ValidationError(LIST_FILE_FIELD, "'{name}' is not a .json, .csv or .xlsx file",
                           name=path.name)


def _unreadable(path: Path, error: Exception) -> ValidationError:
    return ValidationError(LIST_FILE_FIELD, "'{name}' cannot be read: {error}",
                           name=path.name, error=str(error))


def cell_text(value: object) -> str:
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


def read_list_file(path: Path) -> SheetSource:
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise unsupported(path)
    if not path.is_file():
        raise ValidationError(LIST_FILE_FIELD, "'{path}' does not exist", path=str(path))
    return reader(path)


def _read_json(path: Path) -> SheetSource:
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
    details = {key: Cell(0, key, info.get(key)) for key in DETAILS}
    rows = [(n, item if isinstance(item, dict) else {}) for n, item in enumerate(items, 1)]
    return SheetSource(path.name, _digest(data), details, rows, column=str,
                       notes=cell_text(info.get("notes")))


def _read_csv(path: Path) -> SheetSource:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # what Excel saves on Chinese Windows
        except UnicodeDecodeError as error:
            raise _unreadable(path, error) from error
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""))]
    return _table(path, _digest(data), rows)


def _read_xlsx(path: Path) -> SheetSource:
    import openpyxl  # type: ignore[import-untyped]  # here: it adds 0.1 s to every start

    try:
        # Not read-only: merged cells (a title row across the columns) are only seen so.
        book = openpyxl.load_workbook(path, data_only=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise _unreadable(path, error) from error
    try:
        rows = [[cell_text(v) for v in row]
                for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    return _table(path, _digest(path.read_bytes()), rows)


def _table(path: Path, digest: str, rows: list[list[str]]) -> SheetSource:
    """Split a sheet into details (or a title), the header row, items and notes."""
    numbered = [(n, row) for n, row in enumerate(rows, start=1) if any(row)]
    header_at = next((i for i, (_n, row) in enumerate(numbered) if is_header(row)), None)
    if header_at is None:
        raise ValidationError(LIST_FILE_FIELD, "no header row (序号, 事项名称, 适用条件 …) "
                              "was found in '{name}'", name=path.name)
    header = numbered[header_at][1]
    index = header_keys(header)
    names = {key: header[i] for key, i in index.items()}
    source = SheetSource(path.name, digest, {key: Cell(0, label, None) for key, (label, _f)
                                             in DETAILS.items()}, [],
                         column=lambda key: names.get(key, COLUMNS.get(key, key)),
                         bureau="violation_codes" not in index)
    _details_block(source, numbered[:header_at])
    body = numbered[header_at + 1:]
    items: list[tuple[int, dict[str, object]]] = []
    notes: list[str] = []
    for n, row in body:
        if notes or (is_note(row) and not _item_no(row, index).isdecimal()):
            notes.append(" ".join(c for c in row if c.strip()))
            continue
        items.append((n, {key: row[i] if i < len(row) else "" for key, i in index.items()}))
    source.items, source.notes = items, "\n".join(notes)
    return source


def _item_no(row: Sequence[str], index: Mapping[str, int]) -> str:
    i = index["item_no"]
    return row[i].strip() if i < len(row) else ""


def _details_block(source: SheetSource, rows: Sequence[tuple[int, list[str]]]) -> None:
    """The app's label/value rows, or a bureau's title row above the header."""
    for n, row in rows:
        filled = [c for c in row if c.strip()]
        key = DETAIL_BY_LABEL.get(row[0]) if row else None
        if key is not None:
            source.details[key] = Cell(n, row[0], row[1] if len(row) > 1 else "")
        elif len(filled) == 1 and source.details["title"].value is None:
            source.details["title"] = Cell(n, DETAILS["title"][0], filled[0])
        elif source.bureau and len(filled) == 1:
            continue  # a second heading line (发布机关、日期) in a bureau's file
        else:
            source.bad_details.append((n, row[0]))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_READERS: dict[str, Callable[[Path], SheetSource]] = {
    ".json": _read_json, ".csv": _read_csv, ".xlsx": _read_xlsx}


# ---- writers -------------------------------------------------------------------------------


def json_number(value: float) -> int | float:
    return int(value) if value.is_integer() else value  # 5, as the lists write it, not 5.0


def conditions_json(conditions: tuple[Condition, ...]) -> list[dict[str, Any]]:
    return [{"kind": c.kind.value, "text": c.text}
            | ({"value": json_number(c.value)} if c.value is not None else {})
            for c in conditions]


def details_json(lst: NoPenaltyList) -> dict[str, str | None]:
    return {"city": lst.city, "issuer": lst.issuer, "doc_no": lst.doc_no, "title": lst.title,
            "effective_from": lst.effective_from.isoformat(),
            "effective_to": lst.effective_to.isoformat() if lst.effective_to else None}


def _detail_rows(lst: NoPenaltyList) -> list[list[Any]]:
    values = details_json(lst)
    return [[label, values[key] or ""] for key, (label, _f) in DETAILS.items()]


def _item_row(item: NoPenaltyItem) -> list[Any]:
    values = {
        "item_no": item.item_no, "domain": item.domain, "name": item.name,
        "violation_codes": ",".join(item.violation_codes),
        "exemption_kind": EXEMPTION_LABELS[item.exemption_kind],
        "conditions": format_conditions(item.conditions),
        "required_measure": MEASURE_LABELS[item.required_measure],
    } | {key: getattr(item, key) for key in OPTIONAL_COLUMNS}
    return [values[key] for key in COLUMNS]


def _sheet_rows(lst: NoPenaltyList) -> list[list[Any]]:
    return [*_detail_rows(lst), [], list(COLUMNS.values()),
            *(_item_row(item) for item in lst.items)]


def write_csv(lst: NoPenaltyList, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:  # BOM: Excel reads UTF-8
        csv.writer(out).writerows(_sheet_rows(lst))


def write_xlsx(lst: NoPenaltyList, path: Path) -> None:
    import openpyxl  # here: it adds 0.1 s to every start
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    for row in _sheet_rows(lst):
        sheet.append(row)
    header_row = len(DETAILS) + 2
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for number, width in enumerate((6, 14, 30, 14, 40, 30, 30, 12, 50, 16, 30, 40, 40), 1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = f"A{header_row + 1}"
    book.save(path)


def write_json(lst: NoPenaltyList, path: Path) -> None:
    document = {"list": details_json(lst), "items": [item_json(item) for item in lst.items]}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def item_json(item: NoPenaltyItem) -> dict[str, Any]:
    return {"item_no": item.item_no, "domain": item.domain, "name": item.name,
            "violation_codes": list(item.violation_codes),
            "prohibiting_provision": item.prohibiting_provision,
            "penalty_provision": item.penalty_provision,
            "statutory_penalty": item.statutory_penalty,
            "exemption_kind": item.exemption_kind.value,
            "conditions": conditions_json(item.conditions),
            "required_measure": item.required_measure.value,
            "source": item.source, "notes": item.notes, "basis": item.basis}


WRITERS: dict[str, Callable[[NoPenaltyList, Path], None]] = {
    ".json": write_json, ".csv": write_csv, ".xlsx": write_xlsx}
SYNONYMS = HEADER_SYNONYMS
