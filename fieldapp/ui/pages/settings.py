"""设置: this device's preferences (language, large text, dark mode, paper, backup folder),
a backup made now, and the city's rule settings (changed by leaders only).

The preference groups are built from the declarations in ``services.preferences``, one
group box each, in the left column; a later group (sync) joins them there. The rules
take the right column.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_type_hints

from fieldapp.domain.changes import ChangeKind as K
from fieldapp.domain.changes import OpChanges
from fieldapp.domain.localtime import agency_zone
from fieldapp.domain.permissions import Action, may
from fieldapp.domain.rules_config import LIMITATION_MONTHS, RuleConfig
from fieldapp.i18n import N_, _, describe, gettext, language
from fieldapp.services.context import ServiceContext
from fieldapp.services.preferences import (
    PreferenceField,
    Preferences,
    backup_folder,
    load_preferences,
    preference_fields,
    save_preferences,
)
from fieldapp.services.records import BACKUP_SUFFIX, BackupResult, backup
from fieldapp.services.rules import rule_config, set_rule
from fieldapp.ui.pages.base import Page
from fieldapp.ui.qt import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    Qt,
    QVBoxLayout,
    QWidget,
)
from fieldapp.ui.session import AppState
from fieldapp.ui.style import apply_look
from fieldapp.ui.sync_enroll import EnrollBox
from fieldapp.ui.widgets import show_status

YUAN_MAX = 100_000_000
RULE_FIELD_PX = 160
# What each rule setting means, in the order a leader reads them.
RULE_TITLES = {
    "lookback_months": N_("Ladder look-back window (months)"),
    "reset_on_corrected_episode": N_("Start the ladder again once the party has corrected"),
    "statement_window_working_days": N_("Time to state and defend (working days)"),
    "summary_fine_max_individual": N_("Summary procedure: highest fine, citizen (yuan)"),
    "summary_fine_max_organisation": N_(
        "Summary procedure: highest fine, organisation (yuan)"),
    "hearing_fine_individual": N_("Hearing right from a fine of, citizen (yuan)"),
    "hearing_fine_organisation": N_("Hearing right from a fine of, organisation (yuan)"),
    "legal_review_fine_individual": N_("Legal review from a fine of, citizen (yuan)"),
    "legal_review_fine_organisation": N_(
        "Legal review from a fine of, organisation (yuan)"),
    "legal_review_all_ordinary_cases": N_("Legal review for every ordinary-procedure case"),
    "collective_fine_individual": N_("Collective discussion from a fine of, citizen (yuan)"),
    "collective_fine_organisation": N_(
        "Collective discussion from a fine of, organisation (yuan)"),
    "time_zone": N_("Time zone of the agency (dates on documents and deadlines)"),
    "backup_public_key": N_("Agency backup public key (backups are encrypted to it)"),
    "cli_reads_need_login": N_("The command line asks for a login to read records too"),
}


@dataclass(frozen=True)
class BackupDone:
    """A backup made; ``changed`` tells the window the count since the last backup moved."""

    result: BackupResult
    changed: frozenset[K] = frozenset({K.BACKUP})


@dataclass(frozen=True)
class RulesSaved:
    keys: tuple[str, ...]
    changed: frozenset[K]


def make_backup(ctx: ServiceContext, folder: Path, officer_id: str) -> BackupDone:
    stamp = ctx.now().astimezone(agency_zone()).strftime("%Y%m%d-%H%M%S")
    return BackupDone(backup(ctx=ctx, dest=folder / f"fieldapp-backup-{stamp}{BACKUP_SUFFIX}",
                             officer_id=officer_id))


def save_rules(ctx: ServiceContext, officer_id: str, values: dict[str, Any]) -> RulesSaved:
    """Store the settings that differ from the stored ones, one ``set_rule`` each."""
    current = dataclasses.asdict(rule_config(ctx=ctx))
    changed: set[str] = set()
    keys = tuple(key for key, value in values.items() if current[key] != value)
    for key in keys:
        changed |= set_rule(ctx=ctx, officer_id=officer_id, key=key, value=values[key]).changed
    return RulesSaved(keys, frozenset(changed))


def size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(size // 1024, 1)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def apply_preferences(prefs: Preferences) -> None:
    """What applies at once (large text, dark mode); the language applies at start."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        apply_look(app, large_text=prefs.large_text, dark_mode=prefs.dark_mode,
                   tablet_mode=prefs.tablet_mode)


class SettingsPage(Page):
    key = "settings"
    title = N_("Settings")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.prefs = Preferences()
        self.controls: dict[str, QWidget] = {}
        self.rule_controls: dict[str, QWidget] = {}
        self.folder_dialog: QFileDialog | None = None
        self._build()
        self.user_changed()

    # --- building --------------------------------------------------------------------

    def _build(self) -> None:
        left = QVBoxLayout()
        groups: dict[str, QFormLayout] = {}
        for spec in preference_fields():
            if spec.group not in groups:
                box = QGroupBox(_(spec.group), self)
                groups[spec.group] = QFormLayout(box)
                left.addWidget(box)
            self._add_control(groups[spec.group], spec)
        self.language_hint = QLabel(self)
        self.language_hint.setProperty("role", "hint")
        self.language_hint.setWordWrap(True)
        groups[_group_of("language")].addRow(self.language_hint)
        self._add_backup_now(groups[_group_of("backup_folder")])
        left.addWidget(EnrollBox(self.state, self))  # sync hook: enrollment with HQ
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        left.addWidget(self.message)
        left.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addWidget(self._build_rules(), 1)
        body = QWidget(self)
        outer = QVBoxLayout(body)
        outer.setContentsMargins(8, 8, 8, 4)
        title = QLabel(_(self.title), body)
        title.setProperty("role", "heading")
        outer.addWidget(title)
        outer.addLayout(columns, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def _add_control(self, form: QFormLayout, spec: PreferenceField) -> None:
        if spec.type is bool:
            box = QCheckBox(_(spec.title), self)
            box.toggled.connect(lambda on, key=spec.key: self.set_preference(key, on))
            self.controls[spec.key] = box
            form.addRow(box)
        elif spec.choices:
            combo = QComboBox(self)
            for value, label in spec.choices:
                combo.addItem(gettext(label), value)
            combo.currentIndexChanged.connect(
                lambda _n, key=spec.key, c=combo: self.set_preference(key, c.currentData()))
            self.controls[spec.key] = combo
            form.addRow(_(spec.title), combo)
        elif spec.folder:
            line = QLineEdit(self)
            line.setReadOnly(True)
            choose = QPushButton(_("Choose…"), self)
            choose.clicked.connect(lambda _c=False, key=spec.key: self.choose_folder(key))
            row = QHBoxLayout()
            row.addWidget(line, 1)
            row.addWidget(choose)
            self.controls[spec.key] = line
            self.choose_folder_button = choose
            form.addRow(_(spec.title), row)

    def _add_backup_now(self, form: QFormLayout) -> None:
        self.backup_button = QPushButton(_("Back up now"), self)
        self.backup_progress = QProgressBar(self)
        self.backup_progress.setRange(0, 0)  # the backup reports no steps: it is busy
        self.backup_progress.setVisible(False)
        self.backup_result = QLabel(self)
        self.backup_result.setWordWrap(True)
        self.backup_result.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.backup_button)
        row.addWidget(self.backup_progress, 1)
        form.addRow(row)
        form.addRow(self.backup_result)
        self.backup_button.clicked.connect(self.back_up_now)

    def _build_rules(self) -> QGroupBox:
        box = QGroupBox(_("Rules of the city"), self)
        form = QFormLayout(box)
        types = get_type_hints(RuleConfig)
        assert set(types) == set(RULE_TITLES), "every rule setting needs a title"
        for key, title in RULE_TITLES.items():
            control = self._rule_control(key, types[key])
            self.rule_controls[key] = control
            if isinstance(control, QCheckBox):
                form.addRow(control)
            else:
                label = QLabel(_(title), box)
                label.setWordWrap(True)
                form.addRow(label, control)
        self.rules_hint = QLabel(self)
        self.rules_hint.setProperty("role", "hint")
        self.rules_hint.setWordWrap(True)
        self.save_rules_button = QPushButton(_("Save rules"), self)
        self.rules_message = QLabel(self)
        self.rules_message.setWordWrap(True)
        form.addRow(self.rules_hint)
        form.addRow(self.save_rules_button)
        form.addRow(self.rules_message)
        self.save_rules_button.clicked.connect(self.save_rules)
        return box

    def _rule_control(self, key: str, kind: type) -> QWidget:
        if kind is bool:
            box = QCheckBox(_(RULE_TITLES[key]), self)
            box.setObjectName(key)
            return box
        if kind is str:
            line = QLineEdit(self)
            line.setObjectName(key)
            line.setMinimumWidth(RULE_FIELD_PX)
            return line
        if kind is int:
            spin = QSpinBox(self)
            spin.setRange(1, LIMITATION_MONTHS if key == "lookback_months" else 60)
            spin.setObjectName(key)
            return spin
        money = QDoubleSpinBox(self)  # yuan
        money.setRange(0, YUAN_MAX)
        money.setDecimals(2)
        money.setGroupSeparatorShown(True)
        money.setSingleStep(100)
        money.setMinimumWidth(RULE_FIELD_PX)
        money.setObjectName(key)
        return money

    # --- what the window tells us ----------------------------------------------------

    def context_ready(self) -> None:
        ctx = self.state.ctx
        if ctx is None:
            return
        data_dir = ctx.store.data_dir
        self.state.worker.run(lambda: load_preferences(data_dir), self._preferences_loaded)
        self.load_rules()

    def user_changed(self) -> None:
        user = self.state.user
        may_edit = user is not None and may(user.role, Action.SET_RULES)
        for control in self.rule_controls.values():
            control.setEnabled(may_edit)
        self.save_rules_button.setVisible(may_edit)
        self.rules_hint.setText(
            _("Changes apply to every officer of the city from the next step on.") if may_edit
            else _("Only the squad leader or the agency head may change these rules."))

    def records_changed(self, changes: OpChanges) -> None:
        if changes.touches(K.SETTINGS):
            self.load_rules()

    # --- preferences -----------------------------------------------------------------

    def _preferences_loaded(self, prefs: Preferences) -> None:
        self.show_preferences(prefs)
        apply_preferences(prefs)

    def show_preferences(self, prefs: Preferences) -> None:
        self.prefs = prefs
        for key, control in self.controls.items():
            value = getattr(prefs, key)
            control.blockSignals(True)  # showing a value is not choosing it
            if isinstance(control, QCheckBox):
                control.setChecked(bool(value))
            elif isinstance(control, QComboBox):
                control.setCurrentIndex(max(control.findData(value), 0))
            elif isinstance(control, QLineEdit):
                control.setText(str(self._backup_folder()))
            control.blockSignals(False)
        self._show_language_hint()

    def _show_language_hint(self) -> None:
        pending = self.prefs.language != language()
        self.language_hint.setVisible(pending)
        self.language_hint.setText(
            _("The new language is used from the next start of the app.") if pending else "")

    def _backup_folder(self) -> Path:
        ctx = self.state.ctx
        if ctx is None:
            return Path(self.prefs.backup_folder)
        return backup_folder(ctx.store.data_dir, self.prefs)

    def set_preference(self, key: str, value: Any) -> None:
        ctx = self.state.ctx
        if ctx is None:
            return
        prefs = dataclasses.replace(self.prefs, **{key: value})
        self.prefs = prefs
        data_dir = ctx.store.data_dir
        self._show_language_hint()
        apply_preferences(prefs)
        self.state.worker.run(
            lambda: save_preferences(data_dir, prefs),
            lambda _path: self._show(self.message, _("Saved."), False),
            on_error=lambda e: self._show(self.message, describe(e), True),
            key=f"save-preferences-{id(self)}")

    def choose_folder(self, key: str) -> None:
        dialog = QFileDialog(self, _("Choose the backup folder"))
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly)
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setDirectory(str(self._backup_folder()))
        dialog.fileSelected.connect(lambda path: self.folder_chosen(key, path))
        self.folder_dialog = dialog
        dialog.open()

    def folder_chosen(self, key: str, path: str) -> None:
        self.set_preference(key, path)
        line = self.controls[key]
        if isinstance(line, QLineEdit):
            line.setText(str(self._backup_folder()))

    # --- backup ----------------------------------------------------------------------

    def back_up_now(self) -> None:
        ctx, user = self.state.ctx, self.state.user
        if ctx is None or user is None:
            return
        folder, officer_id = self._backup_folder(), user.officer_id
        self.backup_button.setEnabled(False)
        self.backup_progress.setVisible(True)
        self._show(self.backup_result, _("Backing up…"), False)
        self.state.worker.run(lambda: make_backup(ctx, folder, officer_id), self._backed_up,
                              on_error=self._backup_failed)

    def _backed_up(self, done: BackupDone) -> None:
        self._backup_finished()
        result = done.result
        self._show(self.backup_result, _(
            "Backed up to {path} ({size}, {files} evidence files).", path=str(result.path),
            size=size_text(result.size_bytes), files=result.evidence_files), False)

    def _backup_failed(self, error: BaseException) -> None:
        self._backup_finished()
        self._show(self.backup_result, _("Error: {error}", error=describe(error)), True)

    def _backup_finished(self) -> None:
        self.backup_button.setEnabled(True)
        self.backup_progress.setVisible(False)

    # --- rules -----------------------------------------------------------------------

    def load_rules(self) -> None:
        ctx = self.state.ctx
        if ctx is not None:
            self.state.worker.run(lambda: rule_config(ctx=ctx), self.show_rules,
                                  key=f"rules-{id(self)}")

    def show_rules(self, config: RuleConfig) -> None:
        for key, control in self.rule_controls.items():
            value = getattr(config, key)
            if isinstance(control, QCheckBox):
                control.setChecked(bool(value))
            elif isinstance(control, QSpinBox):
                control.setValue(int(value))
            elif isinstance(control, QDoubleSpinBox):
                control.setValue(float(value))
            elif isinstance(control, QLineEdit):
                control.setText(str(value))

    def rule_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key, control in self.rule_controls.items():
            if isinstance(control, QCheckBox):
                values[key] = control.isChecked()
            elif isinstance(control, QSpinBox | QDoubleSpinBox):
                values[key] = control.value()
            elif isinstance(control, QLineEdit):
                values[key] = control.text().strip()
        return values

    def save_rules(self) -> None:
        ctx, user = self.state.ctx, self.state.user
        if ctx is None or user is None or not may(user.role, Action.SET_RULES):
            return
        officer_id, values = user.officer_id, self.rule_values()
        self.state.worker.run(lambda: save_rules(ctx, officer_id, values), self._rules_saved,
                              on_error=lambda e: self._show(self.rules_message, describe(e),
                                                            True))

    def _rules_saved(self, saved: RulesSaved) -> None:
        text = (_("Saved: {settings}", settings="、".join(_(RULE_TITLES[k]) for k in saved.keys))
                if saved.keys else _("Nothing was changed."))
        self._show(self.rules_message, text, False)

    @staticmethod
    def _show(label: QLabel, text: str, error: bool) -> None:
        show_status(label, text, error)


def _group_of(key: str) -> str:
    return next(spec.group for spec in preference_fields() if spec.key == key)
