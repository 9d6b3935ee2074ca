"""Messages in the language a request asks for (``Accept-Language``), without touching
the process-wide language: one HQ process answers people in both languages at once."""

from __future__ import annotations

from typing import Any

from fieldapp import i18n
from fieldapp.domain.errors import DomainError, NotFound, ValidationError


def language_of(header: str | None) -> str:
    """zh_CN unless the request prefers English."""
    first = (header or "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "zh_CN"


def tr(lang: str, message: str, **params: Any) -> str:
    table = i18n.catalog(lang)
    text = table.get(message, message)
    if not params:
        return text
    return text.format(**{k: table.get(v, v) if isinstance(v, str) else v
                          for k, v in params.items()})


def describe(lang: str, error: DomainError) -> str:
    """A domain error as one line in ``lang`` (as ``i18n.describe`` does for the UI)."""
    if isinstance(error, NotFound):
        return tr(lang, "{field}: no record with this value ({value})",
                  field=tr(lang, error.field), value=error.params["value"])
    if isinstance(error, ValidationError):
        return tr(lang, "{field}: {problem}", field=tr(lang, error.field),
                  problem=tr(lang, error.problem, **error.params))
    return tr(lang, error.problem, **error.params)
