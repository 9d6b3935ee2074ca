"""HQ publishes reference data from the files the desktop imports, read by the desktop's
own readers: a bureau's XLSX list (matched to the published catalogue), calendars with
their year, and a list still needing a leader's review is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from fieldapp.domain.errors import ValidationError
from fieldapp.hq.db import tables as t
from fieldapp.hq.services import publish
from fieldapp.interchange.holiday_calendar import CalendarImportError
from tests.hq.client import Hq
from tests.integration.test_bureau_lists import META, NOTES, VARIANT_A, csv_file, xlsx


def _records(hq: Hq, entity: str) -> dict[str, dict]:  # type: ignore[type-arg]
    """The fields of every record of a kind HQ serves, by id (one version each here)."""
    with hq.hq.db.read() as conn:
        rows = conn.execute(select(t.version.c.entity_id, t.version.c.envelope).where(
            t.version.c.entity == entity)).all()
    return {entity_id: json.loads(envelope)["fields"] for entity_id, envelope in rows}


def test_a_bureaus_xlsx_list_is_matched_and_published(sqlite_hq: Hq, tmp_path: Path) -> None:
    path = xlsx(tmp_path / "a.xlsx", "示例市城市管理领域轻微违法行为包容免罚清单",
                ["序号", "领域", "事项名称", "实施依据", "免罚情形", "适用条件"], VARIANT_A, NOTES)
    assert publish.publish_list(sqlite_hq.hq, path, META) == 1 + 3 + 3  # list, items, codes
    (list_id, head), = [(i, f) for i, f in _records(sqlite_hq, "no_penalty_list").items()
                        if f["doc_no"] == META["doc_no"]]
    assert head["effective_from"] == "2026-01-01" and head["status"] == "published"
    items = {i: f for i, f in _records(sqlite_hq, "no_penalty_item").items()
             if f["list_id"] == list_id}
    by_no = {f["item_no"]: i for i, f in items.items()}
    assert sorted(by_no) == [1, 2, 3] and items[by_no[3]]["exemption_kind"] == "minor"
    links = {(f["item_id"], f["violation_code"])
             for f in _records(sqlite_hq, "no_penalty_item_violation").values()
             if f["item_id"] in items}
    assert links == {(by_no[1], "SZ03"), (by_no[2], "GG02"), (by_no[3], "SZ01")}


def test_a_list_with_unmatched_items_is_refused_and_nothing_is_published(
        sqlite_hq: Hq, tmp_path: Path) -> None:
    header = ["序号", "行政处罚事项", "实施机关", "不予处罚适用条件", "法律依据", "备注"]
    rows = [["1", "对擅自改动燃气计量表的处罚", "市城管执法局", "首次被发现，当场改正",
             "《示例省燃气管理条例》第二十八条", ""]]
    path = csv_file(tmp_path / "b.csv", "示例市城市管理和综合执法局不予处罚事项清单", header,
                    rows, ["备注：本清单自2026年2月1日起施行。"])
    before = len(_records(sqlite_hq, "no_penalty_list"))
    with pytest.raises(ValidationError) as refused:
        publish.publish_list(sqlite_hq.hq, path, META)
    assert refused.value.field == "no-penalty list file" and "1" in str(refused.value.params)
    assert len(_records(sqlite_hq, "no_penalty_list")) == before


def test_a_calendar_is_read_as_the_desktop_reads_it(sqlite_hq: Hq, tmp_path: Path) -> None:
    days = tmp_path / "2027.csv"
    days.write_text("日期,类型,名称\n2027-02-06,休,春节\n2027-02-14,班,调休\n",
                    encoding="gb18030")
    assert publish.publish_holidays(sqlite_hq.hq, days) == 2
    kinds = {f["name"]: f["kind"] for f in _records(sqlite_hq, "holiday").values()}
    assert kinds["春节"] == "holiday" and kinds["调休"] == "workday"
    bad = tmp_path / "bad.csv"
    bad.write_text("2027-02-30,休,春节\n", encoding="utf-8")
    with pytest.raises(CalendarImportError):
        publish.publish_holidays(sqlite_hq.hq, bad)
