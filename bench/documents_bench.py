"""Document figures: one document PDF beside a plain reportlab script, a 40-page dossier.

Each document run gets a fresh QR payload (every issued document has its own), so the
QR code is made every time, by us and by the reference alike.
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from bench.harness import Figure, median, timings_ms
from fieldapp.documents.dossier import DossierPart, Photo, render_dossier
from fieldapp.documents.fonts import SONG, register_fonts
from fieldapp.documents.qr import draw_qr
from fieldapp.documents.render import render_document, render_pages
from fieldapp.documents.sample import SAMPLE, sample_snapshot
from fieldapp.domain.document_kinds import DocumentKind

RUNS = 30
_PAYLOAD = ("FD1.0196f3a2-7b1c-7d3e-9a2b-1c2d3e4f5a6b.东城管告诫字〔2026〕第7号.warning_notice."
            "2026-11-21.Zq3x1YbqJ0m6oHc4QkOZ6vV2qk7m1W0c8i5s3XoGQ9A.")
_DOSSIER_KINDS = (DocumentKind.FILING_APPROVAL, DocumentKind.INSPECTION_RECORD,
                  DocumentKind.INQUIRY_RECORD, DocumentKind.PHOTO_EVIDENCE,
                  DocumentKind.CORRECTION_ORDER, DocumentKind.PRIOR_NOTICE,
                  DocumentKind.STATEMENT_RECORD, DocumentKind.PENALTY_DECISION,
                  DocumentKind.SERVICE_RECEIPT, DocumentKind.CLOSING_APPROVAL)


def document_figures() -> list[Figure]:
    return [*_document_figures(), _dossier_figure()]


def _document_figures() -> list[Figure]:
    snapshot = sample_snapshot(DocumentKind.WARNING_NOTICE)
    lines = _text_lines(render_document(snapshot, qr_payload=_PAYLOAD, archive_only=True))
    counter = itertools.count()

    def payload() -> str:  # base64url of an Ed25519 signature: 86 characters
        digest = hashlib.sha512(str(next(counter)).encode()).digest()
        return _PAYLOAD + base64.urlsafe_b64encode(digest).decode().rstrip("=")

    ours = _alternating(
        lambda: render_document(snapshot, qr_payload=payload(), archive_only=True),
        lambda: _plain_page(lines, payload()),
        lambda: _plain_page(lines, payload(), vector_qr=True))
    doc, plain, plain_vector = (median(t) for t in ours)
    return [
        Figure("one document PDF (A4 告诫书, embedded CJK font, QR), median ms",
               f"{doc:.1f} ms ({doc / plain:.2f}x)",
               f"plain reportlab canvas, same lines and font, qrcode image: {plain:.1f} ms",
               "<= 1.3x and <= 40 ms", doc <= 1.3 * plain and doc <= 40),
        Figure("the same, against a plain canvas drawing the QR as we do (vector)",
               f"{doc:.1f} ms ({doc / plain_vector:.2f}x)",
               f"plain canvas, vector QR: {plain_vector:.1f} ms", "<= 1.3x",
               doc <= 1.3 * plain_vector),
    ]


def _alternating(*fns: Callable[[], object]) -> list[list[float]]:
    """Timings of each function, interleaved so a busy moment hits all of them alike."""
    for fn in fns:
        timings_ms(fn, 0, warmup=3)
    out: list[list[float]] = [[] for _ in fns]
    for _ in range(RUNS):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            out[i].append((time.perf_counter() - start) * 1000)
    return out


def _text_lines(pdf: bytes) -> list[str]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return [line for line in page.extract_text().splitlines() if line.strip()]


def _plain_page(lines: list[str], payload: str, *, vector_qr: bool = False) -> bytes:
    """The reference: what a plain reportlab script would do for the same page."""
    register_fonts()
    out = io.BytesIO()
    canv = Canvas(out, pagesize=(210 * mm, 297 * mm), invariant=True, initialFontName=SONG)
    y = 250 * mm
    for line in lines:
        canv.setFont(SONG, 12)
        canv.drawString(28 * mm, y, line)
        y -= 18
    if vector_qr:
        draw_qr(canv, payload, 162 * mm, 267 * mm, 22 * mm)
    else:
        image = qrcode.make(payload).get_image()
        canv.drawImage(ImageReader(image), 162 * mm, 267 * mm, 22 * mm, 22 * mm)
    canv.showPage()
    canv.save()
    return out.getvalue()


def _dossier_figure() -> Figure:
    with tempfile.TemporaryDirectory(prefix="fieldapp-bench-") as tmp:
        photos = _photos(Path(tmp), 20)
        parts, pages = [], 0
        for kind in _DOSSIER_KINDS:
            snapshot = sample_snapshot(kind)
            rendered = render_pages(snapshot, qr_payload=_PAYLOAD + kind, archive_only=True)
            attached = photos[:10] if kind is DocumentKind.INSPECTION_RECORD else ()
            parts.append(DossierPart(snapshot["document.title"], snapshot["document.number"],
                                     "2026年11月21日", "东城区城管执法局", rendered.pdf, attached))
            pages += rendered.page_count + len(attached) // 2
        parts.append(DossierPart("现场照片", "", "2026年11月21日", "王建国", None, photos[10:]))
        pages += 5
        # Pad with inquiry records to 40 numbered pages, as a long case would have.
        while pages < 40:
            extra = render_pages(sample_snapshot(DocumentKind.INQUIRY_RECORD), archive_only=True)
            parts.append(DossierPart("询问（调查）笔录", "", "2026年11月22日", "王建国",
                                     extra.pdf))
            pages += extra.page_count
        cover = {"agency.full_name": SAMPLE["agency.full_name"], "squad.name": "东华门中队",
                 "dossier.title": "刘德华店外经营案", "dossier.retention": "定期（30年）"}
        note = {"dossier.missing": "罚款缴款凭证", "dossier.compiler": "王建国"}
        times = []
        for _ in range(3):
            start = time.perf_counter()
            render_dossier(cover, parts, note)
            times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    return Figure(f"dossier: {pages} pages with 20 photos (1600x1200 JPEG), median s",
                  f"{seconds:.2f} s", "-", "<= 2 s", seconds <= 2)


def _photos(folder: Path, count: int) -> list[Photo]:
    """Photo-like JPEGs (gradients, shapes and grain, ~300 KB each at quality 85)."""
    photos = []
    grain = Image.effect_noise((1600, 1200), 24).convert("RGB")
    for i in range(count):
        image = Image.linear_gradient("L").resize((1600, 1200)).convert("RGB")
        draw = ImageDraw.Draw(image)
        for k in range(12):
            x, y = (i * 97 + k * 131) % 1400, (i * 53 + k * 89) % 1000
            draw.rectangle([x, y, x + 200, y + 150], fill=(40 * k % 256, 90 + i, 160))
        image = Image.blend(image, grain, 0.25)
        path = folder / f"photo{i:02d}.jpg"
        image.save(path, quality=85)
        photos.append(Photo(path, f"拍摄时间：2026年11月21日09时{30 + i}分 地点：东华门大街28号门前"
                                  f" 拍摄人：王建国 SHA-256：{i:02x}3fa9c1…"))
    return photos


if __name__ == "__main__":
    from bench.harness import print_table

    print_table(document_figures())
