"""What every command shares: its parser class, its output (text or ``--json``), the
progress bar, the exit codes and the one handler that turns every failure into a line.

Exit codes: 0 success, 2 bad input (one line naming the field and the problem, in the
chosen language; nothing written), 1 any other failure. No Python exception text
reaches the user: what nothing expected is logged with its traceback in the data
directory's log (``fieldapp.logs``) and the user reads one plain line.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import errno
import json
import os
import sqlite3
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar

from fieldapp import i18n
from fieldapp.domain.errors import DomainError, NotFound, ValidationError
from fieldapp.domain.permissions import PermissionDenied
from fieldapp.i18n import N_, _

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2

# argparse looks up its own messages ("usage: ", "the following arguments are
# required", ...) through a module-level ``_`` at call time; routing it through our
# catalogue translates them with everything else.
argparse._ = i18n.gettext  # type: ignore[attr-defined]

Handler = Callable[[argparse.Namespace], int]


class BadInput(Exception):
    """Bad command-line input found by argparse (its message is translated already)."""


class Parser(argparse.ArgumentParser):
    """argparse, raising instead of exiting, and marking required options as such.

    A subcommand's parser may be built only when it is used (``build``): its choices
    come from the services, which are not imported for ``--help`` or another command."""

    build: Callable[[Parser], None] | None = None

    def error(self, message: str) -> Any:
        raise BadInput(f"{self.prog}: {message}")

    def _built(self) -> None:
        build, self.build = self.build, None
        if build is not None:
            build(self)

    def parse_known_args(self, *args: Any, **kwargs: Any) -> Any:
        self._built()
        return super().parse_known_args(*args, **kwargs)

    def format_help(self) -> str:
        self._built()
        return super().format_help()

    def format_usage(self) -> str:
        self._built()
        return super().format_usage()

    def add_argument(self, *names: Any, **options: Any) -> argparse.Action:
        if options.get("required") and options.get("help") and names[0].startswith("-"):
            options["help"] = _("{help} (required)", help=options["help"])
        return super().add_argument(*names, **options)


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("print one JSON object on stdout"))


def emit(args: argparse.Namespace, payload: dict[str, Any], text: str) -> None:
    """``payload`` as one JSON object (ids and codes, Chinese as UTF-8), or ``text``."""
    if getattr(args, "json", False):
        print(json.dumps(payload, ensure_ascii=False, default=json_default))
    else:
        print(text)


def json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "model_dump"):
        return value.model_dump()
    return str(value)


def local_text(moment: dt.datetime, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A stored moment as the agency's wall time."""
    from fieldapp.domain.localtime import to_local

    return to_local(moment).strftime(pattern)


class ProgressBar:
    """A one-line progress bar on stderr (stdout stays clean for --json)."""

    STAGES: ClassVar[dict[str, str]] = {
        "subjects": N_("subjects"), "inspections": N_("inspections"),
        "indexes": N_("indexes"), "documents": N_("documents"), "chain": N_("events"),
        "records": N_("records")}

    def __init__(self) -> None:
        self.last = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        label = _(self.STAGES.get(stage, stage))
        line = f"\r{label:<6} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        if line != self.last:
            sys.stderr.write(line)
            sys.stderr.flush()
            self.last = line

    def done(self) -> None:
        if self.last:
            sys.stderr.write("\n")


# --- failures -----------------------------------------------------------------------

_OS_PROBLEMS = {
    errno.ENOENT: N_("'{path}' does not exist"),
    errno.EISDIR: N_("'{path}' is a folder, not a file"),
    errno.ENOTDIR: N_("'{path}' is not in a folder"),
    errno.EACCES: N_("'{path}' may not be read or written by this user"),
    errno.EPERM: N_("'{path}' may not be read or written by this user"),
    errno.ENOSPC: N_("the disk holding '{path}' is full"),
    errno.EROFS: N_("'{path}' is on a read-only disk"),
    errno.EEXIST: N_("'{path}' already exists"),
}


def run(handler: Handler, args: argparse.Namespace) -> int:
    """Run one command; every failure becomes its exit code and one line on stderr."""
    try:
        return int(handler(args))
    except BaseException as error:
        return fail(error)


def fail(error: BaseException) -> int:
    """The exit code for ``error``, its line(s) written to stderr."""
    if isinstance(error, BrokenPipeError):
        return _closed_pipe()
    if isinstance(error, KeyboardInterrupt):
        _say(_("Cancelled."))
        return EXIT_FAILURE
    if isinstance(error, SystemExit):  # --help and --version
        return int(error.code or 0) if not isinstance(error.code, str) else EXIT_FAILURE
    lines, code = _describe(error)
    try:
        for line in lines:
            _say(line)
    except BrokenPipeError:
        return _closed_pipe()
    return code


def _describe(error: BaseException) -> tuple[list[str], int]:
    from fieldapp.domain.no_penalty import ImportErrors

    if isinstance(error, BadInput):
        return [str(error)], EXIT_BAD_INPUT
    if isinstance(error, ImportErrors):
        from fieldapp.services.rules import describe_problems

        return [i18n.describe(error), *describe_problems(error)], EXIT_BAD_INPUT
    if isinstance(error, ValidationError | NotFound):
        return [i18n.describe(error)], EXIT_BAD_INPUT
    from fieldapp.services.rules import CalendarImportError

    if isinstance(error, CalendarImportError):
        rows = [i18n.describe(e) for e in error.errors]
        return [i18n.describe(error), *rows], EXIT_BAD_INPUT
    if isinstance(error, PermissionDenied | DomainError):
        return [i18n.describe(error)], EXIT_FAILURE
    database = _sqlite_error(error)
    if database is not None:
        return [_database_problem(database, error)], EXIT_FAILURE
    if isinstance(error, OSError) and error.errno in _OS_PROBLEMS:
        path = error.filename or ""
        return [_(_OS_PROBLEMS[error.errno], path=path)], EXIT_FAILURE
    return [_unexpected(error)], EXIT_FAILURE


def _sqlite_error(error: BaseException) -> sqlite3.Error | None:
    """The SQLite error under ``error`` (SQLAlchemy wraps it), if any."""
    seen: BaseException | None = error
    for _depth in range(10):
        if seen is None:
            return None
        if isinstance(seen, sqlite3.Error):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _database_problem(database: sqlite3.Error, error: BaseException) -> str:
    text = str(database).lower()
    if isinstance(database, sqlite3.OperationalError) and "locked" in text:
        return _("The data directory is busy: another fieldapp is writing to it. Try again.")
    if isinstance(database, sqlite3.DatabaseError) and (
            "not a database" in text or "malformed" in text):
        return _("The database of the data directory is damaged or is not fieldapp's.")
    return _unexpected(error)


def _unexpected(error: BaseException) -> str:
    from fieldapp.logs import log_exception

    log_exception(error, "command")
    where = _log_file()
    if where:
        return _("An unexpected error stopped the command; the details are in {path}.",
                 path=where)
    return _("An unexpected error stopped the command.")


def _log_file() -> str:
    import logging

    for handler in logging.getLogger().handlers:
        name = getattr(handler, "baseFilename", "")
        if name:
            return str(name)
    return ""


def _say(line: str) -> None:
    print(line, file=sys.stderr)


def _closed_pipe() -> int:
    """The reader went away (``| head``): stop quietly, and keep Python from complaining
    again when it flushes stdout at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_OK
