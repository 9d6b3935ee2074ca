"""The agency's local time: one setting, read through these functions by every layer.

Times are stored in UTC. Whatever a person reads or types (a document's date, a deadline,
an officer's ``--at``) is in the agency's time zone, never the computer's: a laptop set
to another zone, or to UTC, must print the same dates. The zone is an IANA name
(``Asia/Shanghai`` by default); the composition root sets it once from the city's rule
settings (``time_zone``) when the data directory is opened.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fieldapp.domain.errors import ValidationError

DEFAULT_ZONE = "Asia/Shanghai"
_zone: dt.tzinfo = ZoneInfo(DEFAULT_ZONE)
_zone_name = DEFAULT_ZONE


def zone_from_name(name: str) -> dt.tzinfo:
    """The zone of an IANA name; a clear error for a name that is not one."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("time zone", "'{value}' is not a time zone name such as "
                              "Asia/Shanghai", value=name) from None


def set_agency_zone(name: str | None) -> None:
    """Use ``name`` (or the default) as the agency's zone for the whole process."""
    global _zone, _zone_name
    chosen = name or DEFAULT_ZONE
    _zone = zone_from_name(chosen)
    _zone_name = chosen


def agency_zone() -> dt.tzinfo:
    return _zone


def agency_zone_name() -> str:
    return _zone_name


def stored_utc(moment: dt.datetime) -> dt.datetime:
    """A moment read back from the store, aware: SQLite keeps UTC without its zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def to_local(moment: dt.datetime) -> dt.datetime:
    """An aware moment as the agency's wall time (a naive one is taken as UTC)."""
    return stored_utc(moment).astimezone(_zone)


def local_date(moment: dt.datetime) -> dt.date:
    """The agency's calendar day of a moment."""
    return to_local(moment).date()


def as_local(wall: dt.datetime) -> dt.datetime:
    """A wall time a person typed or read (no zone) as an aware moment in the agency's
    zone; an aware one is returned as it is."""
    return wall if wall.tzinfo is not None else wall.replace(tzinfo=_zone)


def at_local(day: dt.date, time: dt.time) -> dt.datetime:
    """The moment of ``time`` on ``day`` in the agency's zone."""
    return dt.datetime.combine(day, time, _zone)
