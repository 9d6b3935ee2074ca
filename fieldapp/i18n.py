"""The one translation layer, for CLI, errors, HQ and UI alike (no Qt needed).

Source strings are English (``msgid``); catalogues are gettext ``.po`` files under
``resources/i18n/<lang>.po`` plus one file per area in ``resources/i18n/<lang>/*.po``
(read in name order, a later entry winning), read directly (a small parser, so no
compile step).
Simplified Chinese is the default language; English shows the source strings.
"""

from __future__ import annotations

import ast
import os
from functools import cache
from typing import Any

from fieldapp.resources import resource

LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"
_current = DEFAULT_LANGUAGE


def _unquote(chunk: str) -> str:
    return str(ast.literal_eval(chunk))


def parse_po(text: str) -> dict[str, str]:
    """msgid → msgstr of a .po file (plain entries; empty translations skipped)."""
    catalog: dict[str, str] = {}
    msgid: list[str] = []
    msgstr: list[str] = []
    target: list[str] | None = None

    def flush() -> None:
        if "".join(msgid) and "".join(msgstr):
            catalog["".join(msgid)] = "".join(msgstr)

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("msgid "):
            flush()
            msgid, msgstr = [_unquote(line[6:])], []
            target = msgid
        elif line.startswith("msgstr "):
            msgstr = [_unquote(line[7:])]
            target = msgstr
        elif line.startswith('"') and target is not None:
            target.append(_unquote(line))
    flush()
    return catalog


@cache
def catalog(lang: str) -> dict[str, str]:
    """The translations of ``lang``. English shows the source strings, except the values
    of the domain's enums (``does_not_apply``), which ``en.po`` turns into words."""
    table = parse_po(resource("i18n", f"{lang}.po").read_text(encoding="utf-8"))
    area_dir = resource("i18n", lang)
    if area_dir.is_dir():
        for path in sorted(area_dir.glob("*.po")):
            table |= parse_po(path.read_text(encoding="utf-8"))
    return table


def set_language(lang: str | None) -> str:
    """Switch the language for the whole process; returns the language in use."""
    global _current
    chosen = lang or os.environ.get("FIELDAPP_LANG") or DEFAULT_LANGUAGE
    if chosen not in LANGUAGES:
        raise ValueError(f"unknown language {chosen!r}; choose one of {', '.join(LANGUAGES)}")
    _current = chosen
    return chosen


def language() -> str:
    return _current


def gettext(message: str) -> str:
    return catalog(_current).get(message, message)


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; translate it where it is shown."""
    return message


def _(message: str, **params: Any) -> str:
    """Translate ``message`` and fill in ``params`` (each param value is used as is)."""
    translated = gettext(message)
    return translated.format(**params) if params else translated


def describe(error: BaseException) -> str:
    """A one-line message for a domain error, in the current language, naming the field."""
    from fieldapp.domain.errors import DomainError, NotFound, ValidationError

    if isinstance(error, NotFound):
        return _("{field}: no record with this value ({value})",
                 field=gettext(error.field), value=error.params["value"])
    if isinstance(error, ValidationError):
        problem = gettext(error.problem).format(**_params(error.params))
        return _("{field}: {problem}", field=gettext(error.field), problem=problem)
    if isinstance(error, DomainError):
        return gettext(error.problem).format(**_params(error.params))
    return str(error)


def _params(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters that are themselves msgids (a step, a status, a role) are translated."""
    table = catalog(_current)
    return {k: table.get(v, v) if isinstance(v, str) else v for k, v in params.items()}
