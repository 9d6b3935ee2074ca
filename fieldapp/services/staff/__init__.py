"""Officers, squads and grids; officer login on the device.

The public surface of the area: UI, CLI and other areas import from here."""

from __future__ import annotations

from fieldapp.services.staff.auth import (
    LoggedIn,
    login,
    login_choices,
)
from fieldapp.services.staff.officers import (
    list_officers,
    officer_by_certificate,
    officer_ref,
)
from fieldapp.services.staff.organisation import (
    GridView,
    add_officer,
    add_squad,
    list_grids,
    set_agency,
)

__all__ = [
    "GridView",
    "LoggedIn",
    "add_officer",
    "add_squad",
    "list_grids",
    "list_officers",
    "login",
    "login_choices",
    "officer_by_certificate",
    "officer_ref",
    "set_agency",
]
