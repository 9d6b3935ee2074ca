"""The ``fieldapp`` command: opens the desktop app, or runs one headless task.

One module per noun registers its parsers beside its handlers; ``output`` holds what
they share (output, progress bar, exit codes, the error handler), ``options`` the typed
argument values and shared options, ``access`` whom a command acts for. Thin over the
services. Exit codes: 0 success, 2 bad input (one line naming the field and the
problem, in the chosen language; nothing written), 1 any other failure.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from fieldapp import __version__, i18n
from fieldapp.cli import (
    cases,
    demo,
    documents,
    inspections,
    lists,
    login,
    records,
    rules,
    subjects,
    sync,
)
from fieldapp.cli.gui import cmd_gui
from fieldapp.cli.options import Access
from fieldapp.cli.output import EXIT_BAD_INPUT, Parser, fail, run
from fieldapp.i18n import _

NOUNS = (demo, subjects, inspections, cases, rules, lists, documents, records, login, sync)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="fieldapp", description=_(
        "fieldapp: offline enforcement records for urban-management squads. "
        "Without a subcommand it opens the desktop app."))
    parser.add_argument("--version", action="version", version=f"fieldapp {__version__}",
                        help=_("show program's version number and exit"))
    parser.add_argument("--data-dir", metavar="DIR", help=_(
        "data directory (default: FIELDAPP_DATA_DIR or the per-user folder)"))
    parser.add_argument("--lang", choices=i18n.LANGUAGES, help=_("language (default zh_CN)"))
    parser.set_defaults(func=cmd_gui, access=Access.OPEN)
    sub = parser.add_subparsers(title=_("subcommands"), metavar="COMMAND", parser_class=Parser)
    for noun in NOUNS:
        noun.register(sub)
    return parser


def _preparse_language(argv: Sequence[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        i18n.set_language(_preparse_language(argv))
    except ValueError:
        print(_("language: '{value}' is not one of {choices}",
                value=_preparse_language(argv), choices=", ".join(i18n.LANGUAGES)),
              file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        args = build_parser().parse_args(argv)
    except BaseException as error:
        return fail(error)
    _start_log(args)
    return run(args.func, args)


def _start_log(args: argparse.Namespace) -> None:
    """Unexpected errors and library warnings go to the data directory's log."""
    from fieldapp.cli.access import data_dir
    from fieldapp.domain.errors import ValidationError
    from fieldapp.logs import setup_logging

    try:
        folder = data_dir(args)
    except ValidationError:
        folder = None  # the command itself says what is wrong with it
    setup_logging(folder)


__all__ = ["build_parser", "main"]
