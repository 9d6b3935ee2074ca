"""The one accessor for runtime assets: ``resources/`` and ``forms/``.

They are found the same way from a source checkout (top-level folders), an installed
wheel (copied into ``fieldapp/_assets/`` at build time) and a PyInstaller bundle
(``sys._MEIPASS``).
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def _root(kind: str) -> Path:
    candidates = [_PACKAGE_DIR / "_assets" / kind]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / kind)
    candidates.append(_PACKAGE_DIR.parent / kind)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"fieldapp {kind}/ not found; looked in {candidates}")


def resource(*parts: str) -> Path:
    """A file under ``resources/``, e.g. ``resource("fonts", "wqy-microhei.ttc")``."""
    return _root("resources").joinpath(*parts)


def form(*parts: str) -> Path:
    """A file under ``forms/`` (document templates)."""
    return _root("forms").joinpath(*parts)
