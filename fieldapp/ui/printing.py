"""Previews and printing of issued PDFs.

Pages are rasterised with pdfium (pypdfium2) on the worker thread; printing draws those
images on the printer. "Save as PDF" copies the issued file itself, so the saved PDF is
exactly what was issued (vector text, embedded fonts, QR code).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fieldapp.ui.qt import QImage, QPainter, QPrintDialog, QPrinter, Qt, QWidget

PREVIEW_DPI = 80
PRINT_DPI = 300


@dataclass(frozen=True)
class PageImage:
    width: int
    height: int
    rgb: bytes  # packed RGB888 rows


def rasterise(pdf: bytes, dpi: int = PREVIEW_DPI, max_pages: int = 50) -> list[PageImage]:
    """Every page as an RGB image (off the GUI thread: pdfium work, no Qt objects)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        pages = []
        for index in range(min(len(document), max_pages)):
            bitmap = document[index].render(scale=dpi / 72).to_pil().convert("RGB")
            pages.append(PageImage(bitmap.width, bitmap.height, bitmap.tobytes()))
        return pages
    finally:
        document.close()


def to_qimage(page: PageImage) -> QImage:
    image = QImage(page.rgb, page.width, page.height, page.width * 3,
                   QImage.Format.Format_RGB888)
    return image.copy()  # detach from the bytes object


def save_pdf(pdf: bytes, path: Path) -> Path:
    path.write_bytes(pdf)
    return path


def print_pages(pages: list[PageImage], parent: QWidget | None) -> bool:
    """Ask for a printer and print the page images; False when cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    paint_pages(printer, pages)
    return True


def paint_pages(printer: QPrinter, pages: list[PageImage]) -> None:
    painter = QPainter(printer)
    try:
        page_rect = painter.viewport()
        for n, page in enumerate(pages):
            if n:
                printer.newPage()
            image = to_qimage(page)
            size = image.size()
            size.scale(page_rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.setViewport(page_rect.x(), page_rect.y(), size.width(), size.height())
            painter.setWindow(image.rect())
            painter.drawImage(0, 0, image)
    finally:
        painter.end()
