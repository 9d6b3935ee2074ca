"""Checking the full-process record (执法全过程记录)."""

from __future__ import annotations

from fieldapp.services.context import ServiceContext
from fieldapp.store import chain
from fieldapp.store.chain import ProgressFn, VerifyResult


def verify_audit(*, ctx: ServiceContext, progress: ProgressFn | None = None) -> VerifyResult:
    """Walk the chain, recompute every record's content hash from the live rows and check
    the head's signature (with the key file's key, which an edit of the database cannot
    change); name the first event or record that was edited, removed, added or moved."""
    return chain.verify_data_dir(ctx.store.data_dir, progress=progress)
