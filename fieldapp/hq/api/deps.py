"""What every route needs: the HQ context, the request's language, the device behind the
token, the officer behind the session, and the error responses to document."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from fieldapp.hq.context import Hq
from fieldapp.hq.errors import STATUS, HqError
from fieldapp.hq.services import auth
from fieldapp.hq.services.auth import DeviceAuth, OfficerAuth
from fieldapp.hq.text import language_of
from fieldapp.sync.protocol import PROTOCOL_HEADER, SESSION_HEADER, ErrorCode, Problem

_bearer = HTTPBearer(auto_error=False, scheme_name="DeviceToken",
                     description="The device token from enrollment")
_session = APIKeyHeader(name=SESSION_HEADER, auto_error=False, scheme_name="OfficerSession",
                        description="An officer's session token from POST /v1/login")


def protocol_header(
        _version: Annotated[int | None, Header(alias=PROTOCOL_HEADER, ge=0, le=1_000_000,
                                               description="The client's protocol version")
                            ] = None) -> None:
    """Declares the protocol header on every operation (the gate in front checks it)."""


def hq_of(request: Request) -> Hq:
    hq: Hq = request.app.state.hq
    return hq


def lang_of(request: Request) -> str:
    return language_of(request.headers.get("accept-language"))


def device_of(request: Request,
              credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
              ) -> DeviceAuth:
    if credentials is None or not credentials.credentials:
        raise HqError(ErrorCode.NO_TOKEN, "this request needs the device token from "
                      "enrollment")
    hq = hq_of(request)
    with hq.db.read() as conn:
        return auth.device_for(conn, credentials.credentials)


def officer_of(request: Request, device: Annotated[DeviceAuth, Depends(device_of)],
               token: Annotated[str | None, Depends(_session)]) -> OfficerAuth:
    if not token:
        raise HqError(ErrorCode.NO_TOKEN, "this request needs an officer's session: log "
                      "in first")
    hq = hq_of(request)
    with hq.db.read() as conn:
        return auth.officer_for(conn, token, device, hq.now())


def leader_of(device: Annotated[DeviceAuth, Depends(device_of)],
              officer: Annotated[OfficerAuth, Depends(officer_of)]) -> OfficerAuth:
    auth.require_leader(officer, device.squad_id)
    return officer


HqDep = Annotated[Hq, Depends(hq_of)]
Lang = Annotated[str, Depends(lang_of)]
DeviceDep = Annotated[DeviceAuth, Depends(device_of)]
LeaderDep = Annotated[OfficerAuth, Depends(leader_of)]

_DESCRIPTIONS = {
    ErrorCode.INVALID_REQUEST: "The body or a parameter is malformed",
    ErrorCode.BAD_GZIP: "The gzip body does not decompress",
    ErrorCode.TOO_LARGE: "The body is over the size limit",
    ErrorCode.PROTOCOL_TOO_OLD: "The device's protocol is too old: update fieldapp",
    ErrorCode.NO_TOKEN: "No device token or officer session, or not one HQ issued",
    ErrorCode.DEVICE_REVOKED: "The device was revoked, or the officer may not do this",
    ErrorCode.OUT_OF_SCOPE: "Not in this device's squad",
    ErrorCode.ALREADY_DONE: "Already decided, or the upload stands elsewhere",
}
COMMON = (ErrorCode.INVALID_REQUEST, ErrorCode.BAD_GZIP, ErrorCode.TOO_LARGE,
          ErrorCode.PROTOCOL_TOO_OLD)
DEVICE = (*COMMON, ErrorCode.NO_TOKEN, ErrorCode.DEVICE_REVOKED)


def errors(*codes: ErrorCode) -> dict[int | str, dict[str, Any]]:
    """The documented error responses (one per HTTP status) of an endpoint."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        status = STATUS[code]
        known = out.setdefault(status, {"model": Problem, "description": ""})
        text = _DESCRIPTIONS.get(code, code.value.replace("_", " "))
        known["description"] = "; ".join(filter(None, [known["description"], text]))
    return out
