"""Run service calls off the GUI thread (STYLE rule 3), the one way the UI reaches data.

``Worker.run(call, on_done)`` runs ``call()`` on a thread of the worker's pool and hands
its result to ``on_done`` on the GUI thread. An exception goes to ``on_error``, or, when
none is given, out through ``failed`` as one translated line. A result that says what
it changed (a ``changed`` frozenset, as ``Written`` has) is announced through
``changed``, so each screen reloads only what it shows.

Jobs given the same ``key`` supersede each other: only the newest one's result is
delivered, which is how type-ahead search drops answers to queries already retyped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fieldapp.domain.changes import ChangeKind, OpChanges
from fieldapp.domain.errors import DomainError
from fieldapp.i18n import _, describe
from fieldapp.ui.qt import QObject, Qt, QThreadPool, Signal, Slot

T = TypeVar("T")
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Pending:
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    key: str | None
    initiator: object | None


class Worker(QObject):
    changed = Signal(object)  # OpChanges: the kinds of records a job changed, and who ran it
    failed = Signal(str)  # a translated one-line message for a job without on_error
    busy = Signal(bool)  # True while any job runs: for a progress indicator

    # Emitted from pool threads; queued, so the slots run on the GUI thread.
    _finished = Signal(int, object)
    _errored = Signal(int, object)

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._pending: dict[int, _Pending] = {}
        self._latest: dict[str, int] = {}
        self._next_ticket = 0
        self._closed = False
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._errored.connect(self._report, Qt.ConnectionType.QueuedConnection)

    def run(self, call: Callable[[], T], on_done: Callable[[T], None] | None = None, *,
            on_error: Callable[[BaseException], None] | None = None,
            key: str | None = None, initiator: object | None = None) -> int:
        """Start ``call`` on a worker thread; returns a ticket naming the job."""
        if self._closed:
            raise RuntimeError("the worker is shut down")
        self._next_ticket += 1
        ticket = self._next_ticket
        self._pending[ticket] = _Pending(on_done, on_error, key, initiator)
        if key is not None:
            self._latest[key] = ticket
        if len(self._pending) == 1:
            self.busy.emit(True)
        self._pool.start(lambda: self._execute(ticket, call))
        return ticket

    def is_busy(self) -> bool:
        return bool(self._pending)

    def shutdown(self) -> None:
        """Wait for running jobs and deliver nothing more; call before the window goes."""
        self._closed = True
        self._pool.waitForDone()
        self._pending.clear()

    def _execute(self, ticket: int, call: Callable[[], Any]) -> None:
        # Runs on a pool thread: touch nothing of Qt but the two signals.
        try:
            result = call()
        except Exception as exc:  # every failure must reach the GUI thread, not vanish
            self._errored.emit(ticket, exc)
        else:
            self._finished.emit(ticket, result)

    def _take(self, ticket: int) -> _Pending | None:
        pending = self._pending.pop(ticket, None)
        if not self._pending and not self._closed:
            self.busy.emit(False)
        if pending is None or self._closed:
            return None
        if pending.key is not None and self._latest.get(pending.key) != ticket:
            return None  # superseded by a newer job with the same key
        return pending

    @Slot(int, object)
    def _deliver(self, ticket: int, result: object) -> None:
        pending = self._take(ticket)
        if pending is None:
            return
        if pending.on_done is not None:
            pending.on_done(result)
        kinds = getattr(result, "changed", None)
        if isinstance(kinds, frozenset) and kinds:
            self.changed.emit(OpChanges(frozenset(ChangeKind(k) for k in kinds),
                                        pending.initiator))

    @Slot(int, object)
    def _report(self, ticket: int, error: BaseException) -> None:
        pending = self._take(ticket)
        if pending is None:
            return
        if not isinstance(error, DomainError):
            _log.error("background job failed", exc_info=error)
        if pending.on_error is not None:
            pending.on_error(error)
        else:
            self.failed.emit(_("Error: {error}", error=describe(error)))
