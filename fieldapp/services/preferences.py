"""The user's preferences on this device: one small JSON file in the data directory.

Each preference is declared once (STYLE rule 11), as a field of ``Preferences``: its type,
its default, its translated title and the group it is shown in (English msgids), and,
for a choice, the values it may take. Screens build their controls from
``preference_fields()``, group by group, so a new group (sync) needs no screen code
beyond what is new about it.

Reading never fails: a missing file gives the defaults, and a value that is of the wrong
type or not one of the choices (a hand-edited file, an older version) is replaced by its
default. Saving checks every value and writes the file atomically.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_type_hints

from fieldapp.atomic import write_atomically
from fieldapp.domain.errors import ValidationError
from fieldapp.i18n import DEFAULT_LANGUAGE, N_

PREFERENCES_FILE = "preferences.json"
# Beside the data directory, never inside it (a backup there is refused: it would go
# wherever the data goes, and be restored over by itself).
BACKUP_FOLDER_SUFFIX = "-backups"
# A language is named in itself, so anyone can find theirs whatever is shown now.
LANGUAGE_CHOICES = (("zh_CN", "简体中文"), ("en", "English"))
PRINTER_LAYOUT_CHOICES = (("a4", N_("A4 paper")), ("receipt", N_("80 mm receipt printer")))


DISPLAY = N_("Display")
PRINTING = N_("Printing")
BACKUP = N_("Backup")


def _preference(default: Any, title: str, group: str, *,
                choices: tuple[tuple[str, str], ...] = (), folder: bool = False) -> Any:
    return dataclasses.field(default=default, metadata={
        "title": title, "group": group, "choices": choices, "folder": folder})


@dataclass(frozen=True)
class Preferences:
    language: str = _preference(DEFAULT_LANGUAGE, N_("Language"), DISPLAY,
                                choices=LANGUAGE_CHOICES)
    large_text: bool = _preference(False, N_("Large text"), DISPLAY)
    dark_mode: bool = _preference(False, N_("Dark mode"), DISPLAY)
    tablet_mode: bool = _preference(
        False, N_("Tablet mode: bigger touch targets, room for the on-screen keyboard"),
        DISPLAY)
    printer_layout: str = _preference("a4", N_("Default paper for printing"), PRINTING,
                                      choices=PRINTER_LAYOUT_CHOICES)
    # "" means ``<data dir>-backups`` beside the data directory (``backup_folder()``).
    backup_folder: str = _preference("", N_("Backup folder"), BACKUP, folder=True)


@dataclass(frozen=True)
class PreferenceField:
    """One declared preference: ``title``, ``group`` and the choice labels are English
    msgids (a language's own name excepted); ``folder``: the value is a folder's path."""

    key: str
    type: type[Any]
    default: Any
    title: str
    group: str
    choices: tuple[tuple[str, str], ...]
    folder: bool


def preference_fields() -> tuple[PreferenceField, ...]:
    hints = get_type_hints(Preferences)
    return tuple(PreferenceField(f.name, hints[f.name], f.default, f.metadata["title"],
                                 f.metadata["group"], f.metadata["choices"],
                                 f.metadata["folder"])
                 for f in dataclasses.fields(Preferences))


def _valid(spec: PreferenceField, value: Any) -> bool:
    if type(value) is not spec.type:  # not isinstance: True is not a str, 1 is not a bool
        return False
    return not spec.choices or value in {choice for choice, _label in spec.choices}


def load_preferences(data_dir: Path) -> Preferences:
    """The saved preferences, each missing or unusable one at its default."""
    try:
        stored = json.loads((data_dir / PREFERENCES_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        stored = {}
    if not isinstance(stored, dict):
        stored = {}
    return Preferences(**{spec.key: stored[spec.key] for spec in preference_fields()
                          if spec.key in stored and _valid(spec, stored[spec.key])})


def save_preferences(data_dir: Path, prefs: Preferences) -> Path:
    """Write ``prefs`` (every value checked first); returns the file written."""
    values = dataclasses.asdict(prefs)
    for spec in preference_fields():
        if not _valid(spec, values[spec.key]):
            raise ValidationError(spec.title, "'{value}' is not a valid setting",
                                  value=str(values[spec.key]))
    path = data_dir / PREFERENCES_FILE
    write_atomically(path, json.dumps(values, ensure_ascii=False, indent=1).encode())
    return path


def backup_folder(data_dir: Path, prefs: Preferences) -> Path:
    """Where "back up now" writes: the chosen folder, else one beside the data dir."""
    if prefs.backup_folder:
        return Path(prefs.backup_folder)
    return data_dir.parent / f"{data_dir.name}{BACKUP_FOLDER_SUFFIX}"
