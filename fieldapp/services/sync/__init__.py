"""Sync with HQ: enrollment, online login, the sync pipeline, what waits, what HQ
refused, conflicts, what a squad leader decides, and a revoked device's hand-over.

The public surface of the area: UI, CLI and tests import from here."""

from __future__ import annotations

from fieldapp.services.sync.enrollment import Enrolled, enroll, enrolled
from fieldapp.services.sync.handover import HandOver, read_handover
from fieldapp.services.sync.leaders import (
    decide_merge,
    hq_conflicts,
    late_steps,
    merge_proposals,
    see_late_step,
)
from fieldapp.services.sync.link import HqLink, update_settings
from fieldapp.services.sync.login import online_login
from fieldapp.services.sync.pipeline import (
    DeviceRevoked,
    SyncReport,
    sync_if_reachable,
    sync_now,
)
from fieldapp.services.sync.views import (
    WHAT_TO_DO,
    ChangeView,
    ConflictView,
    SyncStatus,
    list_changes,
    list_conflicts,
    mark_dealt_with,
    resolve_conflict,
    send_again,
    sync_status,
)

__all__ = [
    "WHAT_TO_DO",
    "ChangeView",
    "ConflictView",
    "DeviceRevoked",
    "Enrolled",
    "HandOver",
    "HqLink",
    "SyncReport",
    "SyncStatus",
    "decide_merge",
    "enroll",
    "enrolled",
    "hq_conflicts",
    "late_steps",
    "list_changes",
    "list_conflicts",
    "mark_dealt_with",
    "merge_proposals",
    "online_login",
    "read_handover",
    "resolve_conflict",
    "see_late_step",
    "send_again",
    "sync_if_reachable",
    "sync_now",
    "sync_status",
    "update_settings",
]
