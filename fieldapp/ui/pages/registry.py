"""The pages of the main window, in navigation order.

Listed by name so the window can show its navigation before any page module (and the
services they use: SQLAlchemy alone takes ~0.4 s to import) is loaded; ``load_pages``
imports them, on the worker thread at start.
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

from fieldapp.i18n import N_
from fieldapp.ui.pages.base import Page


class PageEntry(NamedTuple):
    key: str
    title: str  # English msgid
    module: str
    cls: str


PAGES: tuple[PageEntry, ...] = (
    PageEntry("today", N_("Today"), "fieldapp.ui.pages.today", "TodayPage"),
    PageEntry("inspection", N_("Inspection"), "fieldapp.ui.pages.inspection",
              "InspectionPage"),
    PageEntry("subjects", N_("Subjects"), "fieldapp.ui.pages.subjects", "SubjectsPage"),
    PageEntry("cases", N_("Cases"), "fieldapp.ui.pages.cases", "CasesPage"),
    PageEntry("documents", N_("Documents"), "fieldapp.ui.pages.documents", "DocumentsPage"),
    PageEntry("nopenalty", N_("No-penalty"), "fieldapp.ui.pages.nopenalty",
              "NoPenaltyPage"),
    PageEntry("stats", N_("Statistics"), "fieldapp.ui.pages.stats", "StatsPage"),
    PageEntry("sync", N_("Sync"), "fieldapp.ui.pages.sync", "SyncPage"),  # sync hook
    PageEntry("settings", N_("Settings"), "fieldapp.ui.pages.settings", "SettingsPage"),
)


def load_pages() -> list[type[Page]]:
    """Import every page module (safe off the GUI thread: no widget is made here)."""
    classes = []
    for entry in PAGES:
        cls = getattr(importlib.import_module(entry.module), entry.cls)
        assert cls.key == entry.key, entry
        classes.append(cls)
    return classes


def page_classes() -> list[type[Page]]:
    return load_pages()
