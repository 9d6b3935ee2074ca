"""The bundled TrueType faces, registered once, and the rule that no glyph prints as a box.

reportlab draws a character its face lacks as glyph 0 (an empty box) without a word, so
every string is split into runs before drawing: each character goes to the first face
of its chain that has it (the document face, then the wide-coverage fallback), and a
character in no face refuses the whole document, naming the character.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from fieldapp.domain.errors import ValidationError
from fieldapp.resources import resource

SONG = "fieldapp-song"  # AR PL SungtiL GB: the document face (宋体, GB2312)
HEI = "fieldapp-hei"  # WenQuanYi Micro Hei: headings (黑体-like)
# AR PL UMing CN, in two subsets of what SungtiL lacks: a small one of symbols that
# ordinary documents need (〇 of every date, ¥, ㎡ …) and a large one of ideographs
# (生僻字 of names). reportlab copies a face's whole glyph table for each document that
# uses it, so the everyday documents only pay for the small one.
SYMBOLS = "fieldapp-symbols"
FALLBACK = "fieldapp-fallback"


@dataclass(frozen=True)
class Face:
    name: str
    file: str
    subfont: int = 0


FACES = (Face(SONG, "gbsn00lp.ttf"), Face(HEI, "wqy-microhei.ttc"),
         Face(SYMBOLS, "uming-symbols.ttf"), Face(FALLBACK, "uming-fallback.ttf"))

# Which faces may draw a character, in order of preference, for text set in a face.
_CHAINS = {SONG: (SONG, SYMBOLS, FALLBACK), HEI: (HEI, SONG, SYMBOLS, FALLBACK)}


@cache
def register_fonts() -> None:
    """Register the faces with reportlab (once per process: parsing takes ~0.1 s each)."""
    # Our PDFs are binary files: ASCII85 on the streams (reportlab's default, a 7-bit
    # mail convention) grows them by a quarter and, in pure Python, takes ~0.1 s per
    # embedded 1600 px photo. Every PDF fieldapp makes goes through this module.
    rl_config.useA85 = 0
    for face in FACES:
        pdfmetrics.registerFont(TTFont(face.name, str(resource("fonts", face.file)),
                                       subfontIndex=face.subfont))
        # reportlab quietly makes a font an alias of an earlier one with the same
        # PostScript name: each bundled file needs its own.
        if not pdfmetrics.getFont(face.name).face.filename.endswith(face.file):
            raise RuntimeError(f"{face.file} has the PostScript name of another bundled font")


@cache
def _chain(font: str) -> tuple[tuple[str, dict[int, int]], ...]:
    """The faces that may draw text set in ``font``, with their character maps."""
    register_fonts()
    return tuple((name, pdfmetrics.getFont(name).face.charToGlyph) for name in _CHAINS[font])


def face_for(char: str, font: str) -> str:
    """The face that draws ``char`` in text set in ``font``; refuses an unprintable one."""
    code = ord(char)
    for name, cmap in _chain(font):
        if code in cmap:
            return name
    raise ValidationError(
        "document", "the character '{char}' (U+{code}) cannot be printed with the fonts available",
        char=char, code=f"{code:04X}")


def runs(text: str, font: str) -> list[tuple[str, str]]:
    """Split ``text`` into (face, piece) runs that the faces can draw."""
    primary = _chain(font)[0][1]
    if all(ord(char) in primary for char in text):  # the usual case
        return [(font, text)] if text else []
    out, current, start = [], "", 0
    for i, char in enumerate(text):
        name = face_for(char, font)
        if name != current:
            if i > start:
                out.append((current, text[start:i]))
            current, start = name, i
    if len(text) > start:
        out.append((current, text[start:]))
    return out


@lru_cache(maxsize=4096)  # the fixed text of templates comes back with every document
def markup(text: str, font: str) -> str:
    """``text`` as Paragraph markup: escaped, with ``<font>`` around borrowed glyphs and
    ``<br/>`` for line breaks."""
    lines = text.replace("\r\n", "\n").replace("\t", "    ").split("\n")
    return "<br/>".join(_markup_line(line, font) for line in lines)


def _markup_line(text: str, font: str) -> str:
    return "".join(_escape(piece) if name == font
                   else f'<font name="{name}">{_escape(piece)}</font>'
                   for name, piece in runs(text, font))


def _escape(text: str) -> str:
    # Paragraphs collapse whitespace, the ideographic space (U+3000) included; two
    # no-break spaces (half an em each in these faces) keep its width.
    return escape(text).replace("\u3000", "&nbsp;&nbsp;")


def string_width(text: str, font: str, size: float) -> float:
    """The width of ``text`` drawn in runs, in points."""
    return float(sum(pdfmetrics.stringWidth(piece, name, size)
                     for name, piece in runs(text, font)))
