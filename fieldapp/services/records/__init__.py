"""The full-process record (执法全过程记录) and the data directory's backups.

The public surface of the area: UI, CLI and other areas import from here."""

from __future__ import annotations

from fieldapp.services.records.audit import (
    verify_audit,
)
from fieldapp.services.records.backup import (
    BACKUP_SUFFIX,
    BackupResult,
    backup,
    changes_since_backup,
)
from fieldapp.services.records.backup_keys import (
    AgencyBackupKey,
    backup_protection,
    create_agency_backup_key,
)
from fieldapp.services.records.restore import (
    RestoreResult,
    restore,
)

__all__ = [
    "BACKUP_SUFFIX",
    "AgencyBackupKey",
    "BackupResult",
    "RestoreResult",
    "backup",
    "backup_protection",
    "changes_since_backup",
    "create_agency_backup_key",
    "restore",
    "verify_audit",
]
