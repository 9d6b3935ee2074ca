"""A dossier rendered from real document PDFs and photos, read back with pypdf."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from fieldapp.documents.dossier import DossierPart, Photo, render_dossier
from fieldapp.documents.render import render_pages
from fieldapp.documents.sample import SAMPLE, sample_snapshot
from fieldapp.domain.document_kinds import DocumentKind

COVER = {"agency.full_name": SAMPLE["agency.full_name"], "squad.name": "东华门中队",
         "dossier.title": "刘德华店外经营案",
         "dossier.decision_number": "东城管罚决字〔2026〕第7号",
         "case.filed_on": "2026年11月21日", "case.closed_on": "2026年12月10日",
         "dossier.retention": "定期（30年）", "dossier.archive_no": ""}
NOTE = {"dossier.missing": "行政处罚决定书的送达回证\n罚款缴款凭证", "dossier.compiler": "王建国",
        "dossier.compiled_on": "2026年12月12日", "dossier.checker": "周法制",
        "dossier.checked_on": "2026年12月13日"}
KINDS = (DocumentKind.FILING_APPROVAL, DocumentKind.INSPECTION_RECORD,
         DocumentKind.INQUIRY_RECORD, DocumentKind.PRIOR_NOTICE,
         DocumentKind.PENALTY_DECISION, DocumentKind.CLOSING_APPROVAL)


def _photos(folder: Path, count: int) -> list[Photo]:
    photos = []
    for i in range(count):
        path = folder / f"photo{i}.jpg"
        Image.new("RGB", (400, 300), (40 * i % 256, 120, 90)).save(path, quality=80)
        photos.append(Photo(path, f"拍摄时间：2026年11月21日09时{30 + i}分 地点：东华门大街28号 "
                                  f"拍摄人：王建国 哈希：{i:02d}ab34cd"))
    return photos


@pytest.fixture
def volume(tmp_path: Path) -> dict[str, Any]:
    photos = _photos(tmp_path, 5)
    parts, pages = [], []
    for kind in KINDS:
        snapshot = sample_snapshot(kind)
        rendered = render_pages(snapshot, archive_only=True)
        extra = photos[:3] if kind is DocumentKind.INSPECTION_RECORD else ()
        parts.append(DossierPart(snapshot["document.title"], snapshot["document.number"],
                                 "2026年11月21日", "东城区城管执法局", rendered.pdf, extra))
        pages.append(rendered.page_count + (2 if extra else 0))
    parts.append(DossierPart("现场照片", "", "2026年11月21日", "王建国", None, photos[3:]))
    pages.append(1)
    parts.append(DossierPart("送达回证", "", "", "", None, ()))  # listed, not in the volume
    pages.append(0)
    pdf = render_dossier(COVER, parts, NOTE)
    return {"reader": PdfReader(io.BytesIO(pdf)), "parts": parts, "pages": pages}


def _text(page: Any) -> str:
    return re.sub(r"\s+", "", page.extract_text())


def _corner_number(page: Any) -> str:
    """The text drawn in the top right corner (the volume page number)."""
    found: list[str] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
        if text.strip() and x > 480 and y > 780:
            found.append(text.strip())

    page.extract_text(visitor_text=visit)
    return "".join(found)


def test_page_numbers_run_across_the_volume(volume: dict[str, Any]) -> None:
    reader, total = volume["reader"], sum(volume["pages"])
    numbered = reader.pages[2:2 + total]  # after the cover and a one-page index
    assert [_corner_number(p) for p in numbered] == [str(n) for n in range(1, total + 1)]
    assert _corner_number(reader.pages[0]) == "" and _corner_number(reader.pages[-1]) == ""
    assert len(reader.pages) == 2 + total + 1
    assert "卷宗封面" not in _text(reader.pages[0])  # the cover shows its own title
    cover = _text(reader.pages[0])
    documents = sum(1 for n in volume["pages"] if n)  # the missing part is only listed
    assert f"共{documents}件共{total}页" in cover and "刘德华店外经营案" in cover


def test_the_index_gives_each_document_its_page_range(volume: dict[str, Any]) -> None:
    index = _text(volume["reader"].pages[1])
    assert "卷内文件目录" in index
    assert index.rstrip().endswith("送达回证缺")  # listed, marked missing
    first = 1
    for part, count in zip(volume["parts"], volume["pages"], strict=True):
        assert part.title in index
        if count:
            last = first + count - 1
            expected = str(first) if count == 1 else f"{first}-{last}"
            assert expected in index, part.title
            first = last + 1


def test_the_parts_start_where_the_index_says(volume: dict[str, Any]) -> None:
    reader, first = volume["reader"], 1
    for part, count in zip(volume["parts"], volume["pages"], strict=True):
        if part.pdf:  # volume page n is the PDF's page 1 + n (cover, index)
            assert part.title in _text(reader.pages[1 + first])
        first += count


def test_the_outline_has_an_entry_per_part(volume: dict[str, Any]) -> None:
    reader = volume["reader"]
    titles = [item.title for item in reader.outline]
    expected = ["卷宗封面", "卷内文件目录"]
    expected += [f"{p.title} {p.number}".strip() for p, n in
                 zip(volume["parts"], volume["pages"], strict=True) if n]
    assert titles == [*expected, "卷内备考表"]
    pages = [reader.get_destination_page_number(item) for item in reader.outline]
    assert pages == sorted(pages) and pages[0] == 0 and pages[-1] == len(reader.pages) - 1


def test_photo_pages_carry_two_photos_with_their_captions(volume: dict[str, Any]) -> None:
    texts = [_text(p) for p in volume["reader"].pages]
    for i in range(5):
        assert any(f"哈希：{i:02d}ab34cd" in t for t in texts)
    photo_pages = [t for t in texts if "哈希：" in t]
    assert len(photo_pages) == 3  # 3 photos (2 + 1) and 2 photos
    assert all(1 <= t.count("拍摄人：王建国") <= 2 for t in photo_pages)


def test_the_note_lists_what_is_missing(volume: dict[str, Any]) -> None:
    note = _text(volume["reader"].pages[-1])
    assert "卷内备考表" in note
    assert "1.行政处罚决定书的送达回证" in note and "2.罚款缴款凭证" in note
    assert "王建国" in note and "周法制" in note
    documents = sum(1 for n in volume["pages"] if n)
    assert f"共有文件{documents}件，共{sum(volume['pages'])}页" in note


def test_the_index_keeps_each_document_number_on_one_line() -> None:
    numbers = ["东城管罚告字〔2026〕第1234号", "东城管不罚字〔2026〕第88号",
               "东城管罚决字〔2026〕第1号"]
    parts = [DossierPart(title, number, "20260930", "示例市东城区城市管理综合行政执法局",
                         None, ()) for title, number in zip(
                             ("行政处罚事先告知书", "不予行政处罚决定书", "行政处罚决定书"),
                             numbers, strict=True)]
    pdf = render_dossier(COVER, parts, NOTE)
    index = PdfReader(io.BytesIO(pdf)).pages[1].extract_text().splitlines()
    for number in numbers:
        assert any(number in line.replace(" ", "") for line in index), number
    assert not any(line.rstrip().endswith("〔") for line in index)
