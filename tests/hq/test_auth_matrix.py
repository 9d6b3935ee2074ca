"""Every endpoint, enumerated from the app's own routes, refuses a caller without the
right credentials — no token, a bad token, a revoked device, another squad, the wrong
role — and nothing of another squad leaks."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.routing import APIRoute
from sqlalchemy import update

from fieldapp.hq.app import create_app
from fieldapp.hq.db import tables as t
from fieldapp.hq.services import admin
from fieldapp.hq.simulator import SimDevice, new_id
from fieldapp.hq.throwaway import PASSWORD
from fieldapp.sync.protocol import Entity
from tests.hq.client import Hq, now_text, step, subject

PUBLIC = {("GET", "/health"), ("GET", "/v1/version"), ("GET", "/v1/clock"),
          ("POST", "/v1/enroll"), ("GET", "/v1/verify"), ("GET", "/verify")}


def _operations(hq: Hq) -> list[tuple[str, str, list[str]]]:
    """(method, path, security schemes) of every route, from the app and its OpenAPI."""
    app = create_app(hq.hq)
    spec = app.openapi()
    out = []
    for path, methods in _routes(app):
        for method in sorted(methods):
            operation = spec["paths"][path][method.lower()]
            schemes = [name for item in operation.get("security", []) for name in item]
            out.append((method, path, schemes))
    return out


def _routes(app: Any) -> list[tuple[str, set[str]]]:
    """Every API route of the app (FastAPI keeps included routers as wrappers)."""
    found = []
    for route in app.routes:
        if isinstance(route, APIRoute):
            found.append((route.path_format, set(route.methods)))
        elif hasattr(route, "effective_candidates"):
            found += [(c.path_format, set(c.methods)) for c in route.effective_candidates()]
    assert len(found) >= 20
    return found


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "0" * 64), path)


BODIES: dict[str, dict[str, Any]] = {"decide": {"merge": True}}


def _call(hq: Hq, method: str, path: str, headers: dict[str, str]) -> Any:
    body = BODIES.get(path.rsplit("/", 1)[-1], {})
    return hq.http.request(method, hq.url(path), headers=headers, timeout=30, json=body)


def _squad_data(hq: Hq) -> dict[str, str]:
    """A conflict, a merge proposal and a late step in DHM; their ids."""
    a, b = hq.enroll(), hq.enroll()
    officer = hq.officer("D-OFF1")
    person = subject(a, id_number="110101199003071234", name="秘密甲")
    a.write([person, step(a, person.entity_id, officer.id, "educate",
                          now_text(dt.timedelta(days=-2)))], officer_id=officer.id)
    hq.push(a)
    twin = subject(b, id_number="110101199003071234", name="秘密乙")
    late = step(b, person.entity_id, officer.id, "educate", now_text())
    edit_a = a.change(Entity.SUBJECT, person.entity_id, {"phone": "1"}, base=person)
    edit_b = b.change(Entity.SUBJECT, person.entity_id, {"phone": "2"}, base=person)
    a.write([edit_a], officer_id=officer.id)
    b.write([twin, late, edit_b], officer_id=officer.id)
    hq.push(a)
    results = hq.push(b)["results"]
    conflict = next(r for r in results if r["conflicts"])["conflicts"][0]["conflict_id"]
    session = hq.login(a, "D-LEAD")
    [proposal] = hq.http.get(hq.url("/v1/merges"), headers=a.headers(session),
                             timeout=30).json()["items"]
    return {"conflict_id": conflict, "proposal_id": proposal["id"],
            "step_id": late.entity_id, "code": "DHM", "sha256": "0" * 64}


def test_every_endpoint_refuses_missing_bad_revoked_and_wrong_credentials(hq: Hq) -> None:
    ids = _squad_data(hq)
    revoked, west = hq.enroll(), hq.enroll("CYM")
    admin.revoke_device(hq.hq, device_id=revoked.device_id)
    east = hq.enroll()
    officer_session = hq.login(east, "D-OFF1")
    stranger_session = hq.login(west, "C-LEAD")  # another device's session
    west_leader = hq.login(west, "C-LEAD")
    operations = _operations(hq)
    assert {(m, p) for m, p, s in operations if not s} == PUBLIC
    checked = 0
    for method, path, schemes in operations:
        url = _fill(path, ids)
        if "DeviceToken" in schemes:
            for headers, code in (
                    ({"X-Fieldapp-Protocol": "1"}, "no_token"),
                    ({"Authorization": "Bearer fa_dev_forged"}, "bad_token"),
                    (revoked.headers(), "device_revoked")):
                answer = _call(hq, method, url, headers)
                assert answer.status_code in (401, 403), (method, path, answer.text)
                assert answer.json()["code"] == code, (method, path)
                checked += 1
        if "OfficerSession" in schemes:
            for headers, status in ((east.headers(), 401),
                                    (east.headers(officer_session), 403),
                                    (east.headers(stranger_session), 401)):
                answer = _call(hq, method, url, headers)
                assert answer.status_code == status, (method, path, answer.text)
                checked += 1
            answer = _call(hq, method, url, west.headers(west_leader))
            assert "秘密" not in answer.text, (method, path)
            if "{" in path:
                assert answer.status_code == 404, (method, path, answer.text)
            checked += 1
        if "OfficerPassword" in schemes:
            assert _call(hq, method, url, {}).status_code == 401
            assert hq.http.get(hq.url(url), auth=("D-OFF1", PASSWORD),
                               timeout=30).status_code == 403
            assert hq.http.get(hq.url(url), auth=("C-LEAD", PASSWORD),
                               timeout=30).status_code == 403
            checked += 3
    assert checked >= 60


def test_another_squads_records_never_reach_a_device(hq: Hq) -> None:
    _squad_data(hq)
    west = hq.enroll("CYM")
    pulled, _ = hq.pull_all(west)
    assert pulled and all("秘密" not in str(c) for c in pulled)
    sums = hq.http.get(hq.url("/v1/checksums"), headers=west.headers(), timeout=30).json()
    assert "subject" not in {s["entity"] for s in sums["checksums"]}
    blob = hq.http.get(hq.url(f"/v1/blobs/{'0' * 64}"), headers=west.headers(), timeout=30)
    assert blob.status_code == 404


def test_enrollment_codes_work_once_and_expire(hq: Hq) -> None:
    code, _ = admin.enroll_code(hq.hq, squad_code="DHM", device_name="甲")
    first, second = SimDevice(), SimDevice()
    assert hq.http.post(hq.url("/v1/enroll"), json=first.enroll_body(code),
                        timeout=30).status_code == 200
    used = hq.http.post(hq.url("/v1/enroll"), json=second.enroll_body(code), timeout=30)
    assert used.status_code == 403 and used.json()["code"] == "code_invalid"
    expired, _ = admin.enroll_code(hq.hq, squad_code="DHM", device_name="乙")
    with hq.hq.db.write() as conn:
        conn.execute(update(t.enrollment).where(t.enrollment.c.used_at.is_(None))
                     .values(expires_at="2000-01-01 00:00:00.000000"))
    late = hq.http.post(hq.url("/v1/enroll"), json=second.enroll_body(expired), timeout=30)
    assert late.status_code == 403 and "过期" in late.json()["message"]
    forged = hq.http.post(hq.url("/v1/enroll"), json=second.enroll_body("ABCDEFGHJK"),
                          timeout=30)
    assert forged.status_code == 403


def test_a_deactivated_officer_loses_login_and_sessions(hq: Hq) -> None:
    device = hq.enroll()
    session = hq.login(device, "D-LEAD")
    admin.change_officer(hq.hq, certificate_no="D-LEAD", active=False)
    listed = hq.http.get(hq.url("/v1/conflicts"), headers=device.headers(session), timeout=30)
    assert listed.status_code == 401
    login = hq.http.post(hq.url("/v1/login"), headers=device.headers(), timeout=30,
                         json={"certificate_no": "D-LEAD", "password": PASSWORD})
    assert login.status_code == 401 and login.json()["code"] == "login_failed"
    assert new_id()  # ids stay time-ordered across the test
