"""Login: pick yourself from the officers of this device, type the password."""

from __future__ import annotations

from fieldapp.i18n import _, describe
from fieldapp.services.staff import LoggedIn, login, login_choices
from fieldapp.ui.qt import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from fieldapp.ui.session import AppState


class LoginDialog(QDialog):
    """Modal login; the check runs on the worker (argon2 takes ~50 ms)."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.result_user: LoggedIn | None = None
        self.setWindowTitle(_("Log in"))
        self.setMinimumWidth(460)
        self.officer = QComboBox(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(_("password"))
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setProperty("role", "error")
        self.button = QPushButton(_("Log in"), self)
        self.button.setDefault(True)
        form = QFormLayout()
        form.addRow(_("Officer"), self.officer)
        form.addRow(_("password"), self.password)
        layout = QVBoxLayout(self)
        heading = QLabel(_("fieldapp urban management enforcement"), self)
        heading.setProperty("role", "heading")
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.button)
        self.button.clicked.connect(self.try_login)
        self.password.returnPressed.connect(self.try_login)
        self._load_officers()

    def _load_officers(self) -> None:
        ctx = self.state.ctx
        if ctx is None:
            return
        self.state.worker.run(lambda: login_choices(ctx=ctx), self._show_officers)

    def _show_officers(self, officers: list[LoggedIn]) -> None:
        self.officer.clear()
        for o in officers:
            self.officer.addItem(f"{o.name}（{o.squad_name} · {o.certificate_no}）",
                                 o.certificate_no)

    def choose(self, certificate_no: str) -> None:
        index = self.officer.findData(certificate_no)
        if index >= 0:
            self.officer.setCurrentIndex(index)

    def try_login(self) -> None:
        ctx, cert = self.state.ctx, self.officer.currentData()
        if ctx is None or cert is None:
            return
        password = self.password.text()
        self.button.setEnabled(False)
        self.error.clear()
        self.state.worker.run(
            lambda: login(ctx=ctx, certificate_no=str(cert), password=password),
            self._logged_in, on_error=self._failed)

    def _logged_in(self, user: LoggedIn) -> None:
        self.result_user = user
        self.password.clear()
        self.button.setEnabled(True)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.button.setEnabled(True)
        self.password.selectAll()
        self.error.setText(describe(error))
