"""Template blocks turned into platypus flowables.

Each block type of ``forms/README.md`` has one builder here. Every string passes through
``fonts.markup``, which borrows glyphs from the fallback face and refuses a character no
face can print.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib import textsplit as _textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus import paragraph as _paragraph_module

from fieldapp.documents.flowables import BoxArea, EvidencePhoto, SealPlace
from fieldapp.documents.fonts import HEI, SONG, markup, string_width
from fieldapp.documents.templates import Block, fill, holds, pieces, value

_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
_BLANK = "\u3000" * 6  # an underlined gap to write in by hand
_DATE_BLANK = "年\u3000\u3000月\u3000\u3000日"
_GRID = colors.black
_KEEP_WITH_SEAL = 1
_SEAL_ROOM = 50 * mm
_PADDINGS = ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")


@dataclass(frozen=True)
class Layout:
    """What the builders need to know about the page: body size, frame width, receipt."""

    snapshot: Mapping[str, str]
    size: float
    width: float
    receipt: bool = False
    label_width: float = 24  # mm, the label column of field grids
    images: Mapping[str, Path] = field(default_factory=dict)  # evidence file by SHA-256

    @property
    def line_factor(self) -> float:
        """Leading over size: narrative documents breathe (14 pt × 1.6), dense forms and
        the receipt less."""
        return 1.4 if self.receipt else 1.6 if self.size > 12 else 1.5

    def style(self, *, indent: bool = False, align: str = "justify", font: str = SONG,
              size: float | None = None, hanging: float = 0,
              leading: float | None = None) -> ParagraphStyle:
        """A paragraph style; ``leading`` as a multiple of the size (tables: tighter)."""
        size = size or self.size
        return ParagraphStyle(
            "fieldapp", fontName=font, fontSize=size,
            leading=size * (leading or self.line_factor),
            wordWrap="CJK", alignment=_ALIGN[align], firstLineIndent=2 * size if indent else 0,
            leftIndent=hanging, bulletIndent=0)

    def text(self, template: str, font: str = SONG, *, blank: bool = True) -> str:
        """Paragraph markup of ``template`` with its placeholders filled in."""
        out = []
        for piece, is_value in pieces(template, self.snapshot):
            if is_value and not piece:
                out.append(f"<u>{markup(_BLANK, SONG)}</u>" if blank else "")
            else:
                out.append(markup(piece, font))
        return "".join(out)

    def para(self, template: str, **style: Any) -> Paragraph:
        font = style.get("font", SONG)
        return Paragraph(self.text(template, font), self.style(**style))


# reportlab's CJK line breaking knows the Japanese list of characters that must not start
# a line; Chinese full-width punctuation must not either (they hang in the margin).
_NO_LINE_START = "，；：？！》〉”’…"
for _module in (_paragraph_module, _textsplit):
    if "，" not in _module.ALL_CANNOT_START:
        _module.ALL_CANNOT_START += _NO_LINE_START
# Nor may a line end with an opening bracket or quote (the other half of kinsoku), which
# reportlab's CJK breaking does not know: a line that would end with one is made one
# glyph narrower, so the bracket starts the next line with what it opens; likewise when
# the next line would still start with a closing mark.
NO_LINE_END = "（《〈“‘「『【〔［｛([{"
NO_LINE_END_TUPLE = tuple(NO_LINE_END)
# reportlab hangs one closing mark in the margin, not two (】。): then the glyph before
# them moves down too.
NO_LINE_START_TUPLE = tuple("，。；：？！）》〉”’、」』】〕］｝…")
_KINSOKU_TRIES = 12  # lines corrected in one paragraph at the most


def _line_text(line: Any) -> str:
    """A broken line's text: ``[extra space, text]`` from the one-font path (``(extra
    space, [text])`` once the paragraph holds it), a line of fragments from the
    mixed-font one."""
    if isinstance(line, (list, tuple)):
        return "".join(map(str, line[1]))
    return "".join(str(getattr(w, "text", "")) for w in getattr(line, "words", ()))


def _extra_space(line: Any) -> float:
    return float(line[0] if isinstance(line, (list, tuple)) else getattr(line, "extraSpace", 0))


def _last_glyph_width(line: Any, rest: Sequence[Any]) -> float:
    """The width of a line's last glyph, in its font (the one-font path passes the font
    name and size after the widths; a fragment carries its own)."""
    if isinstance(line, (list, tuple)):
        font, size = rest[0], rest[1]
    else:
        last = line.words[-1]
        font, size = last.fontName, last.fontSize
    return float(stringWidth(_line_text(line)[-1:], font, size))


def _kinsoku(split: Callable[..., Any], lines_of: Callable[[Any], Any]) -> Callable[..., Any]:
    def kinsoku_split(first: Any, max_widths: Any, *rest: Any) -> Any:
        widths = list(max_widths) if isinstance(max_widths, (list, tuple)) else [max_widths]
        result = split(first, widths, *rest)
        for _ in range(_KINSOKU_TRIES):
            lines = lines_of(result)
            texts = [_line_text(line) for line in lines]
            bad = next((n for n, text in enumerate(texts[:-1])
                        if text.endswith(NO_LINE_END_TUPLE)
                        or texts[n + 1].startswith(NO_LINE_START_TUPLE)), None)
            if bad is None:
                break
            widths.extend([widths[-1]] * (len(lines) + 1 - len(widths)))
            extra = _extra_space(lines[bad])
            used = widths[bad] - extra
            if extra < 0:  # a closing mark hangs in the margin: the glyph before it moves
                used -= _last_glyph_width(lines[bad], rest)
            widths[bad] = used - 0.01  # the last glyph no longer fits: it moves down
            result = split(first, widths, *rest)
        return result

    kinsoku_split.kinsoku = True  # type: ignore[attr-defined]
    return kinsoku_split


# The one-font path (``wordSplit``, lines as tuples) and the mixed-font one.
if not getattr(_paragraph_module.cjkFragSplit, "kinsoku", False):
    _paragraph_module.cjkFragSplit = _kinsoku(_paragraph_module.cjkFragSplit,
                                              lambda result: result.lines)
    _paragraph_module.wordSplit = _kinsoku(_paragraph_module.wordSplit, lambda lines: lines)


Builder = Callable[[Block, Layout], list[Flowable]]


def build(blocks: Sequence[Block], layout: Layout) -> list[Flowable]:
    """The flowables of ``blocks`` whose conditions hold."""
    out: list[Flowable] = []
    previous: tuple[Block, int] | None = None  # the last block built, its flowable count
    for block in blocks:
        if not holds(block.get("if"), layout.snapshot):
            continue
        if block.get("type") == "seal" and not layout.receipt:
            if block.get("beside") and previous:
                # the block before (signatures) on the left, the seal on the right
                del out[-previous[1]:]
                made: list[Flowable] = [_beside(previous[0], block, layout)]
            else:
                # A seal never stands alone on a page (GB/T 9704 7.3.5): it takes the
                # lines before it along.
                kept = out[-_KEEP_WITH_SEAL:]
                del out[-_KEEP_WITH_SEAL:]
                made = [KeepTogether([*kept, *_seal(block, layout)])]
        else:
            made = _BUILDERS[block.get("type", "paragraph")](block, layout)
        out.extend(made)
        previous = (block, len(made))
    return out


def _beside(left: Block, seal: Block, layout: Layout) -> Flowable:
    """``left`` laid out in the room the seal place leaves (a dense form's last line)."""
    seal_w = min(layout.width * 0.55, max(
        string_width(value(layout.snapshot, "agency.full_name"), SONG, layout.size) + 4 * mm,
        _SEAL_ROOM))
    narrow = replace(layout, width=layout.width - seal_w)
    table = Table([[_BUILDERS[left.get("type", "paragraph")](left, narrow),
                    _seal(seal, replace(layout, width=seal_w), indent=False)]],
                  colWidths=[narrow.width, seal_w], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                               ("FONTNAME", (0, 0), (-1, -1), SONG),
                               *[(side, (0, 0), (-1, -1), 0) for side in _PADDINGS]]))
    return table


def _space(block: Block, layout: Layout) -> float:
    return float(block.get("space", 0.35 if layout.receipt else 0.5)) * layout.size


def _paragraph(block: Block, layout: Layout) -> list[Flowable]:
    size = layout.size * float(block.get("scale", 1))
    para = layout.para(block["text"], indent=block.get("indent", True) and not layout.receipt,
                       align=block.get("align", "justify"), size=size)
    para.spaceAfter = _space(block, layout)
    return [para]


def _heading(block: Block, layout: Layout) -> list[Flowable]:
    size = layout.size * float(block.get("scale", 1.05))
    para = layout.para(block["text"], font=HEI, align=block.get("align", "left"), size=size)
    para.spaceBefore = layout.size * 0.3
    para.spaceAfter = layout.size * 0.3
    return [para]


def _variants(block: Block, layout: Layout) -> list[Flowable]:
    for variant in block["variants"]:
        any_of = variant.get("when_any")
        if holds(variant.get("when"), layout.snapshot) and (
                any_of is None or any(holds(c, layout.snapshot) for c in any_of)):
            return build(variant["blocks"], layout)
    return []


def _present(pair: Mapping[str, Any], layout: Layout) -> bool:
    return not pair.get("optional") or bool(_pair_value(pair, layout))


def _pair_value(pair: Mapping[str, Any], layout: Layout) -> str:
    return "".join(p for p, _ in pieces(pair.get("value", ""), layout.snapshot))


def _value_markup(pair: Mapping[str, Any], layout: Layout, *, blank: bool) -> str:
    if not _pair_value(pair, layout) and "default" in pair:
        return layout.text(pair["default"])
    return layout.text(pair.get("value", ""), blank=blank)


def _fields(block: Block, layout: Layout) -> list[Flowable]:
    rows = [[p for p in row if _present(p, layout)] for row in block["rows"]]
    rows = [row for row in rows if row]
    if layout.receipt or block.get("style", "grid") == "lines":
        return _field_lines(rows, block, layout)
    return [_field_grid(rows, block, layout)]


def _field_lines(rows: list[list[Mapping[str, Any]]], block: Block,
                 layout: Layout) -> list[Flowable]:
    out: list[Flowable] = []
    gap = markup("\u3000" * (1 if layout.receipt else 2), SONG)
    for row in rows:
        text = gap.join(layout.text(p["label"]) + markup("：", SONG)
                        + _value_markup(p, layout, blank=True) for p in row)
        para = Paragraph(text, layout.style(indent=False, align="left"))
        para.spaceAfter = _space(block, layout) * 0.5
        out.append(para)
    return out


def _field_grid(rows: list[list[Mapping[str, Any]]], block: Block, layout: Layout) -> Table:
    """Label and value cells in ruled rows; a row with fewer pairs stretches its last
    value. All grids of a document share the label width, so their rules line up."""
    pairs = max(len(row) for row in rows)
    label_w = float(block.get("label_width", layout.label_width)) * mm
    value_w = (layout.width - pairs * label_w) / pairs
    label_style = layout.style(align="center", leading=1.3)
    value_style = layout.style(align="left", leading=1.3)
    data: list[list[Any]] = []
    spans, heights = [], []
    for r, row in enumerate(rows):
        cells: list[Any] = []
        for pair in row:
            cells.append(Paragraph(layout.text(pair["label"]), label_style))
            cells.append(_value_cell(pair, layout, value_style))
        if len(row) < pairs:
            spans.append(("SPAN", (len(cells) - 1, r), (2 * pairs - 1, r)))
            cells += [""] * (2 * pairs - len(cells))
        data.append(cells)
        heights.append(max(float(p.get("tall", 0)) for p in row) * mm)
    table = Table(data, colWidths=[label_w, value_w] * pairs, minRowHeights=heights,
                  splitInRow=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, _GRID), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, -1), SONG),  # empty cells too (else Helvetica, unembedded)
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *[("VALIGN", (2 * i + 1, r), (2 * i + 1, r), "TOP")
          for r, row in enumerate(rows) for i, p in enumerate(row)
          if p.get("tall") and p.get("valign", "top") == "top"],
        *spans]))
    table.spaceAfter = _space(block, layout)
    return table


def _value_cell(pair: Mapping[str, Any], layout: Layout, style: ParagraphStyle) -> Any:
    value_para = Paragraph(_value_markup(pair, layout, blank=False), style)
    if "sign" not in pair:
        return value_para
    # An opinion box: the opinion, then who signs and when, at the right.
    sign = Paragraph(layout.text(pair["sign"] + "\u3000" * 6 + _DATE_BLANK),
                     layout.style(align="right", leading=1.3))
    sign.spaceBefore = layout.size * 1.5
    return [value_para, sign]


def _qa(block: Block, layout: Layout) -> list[Flowable]:
    """Question and answer lines of a record (问：… / 答：…), with a hanging indent so the
    text lines up after the mark."""
    out: list[Flowable] = []
    for line in value(layout.snapshot, block["key"]).splitlines():
        line = line.strip()
        if not line:
            continue
        marked = line[:2] in ("问：", "答：", "问:", "答:")
        if marked:
            style = layout.style(hanging=2 * layout.size)
            style.firstLineIndent = -2 * layout.size
            para = Paragraph(f'<font name="{HEI}">{markup(line[0], HEI)}</font>'
                             + markup("：" + line[2:].strip(), SONG), style)
        else:
            para = Paragraph(markup(line, SONG), layout.style(indent=True))
        para.spaceAfter = layout.size * 0.25
        out.append(para)
    return out


def _lines(block: Block, layout: Layout) -> list[Flowable]:
    lines = [ln.strip() for ln in value(layout.snapshot, block["key"]).splitlines()]
    lines = [ln for ln in lines if ln] or ([block["empty"]] if "empty" in block else [])
    out: list[Flowable] = []
    for i, line in enumerate(lines, 1):
        prefix = f"{i}. " if block.get("numbered") else block.get("prefix", "")
        para = Paragraph(markup(prefix + line, SONG),
                         layout.style(indent=not layout.receipt and not prefix,
                                      hanging=0 if layout.receipt else 2 * layout.size))
        para.spaceAfter = layout.size * 0.2
        out.append(para)
    if out:
        out[-1].spaceAfter = _space(block, layout)
    return out


def _table(block: Block, layout: Layout) -> list[Flowable]:
    """A table whose rows come from one snapshot value, a row per line, cells separated by
    ``separator`` (e.g. the item list of 证据先行登记保存)."""
    columns = block["columns"]
    separator = {"tab": "\t"}.get(block.get("separator", "|"), block.get("separator", "|"))
    rows = [line.replace("｜", "|") if separator == "|" else line
            for line in value(layout.snapshot, block["key"]).splitlines() if line.strip()]
    cells = [[c.strip() for c in row.split(separator)] for row in rows]
    if block.get("numbered"):
        cells = [[str(i), *row] for i, row in enumerate(cells, 1)]
    cells += [[""] * len(columns)] * max(0, int(block.get("min_rows", 0)) - len(cells))
    size = layout.size * float(block.get("scale", 1))
    body = layout.style(align="left", size=size, leading=1.3)
    head = layout.style(align="center", size=size, font=HEI, leading=1.3)
    # A column may set a smaller type ("scale") so that a 文号 fits its column on one
    # line rather than breaking after 〔.
    aligns = [layout.style(align=c.get("align", "left"),
                           size=size * float(c.get("scale", 1)), leading=1.3)
              for c in columns]
    data = [[Paragraph(markup(c["header"], HEI), head) for c in columns]]
    data += [[Paragraph(markup(text, SONG), aligns[i] if i < len(aligns) else body)
              for i, text in enumerate((row + [""] * len(columns))[:len(columns)])]
             for row in cells]
    total = sum(float(c["width"]) for c in columns)
    widths = [float(c["width"]) / total * layout.width for c in columns]
    table = Table(data, colWidths=widths, repeatRows=1, splitInRow=1,
                  minRowHeights=[0] + [float(block.get("row_height", 0)) * mm] * len(cells))
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, _GRID), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, -1), SONG),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]))
    table.spaceAfter = _space(block, layout)
    return [table]


def _signatures(block: Block, layout: Layout) -> list[Flowable]:
    """Signature lines: label, a ruled gap to sign on, then 执法证号 or the date."""
    rows = [r for r in block["rows"] if holds(r.get("if"), layout.snapshot)]
    if layout.receipt or layout.width < 100 * mm:
        return [_signature_line(r, layout) for r in rows]
    data = []
    for row in rows:
        dated = "extra" not in row and row.get("date", True)
        extra = _DATE_BLANK if dated else row.get("extra", "")
        data.append([
            Paragraph(layout.text(row["label"]), layout.style(align="left")),
            Paragraph(layout.text(row.get("name", "")), layout.style(align="center")),
            Paragraph(layout.text(extra), layout.style(align="right" if dated else "left"))])
    label_w = float(block["label_width"]) * mm if "label_width" in block else max(
        string_width(fill(r["label"], layout.snapshot), SONG, layout.size) for r in rows) + 4
    sign_w = float(block.get("sign_width", 40)) * mm
    table = Table(data, colWidths=[label_w, sign_w, layout.width - label_w - sign_w],
                  hAlign="LEFT", splitByRow=0)  # signatures stay together
    table.setStyle(TableStyle([
        ("LINEBELOW", (1, 0), (1, -1), 0.6, _GRID), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("FONTNAME", (0, 0), (-1, -1), SONG),
        ("TOPPADDING", (0, 0), (-1, -1), float(block.get("gap", 3)) * mm),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    table.spaceBefore = layout.size * 0.5
    table.spaceAfter = _space(block, layout)
    return [table]


def _signature_line(row: Mapping[str, Any], layout: Layout) -> Flowable:
    extra = row.get("extra", "")
    text = layout.text(row["label"]) + layout.text(row.get("name", "")) + (
        f"<u>{markup(_BLANK, SONG)}</u>" if not row.get("name") else "")
    if extra:
        text += "<br/>" + layout.text(extra)
    para = Paragraph(text, layout.style(align="left"))
    para.spaceBefore = layout.size * 0.8
    return para


def _seal(block: Block, layout: Layout, *, indent: bool = True) -> list[Flowable]:
    agency = value(layout.snapshot, "agency.full_name")
    date = value(layout.snapshot, "document.date_cn") or _DATE_BLANK
    return [SealPlace(agency, date, size=layout.size, width=layout.width,
                      stamp=block.get("stamp", True), indent=indent and not layout.receipt,
                      whole=layout.receipt)]


def _spacer(block: Block, layout: Layout) -> list[Flowable]:
    return [Spacer(1, float(block.get("height", 5)) * mm)]


def _photo(block: Block, layout: Layout) -> list[Flowable]:
    """The evidence photo named by its SHA-256 (``{photo.sha256}``), embedded."""
    sha = layout.snapshot.get(str(block.get("key", "photo.sha256")), "")
    height = float(block.get("height", 95)) * mm
    return [EvidencePhoto(layout.images.get(sha), layout.width, height)]


def _box(block: Block, layout: Layout) -> list[Flowable]:
    return [BoxArea(layout.width, float(block.get("height", 60)) * mm,
                    block.get("text", ""), size=layout.size)]


_BUILDERS: dict[str, Builder] = {
    "paragraph": _paragraph, "heading": _heading, "variants": _variants, "fields": _fields,
    "qa": _qa, "lines": _lines, "table": _table, "signatures": _signatures, "seal": _seal,
    "spacer": _spacer, "box": _box, "photo": _photo,
}
