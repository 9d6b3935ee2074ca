"""HQ's pages (server-rendered, Chinese): document verification for anyone, and a status
page per squad for its leaders (HTTP Basic: certificate number and password). The web
console grows from here."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select

from fieldapp.hq.api.deps import COMMON, HqDep, Lang, errors
from fieldapp.hq.db import tables as t
from fieldapp.hq.errors import HqError, out_of_scope
from fieldapp.hq.services import auth, leaders, verify
from fieldapp.hq.text import tr
from fieldapp.sync.protocol import ErrorCode

router = APIRouter(tags=["pages"])
_basic = HTTPBasic(auto_error=False, scheme_name="OfficerPassword",
                   description="Certificate number and password of a squad leader")
_templates = Environment(loader=FileSystemLoader(Path(__file__).parents[1] / "templates"),
                         autoescape=select_autoescape(["html"]))


def render(name: str, lang: str, **context: object) -> HTMLResponse:
    page = _templates.get_template(name).render(
        _=lambda message, **params: tr(lang, message, **params), **context)
    return HTMLResponse(page)


@router.get("/verify", response_class=HTMLResponse, responses=errors(*COMMON))
def verify_page(hq: HqDep, lang: Lang,
                code: Annotated[str, Query(max_length=400)] = "") -> HTMLResponse:
    """The verification page: paste or scan a document's code."""
    result = verify.verify(hq, code=code, lang=lang) if code else None
    return render("verify.html", lang, result=result, code=code)


@router.get("/squads/{code}/status", response_class=HTMLResponse,
            responses=errors(*COMMON, ErrorCode.NO_TOKEN, ErrorCode.DEVICE_REVOKED,
                             ErrorCode.OUT_OF_SCOPE))
def status_page(hq: HqDep, lang: Lang, request: Request, code: str,
                credentials: Annotated[HTTPBasicCredentials | None, Depends(_basic)],
                ) -> HTMLResponse:
    """A squad's sync status: devices, last syncs, problems, quarantine."""
    officer = _officer(hq, credentials)
    with hq.db.read() as conn:
        squad = conn.execute(select(t.squad).where(t.squad.c.code == code[:40])).first()
    if squad is None:
        raise out_of_scope()
    auth.require_leader(officer, squad.id)
    status = leaders.squad_status(hq, squad_id=squad.id, lang=lang)
    conflicts = [c for c in leaders.conflicts(hq, squad_id=squad.id) if not c.resolved_at]
    return render("status.html", lang, status=status, conflicts=conflicts[:50],
                  officer=officer)


def _officer(hq: object, credentials: HTTPBasicCredentials | None) -> auth.OfficerAuth:
    if credentials is None:
        raise HqError(ErrorCode.NO_TOKEN, "log in with your certificate number and password")
    with hq.db.read() as conn:  # type: ignore[attr-defined]
        officer = auth.check_basic(conn, credentials.username[:40], credentials.password[:200])
    if officer is None:
        secrets.compare_digest("a", "b")  # the same work for a wrong name or password
        raise HqError(ErrorCode.LOGIN_FAILED, "wrong certificate number or password")
    return officer
