"""Documents rendered from a full snapshot and read back: text, fonts, QR, pages, copies."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfbase.ttfonts import TTFontFile

from fieldapp.documents.fields import SNAPSHOT_KEYS
from fieldapp.documents.fonts import FALLBACK, SONG, SYMBOLS, face_for
from fieldapp.documents.render import layouts_for, render_document, render_pages
from fieldapp.documents.sample import DOSSIER_KEYS, EXTRA_KEYS, sample_snapshot
from fieldapp.documents.templates import keys_used, load_template, placeholders, value
from fieldapp.domain.document_kinds import TITLES, DocumentKind
from fieldapp.domain.errors import ValidationError
from fieldapp.resources import resource

PAYLOAD = ("FD1.0196f3a2-7b1c-7d3e-9a2b-1c2d3e4f5a6b.东城管罚决字〔2026〕第7号.penalty_decision."
           "2026-11-21.Zq3x1YbqJ0m6oHc4QkOZ6vV2qk7m1W0c8i5s3XoGQ9A."
           "b3Jk5Q2iV1kXw8P9mZ0aL7cN6dR4tY2uE1fG3hJ5kL7mN9pQ2rS4tU6vW8xY0zA1bC3dE5fG7hJ9kL1mN3pQ5rS7tU9v")
DECISIONS = (DocumentKind.PENALTY_DECISION, DocumentKind.ON_SPOT_DECISION,
             DocumentKind.NO_PENALTY_DECISION)
RECORDS = (DocumentKind.INSPECTION_RECORD, DocumentKind.INQUIRY_RECORD,
           DocumentKind.STATEMENT_RECORD)
REMEDIES = ("如不服本决定，可以在收到本决定书之日起六十日内向示例市东城区人民政府申请行政复议，"
            "或者在六个月内向示例市东城区人民法院提起行政诉讼。")


def full_snapshot(kind: DocumentKind | str) -> dict[str, str]:
    """Every key of the contract (and the renderer's extra keys) filled in."""
    snapshot = sample_snapshot(kind)
    snapshot.update({
        "subject.legal_representative": "刘德华",
        "subject.description": "男，约45岁，身穿蓝色工装，推三轮车售卖水果",
        "case.hearing": "根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，你（单位）"
                        "有要求举行听证的权利；如要求听证，应当在收到本告知书之日起五日内提出。",
        "document.copy_note": "（由渲染程序按联填写）",
        "approval.squad": "同意立案，由王建国、李秀英承办。",
        "approval.legal": "事实清楚，证据充分，同意。",
        "approval.head": "同意。",
        "record.content": "现场检查发现当事人在店外人行道摆放水果货架三组，"
                          "经测量占道面积约6平方米。",
    })
    return snapshot


def text_of(pdf: bytes) -> list[str]:
    """The text of each page with all whitespace removed (lines wrap anywhere)."""
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def squeeze(value: str) -> str:
    return re.sub(r"\s+", "", value)


def test_the_sample_fills_every_key_of_the_contract() -> None:
    snapshot = full_snapshot(DocumentKind.PENALTY_DECISION)
    assert [k for k in SNAPSHOT_KEYS if not snapshot.get(k)] == []


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_templates_name_only_known_keys(kind: DocumentKind) -> None:
    known = set(SNAPSHOT_KEYS) | set(EXTRA_KEYS) | set(DOSSIER_KEYS)
    assert keys_used(load_template(kind)) - known == set()


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_every_kind_renders_its_values(kind: DocumentKind) -> None:
    snapshot = full_snapshot(kind)
    template = load_template(kind)
    pages = text_of(render_document(snapshot, qr_payload=PAYLOAD))
    first, everything = pages[0], "".join(pages)
    assert squeeze(snapshot["agency.full_name"]) in first
    assert TITLES[kind] in first
    assert snapshot["document.number"] in first
    assert "第1页共" in first
    expected = {"subject.name", "officers.1.name", "officers.1.certificate_no",
                "officers.2.name", "officers.2.certificate_no", "finding.facts",
                "finding.place", "violation.provision", "case.penalty", "record.qa"}
    for group in placeholders(template):
        if expected & set(group.split("|")):
            # ``a|b`` prints the first that is not empty
            printed = value(snapshot, group)
            if group == "record.qa":
                printed = printed.splitlines()[-1]
            assert squeeze(printed) in everything, group
    if any(b.get("type") == "seal" for b in template.body):
        assert snapshot["document.date_cn"] in everything


@pytest.mark.parametrize("kind", DECISIONS)
def test_decisions_print_the_remedies(kind: DocumentKind) -> None:
    everything = "".join(text_of(render_document(full_snapshot(kind))))
    assert REMEDIES in everything


@pytest.mark.parametrize("kind", [DocumentKind.PENALTY_DECISION, DocumentKind.ON_SPOT_DECISION])
def test_penalty_decisions_print_the_payment_terms(kind: DocumentKind) -> None:
    everything = "".join(text_of(render_document(full_snapshot(kind))))
    assert "自收到本决定书之日起十五日内" in everything
    assert "每日按罚款数额的百分之三加处罚款" in everything


def test_the_prior_notice_states_the_rights_and_the_deadline() -> None:
    snapshot = full_snapshot(DocumentKind.PRIOR_NOTICE)
    everything = "".join(text_of(render_document(snapshot)))
    assert f"请于{snapshot['case.statement_due']}前向本机关提出" in everything
    assert "陈述、申辩的权利" in everything
    assert squeeze(snapshot["case.hearing"]) in everything


def test_the_party_block_follows_the_kind_of_party() -> None:
    snapshot = full_snapshot(DocumentKind.PENALTY_DECISION)
    citizen = {**snapshot, "subject.kind": "自然人", "subject.credit_code": "",
               "subject.legal_representative": "", "subject.shop_sign": ""}
    company = {**snapshot, "subject.kind": "单位", "subject.name": "示例市鲜果商贸有限公司"}
    shop = "".join(text_of(render_document(snapshot)))
    person = "".join(text_of(render_document(citizen)))
    firm = "".join(text_of(render_document(company)))
    assert "当事人（字号）：鲜果坊水果店" in shop and "经营者：刘德华" in shop
    assert "当事人：刘德华" in person and "身份证号码：110101197805120035" in person
    assert "统一社会信用代码" not in person
    assert "当事人（单位名称）：示例市鲜果商贸有限公司" in firm
    assert "法定代表人（负责人）：刘德华" in firm


def test_each_copy_is_its_own_run_of_pages_with_its_note() -> None:
    snapshot = full_snapshot(DocumentKind.PENALTY_DECISION)
    rendered = render_pages(snapshot)
    assert len(rendered.copy_pages) == 3
    pages = text_of(rendered.pdf)
    start = 0
    for note, count in zip(("第一联", "第二联", "第三联"), rendered.copy_pages, strict=True):
        assert all(note in page for page in pages[start:start + count])
        assert f"第1页共{count}页" in pages[start]
        start += count
    archive = text_of(render_document(snapshot, archive_only=True))
    assert all("第三联" in page for page in archive) and len(archive) == rendered.copy_pages[2]


def test_the_fonts_have_a_glyph_for_every_character() -> None:
    snapshot = full_snapshot(DocumentKind.PENALTY_DECISION)
    faces = [TTFontFile(str(resource("fonts", name))).charToGlyph
             for name in ("gbsn00lp.ttf", "uming-symbols.ttf", "uming-fallback.ttf")]
    missing = {ch for value in snapshot.values() for ch in value
               if ch not in "\n\r\t" and not any(face.get(ord(ch)) for face in faces)}
    assert missing == set()


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_every_font_in_the_pdf_is_embedded(kind: DocumentKind) -> None:
    reader = PdfReader(io.BytesIO(render_document(full_snapshot(kind), qr_payload=PAYLOAD)))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            assert descriptor and "/FontFile2" in descriptor.get_object(), font["/BaseFont"]
            names.add(str(font["/BaseFont"]).split("+")[-1])
    # AR PL SungtiL GB, the UMing subsets (〇 of the date; 生僻字), Micro Hei (headings)
    assert names <= {"BousungEG-Light-GB", "UMingCN-Symbols", "UMingCN-Ideographs",
                     "WenQuanYiMicroHei-0"}
    assert "BousungEG-Light-GB" in names


def test_a_rare_character_borrows_the_fallback_face() -> None:
    snapshot = {**full_snapshot(DocumentKind.WARNING_NOTICE), "subject.name": "王䶮"}
    assert face_for("䶮", SONG) == FALLBACK and face_for("〇", SONG) == SYMBOLS
    assert all(face_for(ch, SONG) == SONG for ch in "张伟李秀英")  # GB2312 names
    pdf = render_document(snapshot)
    assert "经营者：王䶮" in "".join(text_of(pdf))
    assert b"UMingCN-Ideographs" in pdf  # embedded only when a document needs it
    assert b"UMingCN-Ideographs" not in render_document(full_snapshot(DocumentKind.WARNING_NOTICE))


def test_an_unprintable_character_refuses_the_document() -> None:
    snapshot = {**full_snapshot(DocumentKind.WARNING_NOTICE), "subject.name": "王\U0010fffd"}
    with pytest.raises(ValidationError) as caught:
        render_document(snapshot)
    assert caught.value.field == "document"
    assert caught.value.params == {"char": "\U0010fffd", "code": "10FFFD"}
    assert "U+10FFFD" in str(caught.value)


def _decode(pdf: bytes, tmp_path: Path, page: int = 1) -> list[str]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", str(page), "-l", str(page),
                    str(path), str(tmp_path / "page")], check=True)
    image = Image.open(next(tmp_path.glob("page*.png")))
    return [code.text for code in zxingcpp.read_barcodes(image)]


def test_the_qr_code_decodes_to_the_payload(tmp_path: Path) -> None:
    pdf = render_document(full_snapshot(DocumentKind.PENALTY_DECISION), qr_payload=PAYLOAD)
    assert _decode(pdf, tmp_path) == [PAYLOAD]


def test_the_receipt_is_one_long_80mm_page_per_copy_with_the_qr(tmp_path: Path) -> None:
    snapshot = full_snapshot(DocumentKind.WARNING_NOTICE)
    rendered = render_pages(snapshot, layout="receipt", qr_payload=PAYLOAD)
    assert rendered.copy_pages == (1, 1)
    page = PdfReader(io.BytesIO(rendered.pdf)).pages[0]
    width_mm = float(page.mediabox.width) / 72 * 25.4
    assert round(width_mm) == 80 and float(page.mediabox.height) > float(page.mediabox.width)
    text = text_of(rendered.pdf)[0]
    assert squeeze(snapshot["finding.facts"]) in text and "第一联" in text
    assert _decode(rendered.pdf, tmp_path) == [PAYLOAD]


def test_only_on_site_notices_have_the_receipt_layout() -> None:
    on_site = {k for k in DocumentKind if "receipt" in layouts_for(k)}
    assert on_site == {DocumentKind.EDUCATION_NOTICE, DocumentKind.WARNING_NOTICE,
                       DocumentKind.CORRECTION_ORDER}
    with pytest.raises(ValidationError):
        render_document(full_snapshot(DocumentKind.PENALTY_DECISION), layout="receipt")


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValidationError):
        render_document({**full_snapshot(DocumentKind.WARNING_NOTICE),
                         "document.kind": "no_such_kind"})


@pytest.mark.parametrize("kind", RECORDS)
def test_a_long_record_has_the_signature_line_on_every_page(kind: DocumentKind) -> None:
    questions = []
    for i in range(1, 31):
        questions.append(f"问：第{i}个问题，请你详细说明当天在店门外摆放货架经营的经过和原因？")
        questions.append(f"答：第{i}次回答，当天早上进货较多，店内放不下，我就把三组货架摆在门口"
                         "人行道上，想着卖完就收回去，没想到影响了行人通行。")
    snapshot = {**full_snapshot(kind), "record.qa": "\n".join(questions),
                "record.content": "\n".join(questions[1::2])}
    pages = text_of(render_document(snapshot))
    signature = squeeze(load_template(kind).page_signature).split("：")[0]
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        assert signature in page and "执法人员签名" in page
        assert f"第{number}页共{len(pages)}页" in page
    assert "第30次回答" in "".join(pages)


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_a_snapshot_with_only_the_kind_prints_a_blank_form(kind: DocumentKind) -> None:
    rendered = render_pages({"document.kind": kind})
    assert rendered.page_count >= 1
    assert TITLES[kind] in text_of(rendered.pdf)[0]


@pytest.mark.parametrize("layout", ["a4", "receipt"])
def test_an_unidentified_vendor_is_described(layout: str) -> None:
    snapshot = {**full_snapshot(DocumentKind.WARNING_NOTICE), "subject.name": "",
                "subject.kind": "流动摊贩（身份不明）", "subject.shop_sign": ""}
    everything = "".join(text_of(render_document(snapshot, layout=layout)))
    assert "当事人（身份不明）：" + squeeze(snapshot["subject.description"]) in everything
