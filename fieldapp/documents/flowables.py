"""The few flowables platypus lacks: the title line, the seal place, a box to paste on,
the QR code of the receipt layout, and the marker that starts a section (a copy)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image as PILImage
from PIL import ImageOps
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from fieldapp.documents.fonts import SONG, runs, string_width
from fieldapp.documents.qr import draw_qr

_SEAL_DIAMETER = 42 * mm  # the round agency seal (公章) is 42 mm across
_GREY = colors.Color(0.55, 0.55, 0.55)


def draw_text(canv: Any, x: float, y: float, text: str, *, font: str = SONG,
              size: float = 12, align: str = "left", bold: bool = False,
              char_space: float = 0) -> float:
    """Draw ``text`` in runs of faces at baseline ``y``; returns the width drawn."""
    width = string_width(text, font, size) + char_space * max(len(text) - 1, 0)
    start = {"left": x, "center": x - width / 2, "right": x - width}[align]
    obj = canv.beginText(start, y)
    if bold:  # fill and stroke: the weight of 小标宋 from a regular Song face
        canv.setLineWidth(size * 0.035)
        obj.setTextRenderMode(2)
    obj.setCharSpace(char_space)
    for name, piece in runs(text, font):
        obj.setFont(name, size)
        obj.textOut(piece)
    if bold:
        obj.setTextRenderMode(0)  # the mode is graphics state: it outlives the text object
    canv.drawText(obj)
    return width


class SectionStart(Flowable):  # type: ignore[misc]
    """Zero-size marker: the page it lands on starts section ``index`` (a copy, a part)."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index
        self.width = self.height = 0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.fieldapp_section = self.index


class TitleLine(Flowable):  # type: ignore[misc]
    """The document title: centred, bold-looking Song; short titles letter-spaced."""

    def __init__(self, text: str, size: float, width: float) -> None:
        super().__init__()
        self.text, self.size, self.width = text, size, width
        self.char_space = size * 0.5 if len(text) <= 5 else 0
        if string_width(text, SONG, size) + self.char_space * len(text) > width:
            self.size = size * width / (string_width(text, SONG, size) * 1.02)
            self.char_space = 0
        self.height = self.size * 1.3

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        draw_text(self.canv, self.width / 2, self.size * 0.3, self.text, size=self.size,
                  align="center", bold=True, char_space=self.char_space)


class SealPlace(Flowable):  # type: ignore[misc]
    """The agency's name and the date in Chinese numerals at the bottom right, under a
    dashed circle where the seal goes across the year and month (骑年盖月)."""

    def __init__(self, agency: str, date: str, *, size: float, width: float, stamp: bool,
                 indent: bool, whole: bool = False) -> None:
        super().__init__()
        self.agency, self.date, self.size, self.width = agency, date, size, width
        self.stamp = stamp
        # The name and date sit in the lower half of the seal; the seal's top may reach
        # into the line above the block (GB/T 9704: within one line of the text) and its
        # bottom into the page margin, unless the block must hold it ``whole`` (a receipt
        # goes on with the QR code).
        below = _SEAL_DIAMETER * 0.32 - size * 1.2 if stamp and whole else 0
        self.date_y = 2 * mm + below
        self.agency_y = self.date_y + size * 1.5
        self.seal_y = self.date_y + size * 1.2 + _SEAL_DIAMETER * 0.18
        top = self.seal_y + _SEAL_DIAMETER / 2 - (0 if whole else size)
        self.height = (top if stamp else self.agency_y + size) + 2 * mm
        # GB/T 9704: the date stands four characters from the right edge; the name is
        # centred over it.
        date_w = string_width(date, SONG, size)
        agency_w = string_width(agency, SONG, size)
        right = 4 * size if indent else 0
        self.centre = max(width - right - date_w / 2, agency_w / 2, _SEAL_DIAMETER / 2)
        self.centre = min(self.centre, width - agency_w / 2)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canv, size = self.canv, self.size
        if self.stamp:
            canv.saveState()
            canv.setDash(3, 2)
            canv.setStrokeColor(_GREY)
            canv.setLineWidth(0.6)
            canv.circle(self.centre, self.seal_y, _SEAL_DIAMETER / 2, stroke=1, fill=0)
            canv.setFillColor(_GREY)
            draw_text(canv, self.centre, self.seal_y + _SEAL_DIAMETER / 2 - 6 * mm, "（盖章）",
                      size=size * 0.7, align="center")
            canv.restoreState()
        draw_text(canv, self.centre, self.agency_y, self.agency, size=size, align="center")
        draw_text(canv, self.centre, self.date_y, self.date, size=size, align="center")


class BoxArea(Flowable):  # type: ignore[misc]
    """A ruled box with a grey note in the middle, e.g. 照片粘贴处."""

    def __init__(self, width: float, height: float, text: str, *, size: float) -> None:
        super().__init__()
        self.width, self.height, self.text, self.size = width, height, text, size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setLineWidth(0.6)
        canv.rect(0, 0, self.width, self.height)
        canv.setFillColor(_GREY)
        if self.text:
            draw_text(canv, self.width / 2, self.height / 2, self.text, size=self.size,
                      align="center")
        canv.restoreState()


class QRBlock(Flowable):  # type: ignore[misc]
    """The QR code centred with its caption under it (the receipt layout)."""

    def __init__(self, payload: str, side: float, caption: str, width: float,
                 size: float) -> None:
        super().__init__()
        self.payload, self.side, self.caption = payload, side, caption
        self.width, self.size = width, size
        self.height = side + size * 1.6

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        left = (self.width - self.side) / 2
        draw_qr(self.canv, self.payload, left, self.size * 1.6, self.side)
        draw_text(self.canv, self.width / 2, self.size * 0.4, self.caption, size=self.size,
                  align="center")


_EXIF_ORIENTATION = 0x0112


def load_image(path: Path) -> tuple[Any, tuple[int, int]]:
    """What to hand reportlab for ``path`` and its pixel size. A JPEG stored upright
    goes in as the file (its bytes are embedded as they are, no decoding); one with an
    EXIF rotation is turned upright first."""
    try:
        with PILImage.open(path) as image:
            orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
            if image.format == "JPEG" and orientation == 1:
                return str(path), image.size
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, ValueError):
        return None, (0, 0)
    return ImageReader(upright), upright.size


class EvidencePhoto(Flowable):  # type: ignore[misc]
    """The photo a 现场照片证据 page is about, fitted into a framed box."""

    def __init__(self, path: Path | None, width: float, height: float) -> None:
        super().__init__()
        self.path, self.width, self.height = path, width, height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setStrokeColor(colors.Color(0.6, 0.6, 0.6))
        canv.setLineWidth(0.5)
        canv.rect(0, 0, self.width, self.height)
        canv.restoreState()
        image, size = load_image(self.path) if self.path else (None, (0, 0))
        if image is None:
            draw_text(canv, self.width / 2, self.height / 2, "（照片文件缺失）", size=12,
                      align="center")
            return
        scale = min((self.width - 4) / size[0], (self.height - 4) / size[1])
        w, h = size[0] * scale, size[1] * scale
        canv.drawImage(image, (self.width - w) / 2, (self.height - h) / 2, w, h)
