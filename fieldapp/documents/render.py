"""Render an issued document from its field snapshot: no database, no clock, no Qt.

The template is ``forms/<document.kind>.json``. Each copy (联) is its own run of pages
with its copy note; the QR code carries the verification payload the issuing side made.
Layouts: ``a4`` (every document) and ``receipt`` (80 mm roll, on-site notices only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fieldapp.documents.engine import Section, render_sections
from fieldapp.documents.templates import Template, load_template
from fieldapp.domain.errors import ValidationError

LAYOUTS = ("a4", "receipt")


@dataclass(frozen=True)
class RenderedDocument:
    pdf: bytes
    page_count: int
    copy_pages: tuple[int, ...]  # pages of each copy, in print order


def render_document(snapshot: Mapping[str, str], *, layout: str = "a4", qr_payload: str = "",
                    archive_only: bool = False,
                    images: Mapping[str, Path] | None = None) -> bytes:
    """The PDF of the document ``snapshot`` describes (all its copies, or only the copy
    kept by the agency when ``archive_only``, e.g. for the dossier). ``images`` holds the
    evidence files a photo page embeds, by the SHA-256 its snapshot names."""
    return render_pages(snapshot, layout=layout, qr_payload=qr_payload,
                        archive_only=archive_only, images=images).pdf


def render_pages(snapshot: Mapping[str, str], *, layout: str = "a4", qr_payload: str = "",
                 archive_only: bool = False,
                 images: Mapping[str, Path] | None = None) -> RenderedDocument:
    """As ``render_document``, with the page count of each copy."""
    template = template_for(snapshot)
    if layout not in template.layouts:
        raise ValidationError("layout", "the {layout} layout is not available for {title}",
                              layout=layout, title=template.title)
    copies = template.copies
    if archive_only:
        copies = tuple(c for c in copies if c.archive) or copies[-1:]
    qr = qr_payload if template.qr else ""
    sections = [Section(template, snapshot, c.note if len(template.copies) > 1 else "", qr,
                        images=dict(images or {})) for c in copies]
    pdf = render_sections(sections, receipt=layout == "receipt")
    pages = tuple(s.pages for s in sections)
    return RenderedDocument(pdf, sum(pages), pages)


def template_for(snapshot: Mapping[str, str]) -> Template:
    """The template of ``snapshot["document.kind"]``."""
    return load_template(snapshot.get("document.kind", ""))


def layouts_for(kind: str) -> tuple[str, ...]:
    """The layouts a document kind can be printed in (``a4``, ``receipt``)."""
    return load_template(kind).layouts
