"""No-penalty lists through the services, on a real SQLite file and real CSV/XLSX files."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from fieldapp.domain.errors import ValidationError
from fieldapp.domain.no_penalty import ImportErrors, NoPenaltyList
from fieldapp.services.rules import (
    describe_problems,
    export_list,
    get_list,
    import_list,
    list_in_force_on,
    lists,
    load_default_list,
)

_TABLES = ("no_penalty_list", "no_penalty_item", "no_penalty_item_violation", "audit_event",
           "outbox")
_HEADER_ROW = 8  # six list details, a blank row, then the header


def _counts(org) -> dict[str, int]:
    with sqlite3.connect(org.ctx.store.data_dir / "fieldapp.sqlite3") as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in _TABLES}


def _details(lst: NoPenaltyList) -> tuple[object, ...]:
    return lst.city, lst.issuer, lst.title, lst.effective_from, lst.effective_to


def _same_items(a: NoPenaltyList, b: NoPenaltyList) -> None:
    assert len(a.items) == len(b.items)
    for left, right in zip(a.items, b.items, strict=True):
        for f in dataclasses.fields(left):
            assert getattr(left, f.name) == getattr(right, f.name), (left.item_no, f.name)


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)


def test_the_default_list_loads_once_with_20_items_in_5_domains(org) -> None:
    # The ``org`` fixture set the data directory up as a squad would: the default list
    # is already loaded, once.
    result = load_default_list(ctx=org.ctx)
    assert (result.items, result.domains) == (20, 5)
    stored = get_list(ctx=org.ctx, list_id=result.list_id)
    assert len(stored.items) == 20 and len(stored.domains) == 5
    assert stored.doc_no == "示城管发〔2026〕1号"
    assert stored.items[19].violation_codes == ("JM01", "JM02")
    before = _counts(org)
    again = load_default_list(ctx=org.ctx)
    assert (again.list_id, again.changed) == (result.list_id, frozenset())
    assert _counts(org) == before
    with sqlite3.connect(org.ctx.store.data_dir / "fieldapp.sqlite3") as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM audit_event")]
    assert actions.count("no_penalty_list.import") == 1


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_an_export_imports_back_as_the_same_list(org, tmp_path: Path, suffix: str) -> None:
    original = get_list(ctx=org.ctx, list_id=load_default_list(ctx=org.ctx).list_id)
    path = export_list(ctx=org.ctx, list_id=original.id, path=tmp_path / f"清单{suffix}")
    audit_before = _counts(org)["audit_event"]
    result = import_list(ctx=org.ctx, officer_id=org.officers[0], path=path,
                         metadata={"doc_no": "示城管发〔2026〕2号"})
    copy = get_list(ctx=org.ctx, list_id=result.list_id)
    assert copy.id != original.id and copy.doc_no == "示城管发〔2026〕2号"
    assert _details(copy) == _details(original)
    _same_items(original, copy)
    assert _counts(org)["audit_event"] == audit_before + 1


def test_the_csv_layout_is_the_one_bureaus_publish(org, tmp_path: Path) -> None:
    list_id = load_default_list(ctx=org.ctx).list_id
    rows = _csv_rows(export_list(ctx=org.ctx, list_id=list_id, path=tmp_path / "l.csv"))
    assert rows[0] == ["清单名称", "示例市城市管理领域轻微违法行为免罚清单"]
    assert rows[6] == []
    assert rows[_HEADER_ROW - 1] == ["序号", "领域", "事项名称", "违法行为代码", "违则", "罚则",
                                     "法定处罚", "免罚情形", "适用条件", "处理措施", "来源", "备注",
                                     "实施依据"]
    first = rows[_HEADER_ROW]
    assert first[7:10] == [
        "首违可不罚",
        "1.首次被发现；2.未损坏城市道路和设施；3.占用面积不超过5平方米；4.占用时间不超过2天；"
        "5.在责令改正期限内改正",
        "教育并责令改正"]


def test_a_csv_with_three_bad_rows_reports_each_and_imports_nothing(org, tmp_path) -> None:
    list_id = load_default_list(ctx=org.ctx).list_id
    rows = _csv_rows(export_list(ctx=org.ctx, list_id=list_id, path=tmp_path / "l.csv"))
    # Excel row n is rows[n - 1]; item k sits on Excel row _HEADER_ROW + k.
    rows[_HEADER_ROW + 2 - 1][3] = "SZ01,ZZ99"  # item 2: a code not in the catalogue
    rows[_HEADER_ROW + 5 - 1][7] = "从轻处罚"  # item 5: not an exemption kind ...
    rows[_HEADER_ROW + 5 - 1][2] = ""  # ... and no name
    rows[_HEADER_ROW + 7 - 1][0] = "3"  # item 7 takes item 3's number
    bad = tmp_path / "bad.csv"
    _write_csv(bad, rows)
    before = _counts(org)
    with pytest.raises(ImportErrors) as err:
        import_list(ctx=org.ctx, officer_id=org.officers[0], path=bad,
                    metadata={"doc_no": "示城管发〔2026〕3号"})
    assert err.value.params == {"count": 3}
    found = [(p.row, p.column, p.params) for p in err.value.problems]
    assert found == [
        (10, "违法行为代码", {"code": "ZZ99"}),
        (13, "事项名称", {}),
        (13, "免罚情形", {"text": "从轻处罚", "choices": "轻微不罚、首违可不罚、无过错不罚"}),
        (15, "序号", {"number": 3, "row": 11}),
    ]
    first_line = describe_problems(err.value)[0]
    assert all(part in first_line for part in ("10", "违法行为代码", "ZZ99"))
    assert _counts(org) == before
    assert len(lists(ctx=org.ctx)) == 1


def test_bad_list_details_are_reported_with_the_items(org, tmp_path: Path) -> None:
    list_id = load_default_list(ctx=org.ctx).list_id
    rows = _csv_rows(export_list(ctx=org.ctx, list_id=list_id, path=tmp_path / "l.csv"))
    rows[4][1] = "2026-13-01"  # 生效日期
    rows.insert(1, ["有效期", "两年"])  # not a detail this layout knows
    rows[_HEADER_ROW + 1][8] = "1.首次被发现；2.当事人有正当理由"
    _write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(ImportErrors) as err:
        import_list(ctx=org.ctx, officer_id=org.officers[0], path=tmp_path / "bad.csv",
                    metadata={"doc_no": "2号"})
    assert [(p.row, p.column) for p in err.value.problems] == [
        (2, "有效期"), (6, "生效日期"), (_HEADER_ROW + 2, "适用条件")]
    assert err.value.problems[2].params["number"] == 2


def test_an_end_before_the_start_is_refused(org, tmp_path: Path) -> None:
    list_id = load_default_list(ctx=org.ctx).list_id
    path = export_list(ctx=org.ctx, list_id=list_id, path=tmp_path / "l.json")
    with pytest.raises(ImportErrors) as err:
        import_list(ctx=org.ctx, officer_id=org.officers[0], path=path,
                    metadata={"doc_no": "2号", "effective_to": dt.date(2025, 12, 31)})
    [problem] = err.value.problems
    assert (problem.row, problem.column) == (0, "effective_to")


def test_the_same_version_cannot_be_imported_twice(org, tmp_path: Path) -> None:
    list_id = load_default_list(ctx=org.ctx).list_id
    path = export_list(ctx=org.ctx, list_id=list_id, path=tmp_path / "l.csv")
    with pytest.raises(ValidationError) as err:
        import_list(ctx=org.ctx, officer_id=org.officers[0], path=path)
    assert err.value.field == "document number"


def test_files_it_cannot_read_are_refused_plainly(org, tmp_path: Path) -> None:
    (tmp_path / "l.txt").write_text("序号", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"not a \.json, \.csv or \.xlsx"):
        import_list(ctx=org.ctx, officer_id=org.officers[0], path=tmp_path / "l.txt")
    (tmp_path / "fake.xlsx").write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ValidationError, match="cannot be read"):
        import_list(ctx=org.ctx, officer_id=org.officers[0], path=tmp_path / "fake.xlsx")
    _write_csv(tmp_path / "noheader.csv", [["城市", "示例市"]])
    with pytest.raises(ValidationError, match="no header row"):
        import_list(ctx=org.ctx, officer_id=org.officers[0], path=tmp_path / "noheader.csv")


def test_a_csv_saved_by_excel_on_chinese_windows_is_read(org, tmp_path: Path) -> None:
    list_id = load_default_list(ctx=org.ctx).list_id
    path = export_list(ctx=org.ctx, list_id=list_id, path=tmp_path / "l.csv")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(path.read_text(encoding="utf-8-sig").encode("gb18030"))
    result = import_list(ctx=org.ctx, officer_id=org.officers[0],
                         path=gbk, metadata={"doc_no": "2号"})
    _same_items(get_list(ctx=org.ctx, list_id=list_id),
                get_list(ctx=org.ctx, list_id=result.list_id))


def test_excel_numbers_and_dates_are_read_as_typed(org, tmp_path: Path) -> None:
    list_id = load_default_list(ctx=org.ctx).list_id
    path = export_list(ctx=org.ctx, list_id=list_id, path=tmp_path / "l.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet["B5"] = dt.datetime(2027, 1, 1)  # 生效日期 typed as a date in Excel
    sheet.cell(row=_HEADER_ROW + 1, column=1).value = 1.0  # 序号 as a float
    book.save(path)
    book.close()
    result = import_list(ctx=org.ctx, officer_id=org.officers[0], path=path)
    assert get_list(ctx=org.ctx, list_id=result.list_id).effective_from == dt.date(2027, 1, 1)


def test_the_list_in_force_is_the_one_on_the_date_of_the_act(org, tmp_path: Path) -> None:
    first = load_default_list(ctx=org.ctx).list_id  # in force from 2026-01-01, open-ended
    path = export_list(ctx=org.ctx, list_id=first, path=tmp_path / "l.xlsx")
    second = import_list(ctx=org.ctx, officer_id=org.officers[0], path=path, metadata={
        "doc_no": "示城管发〔2027〕1号", "effective_from": "2027-01-01"}).list_id
    assert [lst.id for lst in lists(ctx=org.ctx)] == [first, second]
    assert list_in_force_on(ctx=org.ctx, on=dt.date(2025, 12, 31)) is None

    def in_force(on: dt.date) -> str:
        found = list_in_force_on(ctx=org.ctx, on=on)
        assert found is not None
        return found.id

    assert in_force(dt.date(2026, 12, 31)) == first
    assert in_force(dt.date(2027, 1, 1)) == second
