"""Paperwork (文书): issuing, numbering, signing, verifying documents, and printing dossiers.

The public surface of the area: UI, CLI and other areas import from here."""

from __future__ import annotations

from fieldapp.services.paperwork.case_papers import (
    CasePaper,
    CasePapers,
    WordsField,
    case_papers,
)
from fieldapp.services.paperwork.documents import (
    DocumentView,
    IssuedDocument,
    amend_document,
    available_layouts,
    get_document,
    issue_document,
    list_documents,
    render,
    reprint_document,
    snapshot_of,
    void_document,
)
from fieldapp.services.paperwork.dossier import (
    DossierCancelled,
    dossier_completeness,
    print_dossier,
)
from fieldapp.services.paperwork.numbers import (
    list_blocks,
    list_voided,
    reserve_block,
    set_number_pattern,
    void_unused_number,
)
from fieldapp.services.paperwork.service import record_service
from fieldapp.services.paperwork.verify import (
    verify,
)

__all__ = [
    "CasePaper",
    "CasePapers",
    "DocumentView",
    "DossierCancelled",
    "IssuedDocument",
    "WordsField",
    "amend_document",
    "available_layouts",
    "case_papers",
    "dossier_completeness",
    "get_document",
    "issue_document",
    "list_blocks",
    "list_documents",
    "list_voided",
    "print_dossier",
    "record_service",
    "render",
    "reprint_document",
    "reserve_block",
    "set_number_pattern",
    "snapshot_of",
    "verify",
    "void_document",
    "void_unused_number",
]
