"""The sync page (同步): the link to HQ, the last sync, and every change that waits, is
held at HQ or was rejected (HQ's reason and what to do), and every field this device
lost in a merge, with what can be done about each. Everything runs on the worker.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from fieldapp.domain.changes import ChangeKind, OpChanges
from fieldapp.domain.localtime import to_local
from fieldapp.domain.permissions import Action, may
from fieldapp.i18n import N_, _, describe
from fieldapp.ui.pages.base import Page
from fieldapp.ui.qt import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from fieldapp.ui.session import AppState

if TYPE_CHECKING:
    from fieldapp.services.sync import ChangeView, ConflictView, SyncReport, SyncStatus
    from fieldapp.ui.sync_runner import SyncRunner

STATE_WORDS = {"pending": N_("waiting"), "held": N_("held at HQ"),
               "rejected": N_("rejected")}


class SyncPage(Page):
    key = "sync"
    title = N_("Sync")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.runner: SyncRunner | None = None
        self.changes: list[ChangeView] = []
        self.conflicts: list[ConflictView] = []
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        title = QLabel(_(self.title), self)
        title.setProperty("role", "heading")
        layout.addWidget(title)
        self.summary = QLabel(_("Not enrolled with HQ: enroll this device on the settings "
                                "page"), self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        row = QHBoxLayout()
        self.sync_button = QPushButton(_("Sync now"), self)
        self.sync_button.clicked.connect(self._sync)
        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        row.addWidget(self.sync_button)
        row.addWidget(self.progress, 1)
        row.addStretch(1)
        layout.addLayout(row)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.tabs = QTabWidget(self)
        self.change_table = _table(self, (N_("State"), N_("Record"), N_("Recorded"),
                                          N_("HQ's reason"), N_("What to do")))
        self.conflict_table = _table(self, (N_("Record"), N_("Field"), N_("Kept"),
                                            N_("Lost here"), N_("When")))
        self.tabs.addTab(self._with_buttons(self.change_table, (
            (N_("Send again"), self._send_again), (N_("Mark dealt with"), self._dealt_with))),
            _("Changes"))
        self.tabs.addTab(self._with_buttons(self.conflict_table, (
            (N_("Mark resolved"), self._resolve),)), _("Conflicts"))
        layout.addWidget(self.tabs, 1)

    def _with_buttons(self, table: QTableWidget, actions: Any) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(table, 1)
        row = QHBoxLayout()
        for label, slot in actions:
            button = QPushButton(_(label), box)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        return box

    # --- the runner --------------------------------------------------------------------

    def attach_runner(self, runner: SyncRunner) -> None:
        self.runner = runner
        runner.status.connect(self.show_status)
        runner.progress.connect(self._progress)
        runner.finished.connect(self._finished)
        runner.failed.connect(self._failed)

    def _sync(self) -> None:
        if self.runner is not None:
            self.sync_button.setEnabled(False)
            self.message.setText(_("Syncing…"))
            self.runner.sync_now()

    def _progress(self, stage: str, done: int, total: int) -> None:
        if stage == "pull" and total > 0:
            self.progress.setVisible(done < total)
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _finished(self, report: SyncReport) -> None:
        self.sync_button.setEnabled(True)
        self.progress.setVisible(False)
        if not report.online:
            self.message.setText(_("HQ did not answer: your work is kept here and goes "
                                   "to HQ at the next sync"))
            return
        text = _("Pushed {pushed}, pulled {pulled}, conflicts {conflicts}, rejected "
                 "{rejected}, files pending {files}", pushed=report.pushed,
                 pulled=report.pulled, conflicts=report.conflicts, rejected=report.rejected,
                 files=report.files_pending)
        if not report.skew_ok and report.skew_ms is not None:
            text += "\n" + _("This computer's clock is {minutes} minutes off HQ's: correct "
                             "it (records keep the order HQ received them in)",
                             minutes=round(report.skew_ms / 60_000))
        self.message.setText(text)

    def _failed(self, text: str) -> None:
        self.sync_button.setEnabled(True)
        self.progress.setVisible(False)
        self.message.setText(text)

    def show_status(self, status: SyncStatus) -> None:
        from fieldapp.ui.sync_runner import status_line

        self.sync_button.setEnabled(status.enrolled and not status.revoked)
        if not status.enrolled:
            return
        left = sum(status.numbers_left.values())
        parts = [_("HQ {server} · squad {squad}", server=status.server, squad=status.squad),
                 status_line(status),
                 _("held at HQ {held} · files pending {files} · document numbers left "
                   "{numbers}", held=status.held, files=status.files_pending, numbers=left)]
        if status.quarantine:
            parts.append(_("HQ quarantined this device's record: {problem}",
                           problem=status.quarantine))
        if status.diverged:
            parts.append(_("These kinds still differ from HQ after a repair: {kinds}",
                           kinds=", ".join(status.diverged)))
        self.summary.setText("\n".join(parts))

    # --- lists -------------------------------------------------------------------------

    def activate(self) -> None:
        self._load()
        if self.runner is not None:
            self.runner.refresh()

    def records_changed(self, changes: OpChanges) -> None:
        if changes.touches(ChangeKind.SYNC) and self.isVisible():
            self._load()

    def _load(self) -> None:
        ctx = self.state.ctx
        if ctx is None:
            return
        from fieldapp.services.sync import list_changes, list_conflicts

        self.state.worker.run(lambda: (list_changes(ctx=ctx), list_conflicts(ctx=ctx)),
                              self._show, key="sync-lists")

    def _show(self, lists: tuple[list[ChangeView], list[ConflictView]]) -> None:
        self.changes, self.conflicts = lists
        _fill(self.change_table, [(
            _(STATE_WORDS.get(c.state, c.state)), f"{_(c.entity)} {c.entity_id[:13]}",
            _local(c.recorded_at), c.reason, _(c.what_to_do) if c.what_to_do else "")
            for c in self.changes])
        _fill(self.conflict_table, [(
            f"{_(c.entity)} {c.entity_id[:13]}", _(c.field), str(c.kept), str(c.lost),
            _local(c.at)) for c in self.conflicts])
        self.tabs.setTabText(0, _("Changes ({count})", count=len(self.changes)))
        self.tabs.setTabText(1, _("Conflicts ({count})", count=len(self.conflicts)))

    # --- acting ------------------------------------------------------------------------

    def _selected_change(self) -> ChangeView | None:
        row = self.change_table.currentRow()
        return self.changes[row] if 0 <= row < len(self.changes) else None

    def _act(self, call: Any) -> None:
        ctx, user = self.state.ctx, self.state.user
        if ctx is None or user is None:
            self.message.setText(_("Log in first"))
            return
        self.state.worker.run(lambda: call(ctx, user.officer_id), lambda _r: self._load(),
                              on_error=lambda e: self.message.setText(describe(e)),
                              initiator=self)

    def _send_again(self) -> None:
        change = self._selected_change()
        if change is not None and change.state == "rejected":
            from fieldapp.services.sync import send_again

            self._act(lambda ctx, officer: send_again(ctx=ctx, officer_id=officer,
                                                      change_id=change.change_id))

    def _dealt_with(self) -> None:
        change = self._selected_change()
        if change is not None and change.state == "rejected":
            from fieldapp.services.sync import mark_dealt_with

            self._act(lambda ctx, officer: mark_dealt_with(ctx=ctx, officer_id=officer,
                                                           change_id=change.change_id))

    def _resolve(self) -> None:
        row = self.conflict_table.currentRow()
        user = self.state.user
        if not 0 <= row < len(self.conflicts) or user is None \
                or not may(user.role, Action.RESOLVE_CONFLICT):
            self.message.setText(_("A squad leader marks conflicts resolved"))
            return
        conflict = self.conflicts[row]
        from fieldapp.services.sync import resolve_conflict

        self._act(lambda ctx, officer: resolve_conflict(ctx=ctx, officer_id=officer,
                                                        conflict_id=conflict.id))


def _local(utc: str) -> str:
    """A stored UTC time as the agency's local time."""
    if not utc:
        return ""
    moment = dt.datetime.fromisoformat(utc).replace(tzinfo=dt.UTC)
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


def _table(parent: QWidget, headers: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels([_(h) for h in headers])
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setVisible(False)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(r, c, item)
