"""Health, version and clock: what any caller may ask, without a token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import text

from fieldapp import __version__
from fieldapp.hq.api.deps import COMMON, HqDep, Lang, errors
from fieldapp.hq.context import parse_utc
from fieldapp.hq.text import tr
from fieldapp.sync.protocol import (
    MAX_CLOCK_SKEW_MS,
    MIN_PROTOCOL_VERSION,
    PROTOCOL_VERSION,
    ClockInfo,
    VersionInfo,
)

router = APIRouter(tags=["meta"])


@router.get("/health", responses=errors(*COMMON))
def health(hq: HqDep) -> dict[str, str]:
    """Whether HQ and its database answer."""
    with hq.db.read() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}


@router.get("/v1/version", responses=errors(*COMMON))
def version(hq: HqDep) -> VersionInfo:
    """The protocol versions HQ speaks."""
    return VersionInfo(protocol_version=PROTOCOL_VERSION,
                       min_protocol_version=MIN_PROTOCOL_VERSION,
                       server_version=__version__, server_time=hq.now_text())


@router.get("/v1/clock", responses=errors(*COMMON))
def clock(hq: HqDep, lang: Lang,
          device_time: Annotated[str, Query(max_length=40)] = "") -> ClockInfo:
    """HQ's time, and the device's clock skew when it sends its own time."""
    now = hq.now()
    moment = parse_utc(device_time) if device_time else None
    if moment is None:
        return ClockInfo(server_time=hq.now_text())
    skew = int((moment - now).total_seconds() * 1000)
    ok = abs(skew) <= MAX_CLOCK_SKEW_MS
    message = "" if ok else tr(lang, "this device's clock is {minutes} minutes off HQ's: "
                                     "set the time", minutes=round(skew / 60000))
    return ClockInfo(server_time=hq.now_text(), skew_ms=skew, skew_ok=ok, message=message)
