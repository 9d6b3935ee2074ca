"""The pages of the main window, in navigation order."""

from __future__ import annotations

from fieldapp.ui.pages.base import Page


def page_classes() -> list[type[Page]]:
    from fieldapp.ui.pages.inspection import InspectionPage
    from fieldapp.ui.pages.subjects import SubjectsPage
    from fieldapp.ui.pages.today import TodayPage

    return [TodayPage, InspectionPage, SubjectsPage]
