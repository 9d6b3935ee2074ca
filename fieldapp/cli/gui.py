"""``fieldapp`` without a subcommand: the desktop app, imported only now (PySide6 is
loaded by nothing else the command does)."""

from __future__ import annotations

import argparse
import os
import sys

from fieldapp.cli.access import data_dir
from fieldapp.domain.errors import DomainError

_DISPLAY_VARIABLES = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")


def cmd_gui(args: argparse.Namespace) -> int:
    """Open the desktop app, or say why it cannot open (before Qt would abort)."""
    if no_display():
        raise DomainError("There is no display here, so the desktop app cannot open "
                          "(DISPLAY and WAYLAND_DISPLAY are not set). Use the subcommands "
                          "(fieldapp --help), or set QT_QPA_PLATFORM=offscreen.")
    folder = data_dir(args)
    try:
        from fieldapp.ui.app import run_app
    except ImportError as error:
        if (error.name or "").startswith("PySide6"):
            raise DomainError("The desktop app needs PySide6, which is not installed "
                              "here; the subcommands work without it.") from None
        raise
    return run_app(folder)


def no_display() -> bool:
    """On Linux and the BSDs Qt needs an X11 or Wayland display, unless told otherwise."""
    if sys.platform.startswith(("win", "darwin", "cygwin")):
        return False
    return not any(os.environ.get(name) for name in _DISPLAY_VARIABLES)
