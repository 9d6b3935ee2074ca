"""What the screens share: the opened data directory, the worker, who is logged in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fieldapp.ui.qt import QObject, Signal
from fieldapp.ui.worker import Worker

if TYPE_CHECKING:  # the services load on the worker at start, not with the window
    from fieldapp.services.context import ServiceContext
    from fieldapp.services.staff import LoggedIn


class AppState(QObject):
    context_ready = Signal()
    user_changed = Signal(object)  # LoggedIn | None

    def __init__(self, worker: Worker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.ctx: ServiceContext | None = None
        self.user: LoggedIn | None = None

    def set_context(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.context_ready.emit()

    def set_user(self, user: LoggedIn | None) -> None:
        self.user = user
        self.user_changed.emit(user)
