"""The base of every page: what the main window tells a page, and when."""

from __future__ import annotations

from typing import ClassVar

from fieldapp.domain.changes import OpChanges
from fieldapp.ui.qt import QWidget
from fieldapp.ui.session import AppState


class Page(QWidget):
    """A page of the main window.

    ``key`` names it for navigation; ``title`` is an English msgid shown translated.
    The window calls ``context_ready`` once the data directory is open, ``activate``
    each time the page is shown, ``user_changed`` when someone logs in or out, and
    ``records_changed`` with the kinds of records a job changed (``OpChanges``).
    """

    key: ClassVar[str] = ""
    title: ClassVar[str] = ""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state

    def context_ready(self) -> None:
        """The data directory is open (``self.state.ctx`` is set)."""

    def activate(self) -> None:
        """The page is about to be shown: refresh what it shows."""

    def user_changed(self) -> None:
        """Someone logged in (``self.state.user``) or out (None)."""

    def records_changed(self, changes: OpChanges) -> None:
        """A job changed these kinds of records (``changes.initiator`` is the object
        that started the job, when it said so)."""
