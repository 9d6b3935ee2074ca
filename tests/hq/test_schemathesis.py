"""Property-based tests of HQ's whole OpenAPI (schemathesis): with valid credentials
for each role, at least 1,000 generated cases, at least 20 per operation past
authentication, and never a server error."""

from __future__ import annotations

import base64
from collections import Counter
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldapp.hq.throwaway import PASSWORD
from tests.hq.client import Hq

ROLES = {"officer": "D-OFF1", "squad_leader": "D-LEAD", "agency_head": "HEAD"}
PER_OPERATION = 16
# Refusals of the credentials sent (anything else got past authentication).
AUTH_REFUSALS = {"no_token", "bad_token", "session_expired", "device_revoked",
                 "forbidden"}


def _headers(hq: Hq, certificate: str) -> dict[str, dict[str, str]]:
    device = hq.enroll()
    session = hq.login(device, certificate)
    basic = base64.b64encode(f"{certificate}:{PASSWORD}".encode()).decode()
    return {"DeviceToken": {"Authorization": f"Bearer {device.token}",
                            "X-Fieldapp-Session": session},
            "OfficerPassword": {"Authorization": f"Basic {basic}"}}


def test_generated_requests_never_cause_a_server_error(sqlite_hq: Hq) -> None:
    hq = sqlite_hq
    schema = schemathesis.openapi.from_url(hq.url("/openapi.json"))
    past_auth: Counter[tuple[str, str]] = Counter()
    total = 0
    failures: list[str] = []
    with requests.Session() as http:
        for role, certificate in ROLES.items():
            credentials = _headers(hq, certificate)
            for result in schema.get_all_operations():
                operation = result.ok()
                schemes = [n for item in operation.definition.raw.get("security", [])
                           for n in item]
                headers = credentials.get(schemes[0] if schemes else "", {})
                counted = _run(hq, http, operation, headers, failures)
                total += counted[0]
                past_auth[(operation.method.upper(), operation.path)] += counted[1]
            assert role
    assert failures == []
    assert total >= 1000
    thin = {op: n for op, n in past_auth.items() if n < 20}
    assert thin == {}, thin


def _run(hq: Hq, http: requests.Session, operation: Any, headers: dict[str, str],
         failures: list[str]) -> tuple[int, int]:
    seen = [0, 0]

    @settings(max_examples=PER_OPERATION, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), salt=st.integers(0, 3))
    def check(case: Any, salt: int) -> None:
        merged = {**(case.headers or {}), **headers}
        if salt == 0:
            merged.pop("X-Fieldapp-Protocol", None)
        response = case.call(base_url=hq.base, headers=merged, session=http, timeout=60)
        seen[0] += 1
        if not _refused(response):
            seen[1] += 1
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.path}: {response.status_code} "
                            f"{response.text[:300]}")

    check()
    return seen[0], seen[1]


def _refused(response: Any) -> bool:
    if response.status_code not in (401, 403):
        return False
    try:
        return response.json().get("code") in AUTH_REFUSALS
    except ValueError:
        return True
