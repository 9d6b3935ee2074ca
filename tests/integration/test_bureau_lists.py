"""No-penalty lists as bureaus publish them (DOMAIN.md §3.1, variants A–C): made here in
the bureaus' style (a merged title row, multi-line numbered conditions, notes under the
table, no internal codes), imported as they are, matched to the catalogue, reviewed by
a leader and published; the app's own export re-imports unchanged."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Alignment

from fieldapp.domain.bureau_lists import MatchState, article_refs, match_item
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.no_penalty import ConditionKind, ExemptionKind, ImportErrors
from fieldapp.services.rules import (
    export_list,
    get_list,
    import_list,
    list_in_force_on,
    map_item,
    publish_list,
    review_items,
)
from fieldapp.services.rules.no_penalty import catalogue_entries

META = {"city": "示例市", "issuer": "示例市城市管理综合行政执法局",
        "doc_no": "示城管发〔2026〕3号"}

ROAD = ("《城市道路管理条例》第二十七条 城市道路范围内禁止下列行为：（三）机动车在桥梁或者非指定"
        "的城市道路上试刹车；\n《城市道路管理条例》第四十二条 违反本条例第二十七条规定的，由市政"
        "工程行政主管部门或者其他有关部门责令限期改正，可以处以2万元以下的罚款。")
VARIANT_A = [  # 序号 | 领域 | 事项名称 | 实施依据 | 免罚情形 | 适用条件
    ["1", "市政设施", "机动车在桥梁或者非指定的城市道路上试刹车", ROAD, "首违免罚",
     "1.首次被发现；\n2.未对道路及设施造成损坏；\n3.经批评教育后立即停止"],
    ["2", "市政设施/户外广告", "擅自在桥梁、路灯杆等设施上设置广告牌或者悬挂物",
     "《城市道路管理条例》第二十七条第（六）项、第四十二条", "首违免罚",
     "初次违法且危害后果轻微并及时改正；\n积极配合调查"],
    ["3", "市政设施", "擅自占用城市道路",
     "《城市道路管理条例》第二十七条第（一）项、第四十二条", "轻微不罚",
     "（1）占用面积不超过5平方米；\n（2）占用时间不超过2天；\n（3）在责令改正期限内改正；\n"
     "（4）没有造成危害后果"],
]
NOTES = ["注：1.本清单自2026年1月1日起施行。", "2.对不予处罚的当事人，执法人员应当进行教育，"
         "并责令其改正违法行为。"]


def xlsx(path: Path, title: str, header: list[str], rows: list[list[str]],
         notes: list[str], *, merge: bool = True) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title] + [""] * (len(header) - 1))
    if merge:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for note in notes:
        sheet.append([note])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row,
                          end_column=len(header))
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True)
    book.save(path)
    return path


def csv_file(path: Path, title: str, header: list[str], rows: list[list[str]],
             notes: list[str]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([title] + [""] * (len(header) - 1))
        writer.writerow(header)
        writer.writerows(rows)
        for note in notes:
            writer.writerow([note] + [""] * (len(header) - 1))
    return path


def draft_csv(path: Path) -> Path:
    """A bureau's CSV with one item the catalogue matches and one it cannot (item 2): it
    comes in as a draft waiting for a leader's review."""
    header = ["序号", "行政处罚事项", "实施机关", "不予处罚适用条件", "法律依据", "备注"]
    rows = [["1", "对在人口集中地区露天焚烧落叶的处罚", "市城管执法局",
             "违法行为轻微，及时改正，没有造成危害后果",
             "《中华人民共和国大气污染防治法》第一百一十九条第一款", ""],
            ["2", "对擅自改动燃气计量表的处罚", "市城管执法局", "首次被发现，当场改正",
             "《示例省燃气管理条例》第二十八条", ""]]
    return csv_file(path, "示例市城市管理和综合执法局不予处罚事项清单", header, rows,
                    ["备注：本清单自2026年2月1日起施行。"])


@pytest.fixture
def leader(org):
    return org.officers[0]


def test_variant_a_xlsx_with_a_merged_title_imports_and_matches(org, leader, tmp_path):
    path = xlsx(tmp_path / "a.xlsx", "示例市城市管理领域轻微违法行为包容免罚清单",
                ["序号", "领域", "事项名称", "实施依据", "免罚情形", "适用条件"], VARIANT_A, NOTES)
    result = import_list(ctx=org.ctx, officer_id=leader, path=path, metadata=META)
    lst = get_list(ctx=org.ctx, list_id=result.list_id)
    assert lst.title == "示例市城市管理领域轻微违法行为包容免罚清单"
    assert lst.effective_from == dt.date(2026, 1, 1)  # from the note under the table
    assert "本清单自2026年1月1日起施行" in lst.notes
    items = {i.item_no: i for i in lst.items}
    assert [items[n].violation_codes for n in (1, 2, 3)] == [("SZ03",), ("GG02",), ("SZ01",)]
    assert all(i.match_state == "confirmed" for i in lst.items)
    assert [c.kind for c in items[1].conditions] == [
        ConditionKind.FIRST_OFFENCE, ConditionKind.NO_DAMAGE,
        ConditionKind.STOPS_AFTER_EDUCATION]
    # One phrase joining three conditions is read as three.
    assert [c.kind for c in items[2].conditions] == [
        ConditionKind.FIRST_OFFENCE, ConditionKind.MINOR_HARM,
        ConditionKind.CORRECTED_IN_PERIOD, ConditionKind.COOPERATES]
    assert [c.value for c in items[3].conditions[:2]] == [5, 2]
    assert items[3].exemption_kind is ExemptionKind.MINOR
    assert items[2].exemption_kind is ExemptionKind.FIRST_OFFENCE
    assert "第四十二条" in items[1].penalty_provision and "第二十七条" in items[1].basis
    assert not result.draft and lst.status == "published"
    assert list_in_force_on(ctx=org.ctx, on=dt.date(2026, 3, 1)).id == lst.id


def test_variant_b_csv_without_kinds_goes_to_review_then_is_published(org, leader, tmp_path):
    header = ["序号", "行政处罚事项", "实施机关", "不予处罚适用条件", "法律依据", "备注"]
    rows = [
        ["1", "对排水户未取得污水排入排水管网许可证向城镇排水设施排放污水的处罚",
         "市城管执法局", "（1）首次被发现；\n（2）及时改正；\n（3）危害后果轻微",
         "《城镇排水与污水处理条例》第五十条", ""],
        ["2", "对在人口集中地区露天焚烧落叶的处罚", "市城管执法局",
         "违法行为轻微，及时改正，没有造成危害后果",
         "《中华人民共和国大气污染防治法》第一百一十九条第一款", "当场改正的适用"],
        ["3", "对擅自改动燃气计量表的处罚", "市城管执法局", "首次被发现，当场改正",
         "《示例省燃气管理条例》第二十八条", ""],
    ]
    path = csv_file(tmp_path / "b.csv", "示例市城市管理和综合执法局不予处罚事项清单", header,
                    rows, ["备注：本清单自2026年2月1日起施行，有效期至2028年1月31日。"])
    result = import_list(ctx=org.ctx, officer_id=leader, path=path, metadata=META)
    assert result.draft and result.to_review == (3,)
    # A draft is never in force: the list shipped with the app still governs.
    assert list_in_force_on(ctx=org.ctx, on=dt.date(2026, 3, 1)).id != result.list_id
    lst = get_list(ctx=org.ctx, list_id=result.list_id)
    assert (lst.effective_from, lst.effective_to) == (dt.date(2026, 2, 1), dt.date(2028, 1, 31))
    items = {i.item_no: i for i in lst.items}
    assert items[1].violation_codes == ("PS01",)
    assert items[2].violation_codes == ("DQ04",)
    assert items[1].exemption_kind is ExemptionKind.FIRST_OFFENCE  # inferred: 首次
    assert items[2].exemption_kind is ExemptionKind.MINOR
    assert items[1].source == "市城管执法局"
    review = review_items(ctx=org.ctx, list_id=result.list_id)
    assert (review[0].item_no, review[0].state) == (3, MatchState.UNMATCHED)
    with pytest.raises(ValidationError, match="confirm or map"):
        publish_list(ctx=org.ctx, officer_id=leader, list_id=result.list_id)
    map_item(ctx=org.ctx, officer_id=leader, list_id=result.list_id, item_no=3,
             codes=["SR15"])
    publish_list(ctx=org.ctx, officer_id=leader, list_id=result.list_id)
    assert list_in_force_on(ctx=org.ctx, on=dt.date(2026, 3, 1)).id == result.list_id


def test_variant_c_xlsx_matches_by_name_where_articles_are_shared(org, leader, tmp_path):
    header = ["序号", "违法行为", "适用条件", "法定依据"]
    rows = [["1", "露天烧烤食品", "1.首次被发现；2.当场改正",
             "《中华人民共和国大气污染防治法》第一百一十八条第三款"],
            ["2", "公共场所健身活动音响音量过大", "首次被发现，经劝阻后立即停止",
             "《中华人民共和国噪声污染防治法》第八十二条"]]
    path = xlsx(tmp_path / "c.xlsx", "示例市城市管理领域部分轻微违法行为不予行政处罚清单",
                header, rows, [], merge=False)
    result = import_list(ctx=org.ctx, officer_id=leader, path=path,
                         metadata=META | {"effective_from": "2026-01-01"})
    items = {i.item_no: i for i in get_list(ctx=org.ctx, list_id=result.list_id).items}
    assert items[1].violation_codes == ("DQ01",) and items[1].match_state == "confirmed"
    assert items[2].violation_codes == ("DQ08",)
    assert items[2].domain == "大气与噪声"  # no 领域 column: the catalogue's


def test_a_bureau_file_with_bad_rows_is_refused_whole(org, leader, tmp_path):
    rows = [VARIANT_A[0], ["二", "市政设施", "擅自占用城市道路", "《城市道路管理条例》第二十七条",
                           "首违免罚", "首次被发现"],
            ["3", "市政设施", "擅自挖掘城市道路", "《城市道路管理条例》第二十七条", "首违免罚", ""],
            ["4", "市政设施", "擅自占用城市道路", "《城市道路管理条例》第二十七条", "随便罚",
             "首次被发现；天气晴朗"]]
    path = xlsx(tmp_path / "bad.xlsx", "示例市城管领域免罚清单（第二批）",
                ["序号", "领域", "事项名称", "实施依据", "免罚情形", "适用条件"], rows, NOTES)
    with pytest.raises(ImportErrors) as err:
        import_list(ctx=org.ctx, officer_id=leader, path=path, metadata=META)
    found = {(p.row, p.column) for p in err.value.problems}
    assert found == {(4, "序号"), (5, "适用条件"), (6, "免罚情形"), (6, "适用条件")}
    assert list_in_force_on(ctx=org.ctx, on=dt.date(2026, 3, 1)) is not None  # the default
    from fieldapp.services.rules import lists
    assert all(lst.title != "示例市城管领域免罚清单（第二批）" for lst in lists(ctx=org.ctx))


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".json"])
def test_the_apps_own_export_reimports_unchanged(org, leader, tmp_path, suffix):
    path = xlsx(tmp_path / "a.xlsx", "示例市城市管理领域轻微违法行为包容免罚清单",
                ["序号", "领域", "事项名称", "实施依据", "免罚情形", "适用条件"], VARIANT_A, NOTES)
    first = get_list(ctx=org.ctx, list_id=import_list(
        ctx=org.ctx, officer_id=leader, path=path, metadata=META).list_id)
    exported = export_list(ctx=org.ctx, list_id=first.id, path=tmp_path / f"out{suffix}")
    # The same list again under another document number (the store keeps one per 文号).
    again = get_list(ctx=org.ctx, list_id=import_list(
        ctx=org.ctx, officer_id=leader, path=exported,
        metadata={"doc_no": "示城管发〔2026〕4号"}).list_id)
    assert again.items == first.items
    assert (again.title, again.city, again.issuer, again.effective_from, again.status) == (
        first.title, first.city, first.issuer, first.effective_from, first.status)


def test_matching_reads_articles_and_names() -> None:
    assert article_refs("《中华人民共和国城市道路管理条例》第二十七条第（一）项、第四十二条") == {
        ("城市道路管理条例", "二十七", "/一"), ("城市道路管理条例", "四十二", "/")}


def test_an_item_citing_a_shared_article_with_a_vague_name_is_doubtful(org) -> None:
    entries, _domains = catalogue_entries(org.ctx)
    match = match_item("临时占用道路", "《城市道路管理条例》第二十七条第（一）项", entries)
    assert match.state is MatchState.DOUBTFUL
    assert {"SZ01", "SZ02", "GG03"} <= set(match.candidates)
