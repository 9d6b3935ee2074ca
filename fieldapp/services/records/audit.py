"""Checking the full-process record (执法全过程记录)."""

from __future__ import annotations

from fieldapp.services.context import ServiceContext
from fieldapp.store import audit
from fieldapp.store.audit import VerifyResult


def verify_audit(*, ctx: ServiceContext) -> VerifyResult:
    """Walk the hash chain and name the first event that was edited, removed or moved."""
    with ctx.read() as session:
        return audit.verify(session.connection())
