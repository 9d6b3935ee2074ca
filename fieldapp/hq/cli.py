"""The ``fieldapp-hq`` administration command.

The HQ server, its sync endpoints and its admin subcommands arrive with the sync issue;
until then the command answers ``--help`` and ``--version`` only.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from fieldapp import __version__, i18n
from fieldapp.i18n import _


def main(argv: Sequence[str] | None = None) -> int:
    i18n.set_language(None)
    parser = argparse.ArgumentParser(prog="fieldapp-hq", description=_(
        "fieldapp HQ administration. The HQ server arrives with the sync issue."))
    parser.add_argument("--version", action="version", version=f"fieldapp-hq {__version__}")
    try:
        parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    parser.print_help()
    return 0
