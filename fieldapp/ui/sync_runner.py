"""Sync in the background and on demand, never on the GUI thread; its indicator in the
status bar (last sync, changes waiting, problems).

``SyncRunner`` runs ``services.sync.sync_if_reachable`` on the worker every few minutes
while the device is enrolled (and at once when asked); the result is a ``SyncReport``
whose ``changed`` kinds the worker announces (``ChangeKind.SYNC`` and the kinds pulled),
so pages refresh what HQ brought. Progress comes from the worker thread through a
queued signal. A missing network is only a line in the indicator: the officer goes on.
``attach_sync`` is the main window's one hook.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from fieldapp.domain.localtime import to_local
from fieldapp.i18n import _, describe
from fieldapp.ui.qt import QObject, QProgressBar, QPushButton, QTimer, Signal
from fieldapp.ui.session import AppState

if TYPE_CHECKING:
    from fieldapp.services.sync import SyncReport, SyncStatus

FIRST_DELAY_MS = 3_000  # the first background sync, after the window is up


class SyncRunner(QObject):
    progress = Signal(str, int, int)  # stage, done, total (from the worker thread)
    finished = Signal(object)  # SyncReport
    status = Signal(object)  # SyncStatus
    failed = Signal(str)

    def __init__(self, state: AppState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.running = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.sync_now)

    def start(self) -> None:
        """Look at the device's link; sync every few minutes while it is enrolled."""
        self.refresh()
        QTimer.singleShot(FIRST_DELAY_MS, self.sync_now)

    def refresh(self) -> None:
        ctx = self.state.ctx
        if ctx is None:
            return
        from fieldapp.services.sync import sync_status

        self.state.worker.run(lambda: sync_status(ctx=ctx), self._status, key="sync-status")

    def sync_now(self) -> None:
        ctx = self.state.ctx
        if ctx is None or self.running:
            return
        from fieldapp.services.sync import enrolled, sync_if_reachable

        if enrolled(ctx) is None:
            return
        self.running = True
        emit = self.progress.emit
        self.state.worker.run(lambda: sync_if_reachable(ctx=ctx, progress=emit), self._done,
                              on_error=self._error)

    def _done(self, report: SyncReport) -> None:
        self.running = False
        self.finished.emit(report)
        self.refresh()

    def _error(self, error: BaseException) -> None:
        self.running = False
        self.failed.emit(describe(error))
        self.refresh()

    def _status(self, status: SyncStatus) -> None:
        self.status.emit(status)
        if status.enrolled and not status.revoked:
            from fieldapp.services.sync import enrolled

            link = enrolled(self.state.ctx) if self.state.ctx else None
            minutes = link.interval_min if link else 5
            if not self.timer.isActive() or self.timer.interval() != minutes * 60_000:
                self.timer.start(minutes * 60_000)
            if not status.first_sync_done:  # just enrolled: the first sync now
                self.sync_now()
        else:
            self.timer.stop()


def status_line(status: SyncStatus) -> str:
    """The indicator's words: last sync, changes waiting, problems."""
    if not status.enrolled:
        return _("Not enrolled with HQ")
    if status.revoked:
        return _("HQ revoked this device")
    when = _("never") if status.last_sync is None else to_local(status.last_sync).strftime(
        "%H:%M" if to_local(status.last_sync).date() == to_local(
            dt.datetime.now(dt.UTC)).date() else "%m-%d %H:%M")
    text = _("Synced {when} · waiting {waiting}", when=when, waiting=status.waiting)
    if status.problems:
        text += " · " + _("problems {count}", count=status.problems)
    if status.last_error:
        text += " · " + _("HQ not reachable")
    return text


class SyncIndicator(QPushButton):
    """The status-bar button: the sync's state in a few words; a click opens the page."""

    def __init__(self, runner: SyncRunner, parent: Any = None) -> None:
        super().__init__(_("Not enrolled with HQ"), parent)
        self.setFlat(True)
        self.setProperty("role", "sync-indicator")
        self.bar = QProgressBar(parent)
        self.bar.setMaximumWidth(140)
        self.bar.setVisible(False)
        runner.status.connect(self.show_status)
        runner.progress.connect(self.show_progress)
        runner.finished.connect(lambda _report: self.bar.setVisible(False))
        runner.failed.connect(lambda _text: self.bar.setVisible(False))

    def show_status(self, status: SyncStatus) -> None:
        self.setText(status_line(status))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance(self.text()) + 24)
        self.setProperty("problem", bool(status.problems or status.last_error))
        self.setToolTip(status.server or "")

    def show_progress(self, stage: str, done: int, total: int) -> None:
        if stage != "pull" or total <= 0:
            return
        self.bar.setVisible(done < total)
        self.bar.setRange(0, total)
        self.bar.setValue(done)


def attach_sync(window: Any) -> SyncRunner:
    """The main window's hook: the runner, the indicator in the status bar, the page."""
    runner = SyncRunner(window.state, window)
    indicator = SyncIndicator(runner, window.statusBar())
    window.statusBar().addPermanentWidget(indicator.bar)
    window.statusBar().addPermanentWidget(indicator)
    if "sync" in window.pages:
        indicator.clicked.connect(lambda: window.go("sync"))
        window.pages["sync"].attach_runner(runner)
    window.sync_runner, window.sync_indicator = runner, indicator
    window.worker.changed.connect(lambda _changes: runner.refresh())
    runner.start()
    return runner


__all__ = ["SyncIndicator", "SyncRunner", "attach_sync", "status_line"]
