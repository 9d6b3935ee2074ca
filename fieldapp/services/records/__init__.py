"""The full-process record (执法全过程记录) and the data directory's backups.

The public surface of the area: UI, CLI and other areas import from here."""

from __future__ import annotations

from fieldapp.services.records.audit import (
    verify_audit,
)
from fieldapp.services.records.backup import (
    BackupResult,
    backup,
    changes_since_backup,
    restore,
)

__all__ = [
    "BackupResult",
    "backup",
    "changes_since_backup",
    "restore",
    "verify_audit",
]
