"""Arguments parsed at the edge into typed values with limits, and the options several
commands share (each help text written once).

The value parsers are argparse ``type=`` functions that raise ``ValidationError`` (which
argparse lets through): the user reads one line naming the field and the problem, and
nothing is looked up or written. Choices come from the domain's enums and tables, shown
with their Chinese names and accepted by code (in any letter case) or by name.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
import stat
import uuid
from collections.abc import Callable, Iterable, Mapping
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any

from fieldapp.cli.output import Handler, Parser, add_json
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.validation import TEXT_LIMITS, check_text
from fieldapp.i18n import N_, _

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CODE = re.compile(r"[A-Z0-9][A-Z0-9_.-]*")
_SHOWN = 40  # characters of a bad value repeated in its error
_INLINE_CHOICES = 6  # more choices than this are listed below a command's options


class Access(Enum):
    """What a command does with the data, hence whom it asks for a password."""

    READ = "read"  # open to the device's user unless the city's rule says otherwise
    WRITE = "write"  # the officer it acts for logs in (password, or ``fieldapp login``)
    OPEN = "open"  # needs nobody (demo data into an empty folder, logout)


def command(actions: Any, name: str, handler: Handler, help: str, *, access: Access,
            aliases: Iterable[str] = ()) -> Parser:
    """A subcommand with its handler, its access, ``--json`` and its help."""
    parser: Parser = actions.add_parser(name, help=help, description=help,
                                        aliases=list(aliases))
    parser.set_defaults(func=handler, access=access)
    add_json(parser)
    return parser


def noun(sub: Any, name: str, help: str, build: Callable[[Parser], None], *,
         aliases: Iterable[str] = ()) -> None:
    """A top-level subcommand whose arguments ``build`` adds when it is used."""
    parser: Parser = sub.add_parser(name, help=help, description=help, aliases=list(aliases))
    parser.build = build


def leaf(parser: Parser, handler: Handler, *, access: Access) -> Parser:
    """A top-level subcommand (no actions below it) runs ``handler``."""
    parser.set_defaults(func=handler, access=access)
    add_json(parser)
    return parser


def subcommands(parser: argparse.ArgumentParser) -> Any:
    return parser.add_subparsers(metavar="ACTION", required=True, parser_class=Parser)


def shown(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


# --- value parsers --------------------------------------------------------------------


def record_id(label: str) -> Callable[[str], str]:
    """A record's id: a UUID, in its canonical lower-case form."""
    def parse(text: str) -> str:
        try:
            return str(uuid.UUID(text.strip()))
        except ValueError:
            raise ValidationError(label, "'{value}' is not a record id (a UUID)",
                                  value=shown(text)) from None
    return parse


def text(label: str) -> Callable[[str], str]:
    """Free text within the field's length limit (``domain.validation.TEXT_LIMITS``)."""
    if label not in TEXT_LIMITS:  # found when the parser is built, by every test
        raise KeyError(f"no length limit for {label!r} in domain.validation.TEXT_LIMITS")
    return lambda value: check_text(label, value)


def code(label: str) -> Callable[[str], str]:
    """A code such as a violation code, accepted in any letter case."""
    def parse(value: str) -> str:
        normal = value.strip().upper()
        if not _CODE.fullmatch(normal) or len(normal) > TEXT_LIMITS["violation code"]:
            raise ValidationError(label, "'{value}' is not a code like JM01",
                                  value=shown(value))
        return normal
    return parse


def day(label: str) -> Callable[[str], dt.date]:
    """A real calendar date, written 2026-11-21."""
    def parse(value: str) -> dt.date:
        try:
            if _DAY.fullmatch(value.strip()):
                return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
        raise ValidationError(label, "'{value}' is not a date on the calendar, like "
                              "2026-11-21", value=shown(value))
    return parse


def moment(label: str) -> Callable[[str], dt.datetime]:
    """A time, 2026-11-21T09:30 (the agency's wall time) or with its UTC offset. Naive
    values are placed in the agency's zone by ``when``, once the data directory (and so
    the agency's zone) is open."""
    def parse(value: str) -> dt.datetime:
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(label, "'{value}' is not a time like 2026-11-21T09:30",
                                  value=shown(value)) from None
    return parse


def when(value: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """A parsed ``moment`` as an aware time in the agency's zone; ``now`` when not given."""
    from fieldapp.domain.localtime import as_local

    return as_local(value) if value is not None else now


def whole(label: str, low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            number = low - 1
        if not low <= number <= high:
            raise ValidationError(label, "must be a whole number from {low} to {high}",
                                  low=low, high=high)
        return number
    return parse


def amount(label: str, value: str) -> float:
    """A finite number, not negative (an area, a number of days)."""
    try:
        number = float(value.strip())
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0:
        raise ValidationError(label, "'{value}' is not a number", value=shown(value))
    return number


def assignment(label: str) -> Callable[[str], tuple[str, str]]:
    """``NAME=VALUE``."""
    def parse(value: str) -> tuple[str, str]:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise ValidationError(label, "'{value}' is not name=value", value=shown(value))
        return key.strip(), rest
    return parse


def input_file(label: str) -> Callable[[str], Path]:
    """A file to read: it exists and is a regular file (not a folder, device or pipe)."""
    def parse(value: str) -> Path:
        path = Path(value).expanduser()
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            raise ValidationError(label, "'{path}' does not exist", path=value) from None
        except OSError:
            raise ValidationError(label, "'{path}' cannot be read", path=value) from None
        _regular(label, value, mode)
        return path.resolve()
    return parse


def output_file(label: str) -> Callable[[str], Path]:
    """A file to write: in a folder that exists; if it exists, a regular file."""
    def parse(value: str) -> Path:
        path = Path(value).expanduser().resolve()
        if path.exists():
            _regular(label, value, path.stat().st_mode)
        elif not path.parent.is_dir():
            raise ValidationError(label, "the folder '{path}' does not exist",
                                  path=str(path.parent))
        return path
    return parse


def _regular(label: str, value: str, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise ValidationError(label, "'{path}' is a folder, not a file", path=value)
    if not stat.S_ISREG(mode):
        raise ValidationError(label, "'{path}' is a device or a pipe, not a file", path=value)


class Choice:
    """One of a fixed set: ``names`` maps each code to what a person reads. Accepts the
    code in any letter case or the name; returns the code."""

    def __init__(self, label: str, names: Mapping[str, str]) -> None:
        self.label = label
        self.names = dict(names)
        self._lookup = {k.lower(): k for k in names} | {v: k for k, v in names.items()}

    @classmethod
    def of(cls, label: str, kinds: type[StrEnum],
           names: Mapping[Any, str] | None = None) -> Choice:
        """The members of ``kinds``, named by ``names`` or by their translation."""
        return cls(label, {k.value: (names or {}).get(k) or _(k.value) for k in kinds})

    def __call__(self, value: str) -> str:
        found = self._lookup.get(value.strip()) or self._lookup.get(value.strip().lower())
        if found is None:
            raise ValidationError(self.label, "'{value}' is not one of: {choices}",
                                  value=shown(value), choices=self.listing())
        return found

    def listing(self) -> str:
        return "、".join(f"{k}（{v}）" if v != k else k for k, v in self.names.items())

    def help(self, text: str, parser: argparse.ArgumentParser | None = None) -> str:
        """``text`` followed by the choices (``%`` doubled for argparse); a long list goes
        below the options of ``parser``, one choice a line."""
        if parser is None or len(self.names) <= _INLINE_CHOICES:
            return _("{help}; one of: {choices}", help=text,
                     choices=self.listing()).replace("%", "%%")
        width = max(len(k) for k in self.names) + 2
        table = "\n".join(f"  {k:<{width}}{v}" for k, v in self.names.items())
        below = f"{_(self.label)}:\n{table}"
        parser.epilog = f"{parser.epilog}\n\n{below}" if parser.epilog else below
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return _("{help} (the choices are listed below)", help=text).replace("%", "%%")


# --- options several commands share -------------------------------------------------


def add_officer(parser: argparse.ArgumentParser) -> None:
    """The officer a data-changing command acts for, who logs in. Checked after the
    other arguments (so a bad value is named before anyone is asked a password)."""
    parser.add_argument("--officer", metavar="CERT", type=text(N_("certificate number")), help=_(
        "certificate number of the officer this command acts for (asks the password, or "
        "reads FIELDAPP_PASSWORD; none while unlocked by fieldapp login); required "
        "unless exactly one officer is unlocked"))


def add_officer_filter(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--officer", metavar="CERT", type=text(N_("certificate number")),
                        help=_("only what this officer (certificate number) handles"))


def add_two_officers(parser: argparse.ArgumentParser) -> None:
    """The two officers of a record (art. 42): the first acts, the second confirms."""
    parser.add_argument("--officer", action="append", required=True, metavar="CERT",
                        type=text(N_("certificate number")), help=_(
                            "certificate number of an officer, given twice: the first acts "
                            "(password as for --officer), the second confirms with their "
                            "password or PIN (asked, or FIELDAPP_PASSWORD_2)"))


def add_time(parser: argparse.ArgumentParser, option: str = "--at") -> None:
    parser.add_argument(option, metavar="TIME", type=moment(N_("time")),
                        help=_("time, e.g. 2026-11-21T09:30 (default: now)"))


def add_subject(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--subject", required=True, metavar="ID", type=record_id(N_("subject")),
                        help=_("subject id"))


def add_violation(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--violation", required=True, metavar="CODE",
                        type=code(N_("violation code")),
                        help=_("violation code (any letter case)"))
