"""The field snapshot of a document: the contract between issuing and rendering.

An issued document stores a flat ``dict[str, str]`` (the snapshot). The issuing service
(``fieldapp.services.paperwork.documents``) fills it from the store; templates in ``forms/`` bind
to these keys; the renderer draws exactly what the snapshot holds, so a reprint years
later shows the same text. Every value is a string (empty when unknown); dates are
already formatted the way the document prints them.

The keys are declared once, in ``fieldapp.domain.snapshot_keys``.
"""

from __future__ import annotations

from fieldapp.domain.snapshot_keys import SNAPSHOT_KEYS

__all__ = ["SNAPSHOT_KEYS"]
