"""Malformed, oversized and out-of-scope requests get a 4xx with a clear reason, never a
500, and nothing partial is written."""

from __future__ import annotations

import gzip
import json

from sqlalchemy import func, select

from fieldapp.hq.db import tables as t
from fieldapp.sync.protocol import MAX_BODY_BYTES, MAX_PUSH_CHANGES
from tests.hq.client import Hq, subject


def _rows(hq: Hq) -> tuple[int, int, int]:
    with hq.hq.db.read() as conn:
        return tuple(int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                     for table in (t.version, t.change, t.chain_event))  # type: ignore[return-value]


def _post(hq: Hq, device, data: bytes, gz: bool = True):  # type: ignore[no-untyped-def]
    headers = {**device.headers(), "Content-Type": "application/json"}
    if gz:
        headers["Content-Encoding"] = "gzip"
    return hq.http.post(hq.url("/v1/push"), data=data, headers=headers, timeout=60)


def test_refusals_are_clear_and_write_nothing(hq: Hq) -> None:
    device = hq.enroll()
    officer = hq.officer("D-OFF1")
    device.write([subject(device)], officer_id=officer.id)
    body = device.push_body()
    before = _rows(hq)
    cases = {
        "bad_gzip": _post(hq, device, b"\x1f\x8b not gzip"),
        "invalid_json": _post(hq, device, b"{not json", gz=False),
        "too_many": _post(hq, device, gzip.compress(json.dumps(
            {**body, "changes": body["changes"] * (MAX_PUSH_CHANGES + 1)}).encode())),
        "bomb": _post(hq, device, gzip.compress(b" " * (MAX_BODY_BYTES + 10))),
        "bad_event": _post(hq, device, gzip.compress(json.dumps(
            {**body, "chain": {"events": [{"seq": 0}], "head": None}}).encode())),
        "extra_field": _post(hq, device, json.dumps({**body, "admin": True}).encode(), gz=False),
    }
    expected = {"bad_gzip": (400, "bad_gzip"), "invalid_json": (422, "invalid_request"),
                "too_many": (422, "invalid_request"), "bomb": (413, "too_large"),
                "bad_event": (422, "invalid_request"), "extra_field": (422, "invalid_request")}
    for name, answer in cases.items():
        assert (answer.status_code, answer.json()["code"]) == expected[name], name
        assert answer.json()["message"], name
    assert _rows(hq) == before  # nothing partial


def test_query_and_path_limits(hq: Hq) -> None:
    device = hq.enroll()
    for path, params in (("/v1/pull", {"limit": 100_000}), ("/v1/pull", {"cursor": -1}),
                         ("/v1/verify", {"code": "x" * 1000})):
        answer = hq.http.get(hq.url(path), params=params, headers=device.headers(), timeout=30)
        assert answer.status_code == 422 and answer.json()["field"], path
    assert hq.http.put(hq.url("/v1/blobs/NOTASHA"), params={"size": 1}, data=b"x",
                       headers=device.headers(), timeout=30).status_code == 422
    chunk = hq.http.put(hq.url(f"/v1/blobs/{'a' * 64}"), params={"size": 2, "offset": 0},
                        data=b"xyz", headers=device.headers(), timeout=30)
    assert chunk.status_code == 422
    lease = hq.http.post(hq.url("/v1/numbers/lease"), headers=device.headers(), timeout=30,
                         json={"kind": "penalty_decision", "year": 2026, "size": 10**6})
    assert lease.status_code == 422 and lease.json()["field"] == "size"
    unknown = hq.http.get(hq.url("/v1/nothing"), timeout=30)
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


def test_an_old_device_is_told_in_chinese_to_update(hq: Hq) -> None:
    device = hq.enroll()
    answer = hq.http.get(hq.url("/v1/pull"), timeout=30,
                         headers={**device.headers(), "X-Fieldapp-Protocol": "0",
                                  "Accept-Language": "en"})
    assert answer.status_code == 426 and answer.json()["code"] == "protocol_too_old"
    assert "请先更新 fieldapp" in answer.json()["message"]
    english = hq.http.get(hq.url("/v1/pull"), headers={"Accept-Language": "en"}, timeout=30)
    assert english.json()["message"].startswith("this request needs")
