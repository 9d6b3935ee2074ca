"""Sections (copies of a document, parts of a dossier) laid out into one PDF.

A section starts on a new page and is numbered "第 N 页 共 M 页" on its own. Page
decorations that need the page count (numbers, the 笔录 signature line, the copy note,
the QR code) are drawn when the document is saved: the canvas keeps each finished page
until then, the usual two-pass trick of reportlab without laying the story out twice.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreakIfNotEmpty,
    PageTemplate,
    Paragraph,
)

from fieldapp.documents.blocks import Layout, build
from fieldapp.documents.flowables import QRBlock, SectionStart, TitleLine, draw_text
from fieldapp.documents.fonts import SONG, markup, register_fonts
from fieldapp.documents.qr import QUIET_ZONE, draw_qr, symbol
from fieldapp.documents.templates import Template

A4 = (210 * mm, 297 * mm)
TOP, BINDING, RIGHT, BOTTOM = 37 * mm, 28 * mm, 26 * mm, 35 * mm  # GB/T 9704: 156 × 225 mm
RECEIPT_WIDTH, RECEIPT_MARGIN = 80 * mm, 4 * mm  # 72 mm printable on an 80 mm roll
QR_SIDE = 22 * mm
_MIN_MODULE = 0.33 * mm
QR_CAPTION = "扫码核验"
_FOOT_SIZE = 10.5


@dataclass
class Section:
    """One run of pages: a copy (联) of a document, or a part of a dossier."""

    template: Template
    snapshot: Mapping[str, str]
    copy_note: str = ""
    qr_payload: str = ""
    extra: Sequence[Flowable] = ()  # flowables after the template body (photo pages)
    images: Mapping[str, Path] = field(default_factory=dict)  # evidence files by SHA-256
    first_volume_page: int = 0  # dossier page number of its first page; 0: none
    pages: int = field(default=0, init=False)


def render_sections(sections: Sequence[Section], *, receipt: bool = False) -> bytes:
    """The PDF of ``sections``; sets each section's ``pages``."""
    register_fonts()
    out = io.BytesIO()
    if receipt:
        width = RECEIPT_WIDTH - 2 * RECEIPT_MARGIN
        stories = [_receipt_story(i, s, width) for i, s in enumerate(sections)]
        # one page per copy, as long as the longest copy
        height = max(_height(story, width) for story in stories) + 2 * RECEIPT_MARGIN + 6 * mm
        doc = _doc(out, (RECEIPT_WIDTH, height), RECEIPT_MARGIN, RECEIPT_MARGIN,
                   RECEIPT_MARGIN, RECEIPT_MARGIN, _payload(sections))
    else:
        width = A4[0] - BINDING - RIGHT
        stories = [_a4_story(i, s, width) for i, s in enumerate(sections)]
        doc = _doc(out, A4, TOP, BINDING, RIGHT, BOTTOM, _payload(sections))
    story: list[Flowable] = []
    for i, part in enumerate(stories):
        story += [PageBreakIfNotEmpty(), *part] if i else part
    doc.build(story, canvasmaker=lambda *a, **k: _DeferredCanvas(sections, receipt, *a, **k))
    return out.getvalue()


def _payload(sections: Sequence[Section]) -> str:
    return next((s.qr_payload for s in sections if s.qr_payload), "")


def _doc(out: io.BytesIO, size: tuple[float, float], top: float, left: float, right: float,
         bottom: float, payload: str = "") -> BaseDocTemplate:
    frame = Frame(left, bottom, size[0] - left - right, size[1] - top - bottom,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc = BaseDocTemplate(out, pagesize=size, leftMargin=left, rightMargin=right,
                          topMargin=top, bottomMargin=bottom, title="", author="",
                          creator="fieldapp", invariant=True,
                          # The verification code, also in the QR: a PDF checks without
                          # rendering and decoding the image.
                          keywords=payload)
    doc.addPageTemplates([PageTemplate("page", [frame], pagesize=size)])
    return doc


def _header(section: Section, layout: Layout, title_size: float, agency_size: float,
            number_size: float) -> list[Flowable]:
    tpl, snap = section.template, section.snapshot
    out: list[Flowable] = []
    agency = snap.get("agency.full_name", "")
    if tpl.show_agency and agency:
        para = Paragraph(markup(agency, SONG), layout.style(align="center", size=agency_size))
        para.spaceAfter = agency_size * 0.35
        out.append(para)
    title = (snap.get("document.title", "") if tpl.snapshot_title else "") or tpl.title
    if title:
        out.append(TitleLine(title, title_size, layout.width))
    number = snap.get("document.number", "")
    if number and tpl.show_number:
        align = "center" if layout.receipt else "right"
        para = Paragraph(markup(number, SONG), layout.style(align=align, size=number_size))
        para.spaceBefore = number_size * 0.4
        out.append(para)
    amends = snap.get("amends.number", "")
    if amends and tpl.show_number:  # 更正: what this document replaces, and why
        why = snap.get("amends.reason", "")
        text = f"本文书更正{amends}" + (f"，更正原因：{why}" if why else "") + "。"
        para = Paragraph(markup(text, SONG), layout.style(align="left", size=number_size))
        para.spaceBefore = number_size * 0.3
        out.append(para)
    if layout.receipt and section.copy_note:
        out.append(Paragraph(markup(section.copy_note, SONG),
                             layout.style(align="center", size=layout.size * 0.9)))
    if out:
        out[-1].spaceAfter = max(out[-1].getSpaceAfter(), title_size * 0.6)
    return out


def _a4_story(index: int, section: Section, width: float) -> list[Flowable]:
    tpl = section.template
    layout = Layout(_with_copy(section), tpl.font_size, width, label_width=tpl.label_width,
                    images=section.images)
    story: list[Flowable] = [SectionStart(index)]
    story += _header(section, layout, 22, 18, 13)
    story += build(tpl.body, layout)
    story += list(section.extra)
    return story


def _receipt_story(index: int, section: Section, width: float) -> list[Flowable]:
    tpl = section.template
    layout = Layout(_with_copy(section), 9, width, receipt=True)
    story: list[Flowable] = [SectionStart(index)]
    story += _header(section, layout, 14, 10, 9)
    story += build(tpl.body, layout)
    if section.qr_payload:
        story.append(QRBlock(section.qr_payload, 34 * mm, QR_CAPTION, width, 8))
    return story


def _with_copy(section: Section) -> Mapping[str, str]:
    if not section.copy_note:
        return section.snapshot
    return {**section.snapshot, "document.copy_note": section.copy_note}


def _height(story: Sequence[Flowable], width: float) -> float:
    """The height ``story`` takes at ``width`` on one endless page."""
    total, previous_after = 0.0, 0.0
    for flowable in story:
        _, height = flowable.wrap(width, 100_000)
        total += float(height) + max(float(flowable.getSpaceBefore()), previous_after)
        previous_after = float(flowable.getSpaceAfter())
    return total


class _DeferredCanvas(Canvas):  # type: ignore[misc]
    """Keeps the pages until ``save`` so each can be numbered within its section."""

    def __init__(self, sections: Sequence[Section], receipt: bool, *args: Any,
                 **kwargs: Any) -> None:
        # Start in our face: reportlab's default Helvetica would be listed, unembedded.
        super().__init__(*args, **{**kwargs, "initialFontName": SONG})
        self.fieldapp_section = 0
        self._sections, self._receipt = sections, receipt
        self._kept: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._kept.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        owners = [state["fieldapp_section"] for state in self._kept]
        for section_index, section in enumerate(self._sections):
            section.pages = owners.count(section_index)
        for page, state in enumerate(self._kept):
            self.__dict__.update(state)
            index = state["fieldapp_section"]
            number = owners[:page + 1].count(index)
            if not self._receipt:
                _decorate(self, self._sections[index], number)
            Canvas.showPage(self)
        Canvas.save(self)


def _decorate(canv: Canvas, section: Section, number: int) -> None:
    """Draw what every A4 page of the section carries outside the type area."""
    tpl, width = section.template, A4[0]
    foot_y = 14 * mm
    if tpl.page_numbers:
        draw_text(canv, BINDING + (width - BINDING - RIGHT) / 2, foot_y,
                  f"第 {number} 页  共 {section.pages} 页", size=_FOOT_SIZE, align="center")
    if section.copy_note:
        draw_text(canv, width - RIGHT, foot_y, section.copy_note, size=_FOOT_SIZE,
                  align="right")
    if tpl.page_signature:
        canv.saveState()
        canv.setLineWidth(0.4)
        canv.line(BINDING, BOTTOM - 4 * mm, width - RIGHT, BOTTOM - 4 * mm)
        canv.restoreState()
        draw_text(canv, BINDING, BOTTOM - 11 * mm, tpl.page_signature, size=12)
    if section.qr_payload and number == 1:
        side = qr_side(section.qr_payload)
        left, bottom = width - RIGHT - side, A4[1] - 8 * mm - side
        draw_qr(canv, section.qr_payload, left, bottom, side)
        draw_text(canv, left + side / 2, bottom - 3.2 * mm, QR_CAPTION, size=8,
                  align="center")
    if section.first_volume_page:
        draw_volume_number(canv, section.first_volume_page + number - 1)
    if tpl.frame:
        canv.saveState()
        canv.setLineWidth(1.2)
        canv.rect(BINDING - 4 * mm, BOTTOM - 4 * mm, width - BINDING - RIGHT + 8 * mm,
                  A4[1] - TOP - BOTTOM + 14 * mm)
        canv.restoreState()


def qr_side(payload: str) -> float:
    """22 mm, or more for a long payload: modules of at least 0.33 mm scan reliably from
    paper; 28 mm is what the top margin holds above the agency's name."""
    modules = symbol(payload)[0] + 2 * QUIET_ZONE
    return float(min(max(QR_SIDE, modules * _MIN_MODULE), 28 * mm))


def draw_volume_number(canv: Canvas, number: int) -> None:
    """The dossier page number, at the top right as archives number their pages."""
    draw_text(canv, A4[0] - 14 * mm, A4[1] - 14 * mm, str(number), size=12, align="right")
