"""The case dossier (案卷): cover, index, the documents, their photos and the note.

Archive practice (卷内文件): the cover, the index (卷内文件目录) and the note (卷内备考表)
carry no page number; the documents and photo pages are numbered 1…N across the volume
at the top right, and the index gives each document's range of those numbers. The page
counts are known before anything is laid out (a part's PDF pages plus a page per two
photos), so one layout pass gives the index its ranges. Our own pages (cover, index,
photos, note) are one reportlab document; the parts' stored PDFs are stamped with
their numbers and everything is assembled with pypdf, with an outline entry per part.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, Paragraph

from fieldapp.documents.blocks import Layout
from fieldapp.documents.engine import A4, Section, draw_volume_number, render_sections
from fieldapp.documents.flowables import draw_text, load_image
from fieldapp.documents.fonts import HEI, SONG, markup, register_fonts
from fieldapp.documents.templates import Template, load_template

PHOTOS_PER_PAGE = 2
_WIDTH = A4[0] - 28 * mm - 26 * mm
_PHOTO_HEIGHT = 88 * mm


@dataclass(frozen=True)
class Photo:
    """A photo of the evidence; the caption says time, place, officer and hash prefix."""

    path: Path
    caption: str


@dataclass(frozen=True)
class DossierPart:
    """One document of the volume (a row of the index) with its photos, if any."""

    title: str
    number: str
    date: str
    responsible: str
    pdf: bytes | None
    photos: Sequence[Photo] = field(default=())


@dataclass
class _Placed:
    part: DossierPart
    reader: PdfReader | None
    first: int  # volume page number of its first page (0: no pages)
    pages: int

    @property
    def pdf_pages(self) -> int:
        return len(self.reader.pages) if self.reader else 0

    @property
    def page_range(self) -> str:
        if not self.pages:
            return ""
        last = self.first + self.pages - 1
        return str(self.first) if last == self.first else f"{self.first}-{last}"


def render_dossier(cover: Mapping[str, str], parts: Sequence[DossierPart],
                   note: Mapping[str, str]) -> bytes:
    """The PDF of the volume: cover, index, each part (its PDF, then its photo pages),
    and the note listing ``note["dossier.missing"]`` (one item a line). A part with
    neither PDF nor photos is listed in the index as missing (缺) and takes no pages."""
    placed = _place(parts)
    counts = {"dossier.documents": str(sum(1 for p in placed if p.pages)),
              "dossier.pages": str(sum(p.pages for p in placed))}
    sections = [Section(load_template("dossier_cover"), {**cover, **counts}),
                Section(load_template("dossier_index"),
                        {**cover, **counts, "dossier.index": _index(placed)})]
    photos: dict[int, Section] = {}  # by part index
    for i, p in enumerate(placed):
        if p.part.photos:
            photos[i] = Section(_PHOTO_TEMPLATE, cover, extra=_photo_story(p.part),
                                first_volume_page=p.first + p.pdf_pages)
    sections += [*photos.values(),
                 Section(load_template("dossier_note"), {**cover, **note, **counts})]
    own = _Pages(PdfReader(io.BytesIO(render_sections(sections))), sections)
    writer = PdfWriter()
    own.append(writer, sections[0], "卷宗封面")
    own.append(writer, sections[1], "卷内文件目录")
    stamps = iter(_stamps([p for p in placed if p.reader]).pages)
    for i, p in enumerate(placed):
        first = len(writer.pages)
        for page in p.reader.pages if p.reader else ():
            writer.add_page(page).merge_page(next(stamps))
        if i in photos:
            own.append(writer, photos[i])
        if p.pages:
            writer.add_outline_item(title=f"{p.part.title} {p.part.number}".strip(),
                                    page_number=first)
    own.append(writer, sections[-1], "卷内备考表")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class _Pages:
    """Our own pages (one reportlab document), handed out section by section."""

    def __init__(self, reader: PdfReader, sections: Sequence[Section]) -> None:
        self.reader, self.start, page = reader, {}, 0
        for section in sections:
            self.start[id(section)] = page
            page += section.pages

    def append(self, writer: PdfWriter, section: Section, title: str = "") -> None:
        first, start = len(writer.pages), self.start[id(section)]
        for i in range(start, start + section.pages):
            writer.add_page(self.reader.pages[i])
        if title and section.pages:
            writer.add_outline_item(title=title, page_number=first)


def _place(parts: Sequence[DossierPart]) -> list[_Placed]:
    placed, first = [], 1
    for part in parts:
        reader = PdfReader(io.BytesIO(part.pdf)) if part.pdf else None
        pages = (len(reader.pages) if reader else 0) + -(-len(part.photos) // PHOTOS_PER_PAGE)
        placed.append(_Placed(part, reader, first if pages else 0, pages))
        first += pages
    return placed


def _index(placed: Sequence[_Placed]) -> str:
    """The rows of 卷内文件目录: 序号, 文号, 责任者, 文件题名, 日期, 页号, 备注."""
    rows = []
    for i, p in enumerate(placed, 1):
        cells = [str(i), p.part.number, p.part.responsible, p.part.title, p.part.date,
                 p.page_range, "" if p.pages else "缺"]
        rows.append("\t".join(c.replace("\t", " ").replace("\n", " ") for c in cells))
    return "\n".join(rows)


def _stamps(with_pdf: Sequence[_Placed]) -> PdfReader:
    """One page per stored PDF page with only its volume page number on it."""
    register_fonts()
    out = io.BytesIO()
    canv = Canvas(out, pagesize=A4, invariant=True, initialFontName=SONG)
    for p in with_pdf:
        for i in range(p.pdf_pages):
            draw_volume_number(canv, p.first + i)
            canv.showPage()
    canv.save()
    return PdfReader(out)


_PHOTO_TEMPLATE = Template(name="dossier_photos", title="", layouts=("a4",), font_size=12,
                           copies=(), body=(), page_numbers=False, qr=False,
                           show_agency=False, show_number=False, snapshot_title=False)


def _photo_story(part: DossierPart) -> list[Flowable]:
    layout = Layout({}, 12, _WIDTH)
    story: list[Flowable] = []
    photos = list(part.photos)
    for page in range(0, len(photos), PHOTOS_PER_PAGE):
        if page:
            story.append(PageBreak())
        heading = f"{part.title}（照片 {page + 1}–{min(page + PHOTOS_PER_PAGE, len(photos))}"\
                  f" / {len(photos)}）"
        story.append(Paragraph(markup(heading, HEI), layout.style(font=HEI, align="left")))
        story += [PhotoFrame(photo, layout) for photo in photos[page:page + PHOTOS_PER_PAGE]]
    return story


class PhotoFrame(Flowable):  # type: ignore[misc]
    """A photo fitted into a box the width of the type area, its caption under it."""

    def __init__(self, photo: Photo, layout: Layout) -> None:
        super().__init__()
        self.photo, self.width = photo, layout.width
        self.caption = Paragraph(markup(photo.caption, SONG),
                                 layout.style(size=10.5, align="left"))
        self.spaceBefore = 3 * mm

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        _, self.caption_height = self.caption.wrap(self.width, avail_height)
        self.height = _PHOTO_HEIGHT + 2 * mm + self.caption_height
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        top = self.caption_height + 2 * mm
        canv.saveState()
        canv.setStrokeColor(colors.Color(0.6, 0.6, 0.6))
        canv.setLineWidth(0.5)
        canv.rect(0, top, self.width, _PHOTO_HEIGHT)
        canv.restoreState()
        image, size = load_image(self.photo.path)
        if image is None:
            draw_text(canv, self.width / 2, top + _PHOTO_HEIGHT / 2, "（照片文件缺失）",
                      size=12, align="center")
        else:
            scale = min((self.width - 4) / size[0], (_PHOTO_HEIGHT - 4) / size[1])
            w, h = size[0] * scale, size[1] * scale
            canv.drawImage(image, (self.width - w) / 2, top + (_PHOTO_HEIGHT - h) / 2, w, h)
        self.caption.drawOn(canv, 0, 0)
