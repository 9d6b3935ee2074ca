"""Figures (the 721 statistics).

The public surface of the area: UI, CLI and other areas import from here."""

from __future__ import annotations

from fieldapp.services.reports.figures import (
    GROUPINGS,
    Figures721,
    figures_721,
)

__all__ = [
    "GROUPINGS",
    "Figures721",
    "figures_721",
]
