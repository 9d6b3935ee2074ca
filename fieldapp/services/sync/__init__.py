"""Sync with HQ: enrollment, online login, the sync pipeline, what waits, what HQ
refused, conflicts, and what a squad leader decides.

The public surface of the area: UI, CLI and tests import from here."""

from __future__ import annotations

from fieldapp.services.sync.enrollment import Enrolled, enroll, enrolled
from fieldapp.services.sync.pipeline import DeviceRevoked, SyncReport, sync_now

__all__ = [
    "DeviceRevoked",
    "Enrolled",
    "SyncReport",
    "enroll",
    "enrolled",
    "sync_now",
]
