"""Enrolling this device with HQ, from the settings page: HQ's address and the one-time
code an HQ administrator gave (``fieldapp-hq admin device enroll``); the certificate
bundle of an agency's own CA when HQ's certificate is signed by it. Runs on the worker;
the first sync follows on its own (``sync_runner``)."""

from __future__ import annotations

from fieldapp.i18n import _, describe
from fieldapp.ui.qt import QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QWidget
from fieldapp.ui.session import AppState


class EnrollBox(QGroupBox):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(_("HQ (sync)"), parent)
        self.state = state
        form = QFormLayout(self)
        self.server = QLineEdit(self)
        self.server.setPlaceholderText("https://hq.example.gov.cn")
        self.code = QLineEdit(self)
        self.ca_bundle = QLineEdit(self)
        self.ca_bundle.setPlaceholderText(_("optional: the agency CA's PEM file"))
        self.button = QPushButton(_("Enroll this device"), self)
        self.button.clicked.connect(self.enroll)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        form.addRow(_("HQ address"), self.server)
        form.addRow(_("Enrollment code"), self.code)
        form.addRow(_("CA certificates"), self.ca_bundle)
        form.addRow(self.button)
        form.addRow(self.message)
        state.context_ready.connect(self.refresh)

    def refresh(self) -> None:
        ctx = self.state.ctx
        if ctx is None:
            return
        from fieldapp.services.sync import enrolled

        self.state.worker.run(lambda: enrolled(ctx), self._show, key="enrolled")

    def _show(self, link: object) -> None:
        done = link is not None
        for widget in (self.server, self.code, self.ca_bundle, self.button):
            widget.setEnabled(not done)
        if done:
            self.server.setText(str(getattr(link, "server", "")))
            self.message.setText(_("Enrolled with HQ, squad {squad}",
                                   squad=getattr(link, "squad_name", "")))

    def enroll(self) -> None:
        ctx = self.state.ctx
        if ctx is None:
            return
        from fieldapp.services.sync import enroll

        server, code, bundle = (self.server.text(), self.code.text(), self.ca_bundle.text())
        officer = self.state.user.officer_id if self.state.user else ""
        self.button.setEnabled(False)
        self.message.setText(_("Enrolling…"))
        self.state.worker.run(
            lambda: enroll(ctx=ctx, server=server, code=code, ca_bundle=bundle.strip(),
                           officer_id=officer),
            lambda _done: self.refresh(), on_error=self._failed)

    def _failed(self, error: BaseException) -> None:
        self.button.setEnabled(True)
        self.message.setText(describe(error))
