"""Officers, squads and grids; officer login on the device, the second officer's
confirmation (password or PIN) and the command line's short-lived unlock.

The public surface of the area: UI, CLI and other areas import from here."""

from __future__ import annotations

from fieldapp.services.staff.auth import (
    LoggedIn,
    login,
    login_choices,
)
from fieldapp.services.staff.confirm import (
    Confirmed,
    check_pin,
    confirm_officer,
    set_pin,
)
from fieldapp.services.staff.officers import (
    list_officers,
    officer_by_certificate,
    officer_ref,
    records_since,
)
from fieldapp.services.staff.organisation import (
    GridView,
    add_officer,
    add_squad,
    list_grids,
    set_agency,
)
from fieldapp.services.staff.unlock import (
    UNLOCK_HOURS,
    Unlock,
    current_unlock,
    lock,
    unlock,
    unlocks,
)

__all__ = [
    "UNLOCK_HOURS",
    "Confirmed",
    "GridView",
    "LoggedIn",
    "Unlock",
    "add_officer",
    "add_squad",
    "check_pin",
    "confirm_officer",
    "current_unlock",
    "list_grids",
    "list_officers",
    "lock",
    "login",
    "login_choices",
    "officer_by_certificate",
    "officer_ref",
    "records_since",
    "set_agency",
    "set_pin",
    "unlock",
    "unlocks",
]
