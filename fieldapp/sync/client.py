"""The HTTP client of HQ's sync API: one method per endpoint (docs/protocol.md).

Built on ``requests``: every call has a timeout; only network errors and 5xx answers
are retried, with exponential backoff (a 4xx is final: HQ said no, and saying it again
changes nothing); push bodies are gzip JSON and pulled pages arrive gzipped; proxies
come from the environment (``HTTPS_PROXY`` …) or the settings; certificates are
verified, against a custom CA bundle when one is configured.

Answers are returned as the protocol's messages, except a pulled page, which comes back
as parsed JSON (``dict``): validating 100,000 envelopes through pydantic would cost more
than applying them, so the store checks each one's content hash itself while applying.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson
import requests
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from fieldapp.sync.protocol import (
    API_PREFIX,
    LANGUAGE_HEADER,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    SESSION_HEADER,
    BlobQuery,
    BlobStatus,
    BlobStatusResponse,
    ChecksumResponse,
    ClockInfo,
    ConflictList,
    ConflictRecord,
    EnrollRequest,
    EnrollResponse,
    ErrorCode,
    LateStep,
    LateStepList,
    LeaseRequest,
    LoginRequest,
    LoginResponse,
    MergeDecision,
    MergeProposal,
    MergeProposalList,
    NumberBlockResponse,
    Problem,
    PushResponse,
    ResolveRequest,
    ReturnRequest,
    SquadStatus,
    VersionInfo,
)

M = TypeVar("M", bound=BaseModel)
_RETRIED = (requests.ConnectionError, requests.Timeout,
            requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)


class HqUnreachable(Exception):
    """No usable answer after the retries: the network, or HQ failing (5xx). The sync
    simply tries again later; the officer keeps working."""

    def __init__(self, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail, self.status = detail, status


class HqRefused(Exception):
    """HQ refused the request (4xx) with a ``Problem``: final for that request."""

    def __init__(self, status: int, problem: Problem) -> None:
        super().__init__(f"{status} {problem.code.value}: {problem.message}")
        self.status, self.problem = status, problem

    @property
    def code(self) -> ErrorCode:
        return self.problem.code


@dataclass(frozen=True)
class ClientSettings:
    """How to reach HQ. ``ca_bundle``: a PEM file of the CA that signed HQ's certificate
    (an agency's own CA); ``proxy``: an explicit proxy URL (else the environment's)."""

    base_url: str
    token: str = ""
    ca_bundle: str = ""
    proxy: str = ""
    timeout_s: float = 30.0
    retries: int = 4
    backoff_s: float = 0.5
    language: str = "zh-CN"


@dataclass
class HqClient:
    settings: ClientSettings
    session_token: str = ""
    sleep: Callable[[float], None] = time.sleep
    http: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.http.verify = self.settings.ca_bundle or True
        if self.settings.proxy:
            self.http.proxies = {"http": self.settings.proxy, "https": self.settings.proxy}
        self.http.headers.update({PROTOCOL_HEADER: str(PROTOCOL_VERSION),
                                  LANGUAGE_HEADER: self.settings.language,
                                  "Accept-Encoding": "gzip"})
        if self.settings.token:
            self.http.headers["Authorization"] = f"Bearer {self.settings.token}"

    def close(self) -> None:
        self.http.close()

    # --- the endpoints ------------------------------------------------------------

    def version(self) -> VersionInfo:
        """``GET /v1/version``: what HQ speaks (also: does HQ answer at all)."""
        return self._model(VersionInfo, "GET", "/version", timeout=5.0, retries=0)

    def clock(self, device_time: str) -> ClockInfo:
        """``GET /v1/clock``: HQ's time and this device's skew."""
        return self._model(ClockInfo, "GET", "/clock", params={"device_time": device_time})

    def enroll(self, request: EnrollRequest) -> EnrollResponse:
        """``POST /v1/enroll``: a one-time code for the device token."""
        return self._model(EnrollResponse, "POST", "/enroll", body=request.model_dump())

    def login(self, request: LoginRequest) -> LoginResponse:
        """``POST /v1/login``: an officer online; answers a session and the verifier."""
        return self._model(LoginResponse, "POST", "/login", body=request.model_dump())

    def push(self, body: bytes) -> PushResponse:
        """``POST /v1/push`` with a ``PushRequest`` already encoded as JSON (the outbox
        holds envelopes as JSON text: they are joined, not re-encoded)."""
        return self._model(PushResponse, "POST", "/push", raw=body)

    def pull(self, cursor: int, limit: int) -> dict[str, Any]:
        """``GET /v1/pull``: one page as parsed JSON (see the module docstring)."""
        answer = self._send("GET", "/pull", params={"cursor": cursor, "limit": limit})
        try:
            page: dict[str, Any] = orjson.loads(answer.content)
        except orjson.JSONDecodeError as bad:
            raise HqUnreachable(f"a pulled page is not JSON: {bad}") from bad
        return page

    def checksums(self) -> ChecksumResponse:
        """``GET /v1/checksums``: per record kind, a count and a digest."""
        return self._model(ChecksumResponse, "GET", "/checksums")

    def lease(self, request: LeaseRequest) -> NumberBlockResponse:
        """``POST /v1/numbers/lease``: a block of document-number serials."""
        return self._model(NumberBlockResponse, "POST", "/numbers/lease",
                           body=request.model_dump())

    def return_numbers(self, request: ReturnRequest) -> NumberBlockResponse:
        """``POST /v1/numbers/return``: serials never used go back to HQ."""
        return self._model(NumberBlockResponse, "POST", "/numbers/return",
                           body=request.model_dump())

    def blob_status(self, sha256s: list[str]) -> BlobStatusResponse:
        """``POST /v1/blobs/status``: which evidence files HQ has."""
        return self._model(BlobStatusResponse, "POST", "/blobs/status",
                           body=BlobQuery(sha256s=tuple(sha256s)).model_dump())

    def upload_blob(self, sha256: str, offset: int, size: int, chunk: bytes) -> BlobStatus:
        """``PUT /v1/blobs/{sha256}``: append ``chunk`` at ``offset``."""
        return self._model(BlobStatus, "PUT", f"/blobs/{sha256}", raw=chunk, gzip_body=False,
                           params={"offset": offset, "size": size},
                           content_type="application/octet-stream")

    def download_blob(self, sha256: str) -> bytes:
        """``GET /v1/blobs/{sha256}``: an evidence file another device recorded."""
        return self._send("GET", f"/blobs/{sha256}", timeout=max(120.0,
                          self.settings.timeout_s)).content

    def conflicts(self) -> ConflictList:
        """``GET /v1/conflicts`` (a leader's session): HQ's conflict log."""
        return self._model(ConflictList, "GET", "/conflicts", leader=True)

    def resolve_conflict(self, conflict_id: str, note: str) -> ConflictRecord:
        """``POST /v1/conflicts/{id}/resolve``: a leader marks a conflict resolved."""
        return self._model(ConflictRecord, "POST", f"/conflicts/{conflict_id}/resolve",
                           body=ResolveRequest(note=note).model_dump(), leader=True)

    def merges(self) -> MergeProposalList:
        """``GET /v1/merges``: subjects HQ thinks are the same."""
        return self._model(MergeProposalList, "GET", "/merges", leader=True)

    def decide_merge(self, proposal_id: str, decision: MergeDecision) -> MergeProposal:
        """``POST /v1/merges/{id}/decide``: merge two subjects, or dismiss."""
        return self._model(MergeProposal, "POST", f"/merges/{proposal_id}/decide",
                           body=decision.model_dump(), leader=True)

    def late_steps(self) -> LateStepList:
        """``GET /v1/late-steps``: ladder steps taken without the full history."""
        return self._model(LateStepList, "GET", "/late-steps", leader=True)

    def see_late_step(self, step_id: str) -> LateStep:
        """``POST /v1/late-steps/{id}/seen``: a leader has seen a late step."""
        return self._model(LateStep, "POST", f"/late-steps/{step_id}/seen", leader=True)

    def status(self) -> SquadStatus:
        """``GET /v1/status``: the squad's devices, rejections, conflicts."""
        return self._model(SquadStatus, "GET", "/status", leader=True)

    # --- the transport ------------------------------------------------------------

    def _model(self, model: type[M], method: str, path: str, *,
               body: dict[str, Any] | None = None, raw: bytes | None = None,
               **options: Any) -> M:
        if body is not None:
            raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        answer = self._send(method, path, raw=raw, **options)
        try:
            return model.model_validate_json(answer.content)
        except PydanticError as bad:
            raise HqUnreachable(f"HQ's answer to {path} is not a {model.__name__}") from bad

    def _send(self, method: str, path: str, *, raw: bytes | None = None,
              params: dict[str, Any] | None = None, leader: bool = False,
              gzip_body: bool = True, content_type: str = "application/json",
              timeout: float | None = None, retries: int | None = None) -> requests.Response:
        headers: dict[str, str] = {}
        if raw is not None:
            headers["Content-Type"] = content_type
            if gzip_body and len(raw) > 1024:
                raw = gzip.compress(raw, compresslevel=1)
                headers["Content-Encoding"] = "gzip"
        if leader:
            headers[SESSION_HEADER] = self.session_token
        attempts = 1 + (self.settings.retries if retries is None else retries)
        last = ""
        for attempt in range(attempts):
            if attempt:
                self.sleep(self.settings.backoff_s * 2 ** (attempt - 1))
            try:
                answer = self.http.request(
                    method, self.settings.base_url.rstrip("/") + API_PREFIX + path,
                    data=raw, params=params, headers=headers,
                    timeout=timeout or self.settings.timeout_s)
                if answer.status_code < 400:
                    _ = answer.content  # read it whole here, so a cut body is retried
                    return answer
            except _RETRIED as error:
                last = f"{type(error).__name__}: {error}"
                continue
            if answer.status_code >= 500:
                last = f"HTTP {answer.status_code}"
                continue
            raise HqRefused(answer.status_code, _problem(answer))
        raise HqUnreachable(last)


def _problem(answer: requests.Response) -> Problem:
    try:
        return Problem.model_validate_json(answer.content)
    except PydanticError:
        code = {401: ErrorCode.BAD_TOKEN, 403: ErrorCode.FORBIDDEN, 404: ErrorCode.NOT_FOUND,
                413: ErrorCode.TOO_LARGE, 426: ErrorCode.PROTOCOL_TOO_OLD}.get(
                    answer.status_code, ErrorCode.INVALID_REQUEST)
        return Problem(code=code, message=answer.text[:500])
