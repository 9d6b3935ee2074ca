"""The FastAPI application: routes, the protocol-version and body-size gate (with gzip
request bodies), and every refusal as a ``Problem`` in the request's language."""

from __future__ import annotations

import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from fieldapp import __version__
from fieldapp.domain.errors import DomainError
from fieldapp.hq.api import blobs, enroll, leaders, meta, numbers, pages, sync, verify
from fieldapp.hq.api.deps import protocol_header
from fieldapp.hq.context import Hq
from fieldapp.hq.errors import STATUS, HqError
from fieldapp.hq.services.push import GroupCommit
from fieldapp.hq.text import describe, language_of, tr
from fieldapp.sync.protocol import (
    MAX_BODY_BYTES,
    MIN_PROTOCOL_VERSION,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    ErrorCode,
    Problem,
    PushRequest,
    describe_entity_kinds,
)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

DESCRIPTION = """The HQ service fieldapp devices sync with (protocol version {version}).
Every refusal is a `Problem` (`code`, `message` in the request's language). The entity
kinds and their fields: see `x-fieldapp-entities`. docs/protocol.md explains the flows."""


def create_app(hq: Hq) -> FastAPI:
    app = FastAPI(title="fieldapp HQ", version=__version__,
                  description=DESCRIPTION.format(version=PROTOCOL_VERSION),
                  dependencies=[Depends(protocol_header)])
    app.state.hq = hq
    app.state.pushes = GroupCommit(hq)
    for module in (meta, enroll, sync, numbers, blobs, leaders, verify, pages):
        app.include_router(module.router)
    _handlers(app)
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        schema.setdefault("components", {}).setdefault("schemas", {}).update(_push_schemas())
        schema.setdefault("info", {})["x-fieldapp-entities"] = describe_entity_kinds()
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(Gate)
    return app


def _push_schemas() -> dict[str, Any]:
    """The push request's schema (the route reads its body itself, for speed)."""
    from pydantic.json_schema import models_json_schema

    _, top = models_json_schema([(PushRequest, "validation")],
                                ref_template="#/components/schemas/{model}")
    return dict(top.get("$defs", {}))


def problem(request: Request | None, code: ErrorCode, message: str, *, field: str = "",
            offset: int | None = None, **params: Any) -> JSONResponse:
    lang = language_of(request.headers.get("accept-language") if request else None)
    body = Problem(code=code, message=tr(lang, message, **params)[:2000], field=field,
                   offset=offset)
    return JSONResponse(body.model_dump(mode="json"), status_code=STATUS[code])


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(HqError)
    async def _hq(request: Request, error: HqError) -> JSONResponse:
        return problem(request, error.code, error.message, field=error.field,
                       offset=error.offset, **error.params)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        field = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query"))
        return problem(request, ErrorCode.INVALID_REQUEST, "{name}: {problem}",
                       field=field[:200], name=field[:200] or "body",
                       problem=str(first.get("msg", ""))[:300])

    @app.exception_handler(DomainError)
    async def _domain(request: Request, error: DomainError) -> JSONResponse:
        lang = language_of(request.headers.get("accept-language"))
        body = Problem(code=ErrorCode.INVALID_REQUEST, message=describe(lang, error)[:2000],
                       field=getattr(error, "field", ""))
        return JSONResponse(body.model_dump(mode="json"), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 405:
            body = Problem(code=ErrorCode.INVALID_REQUEST, message=tr(language_of(
                request.headers.get("accept-language")), "this method is not allowed here"))
            return JSONResponse(body.model_dump(mode="json"), status_code=405)
        return problem(request, ErrorCode.NOT_FOUND, "no such page or record")


class Gate:
    """Pure ASGI middleware in front of every route: refuses a too-old protocol (426, in
    plain Chinese), bounds the body, and unpacks a gzip body (bounded after unpacking)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        refusal = _protocol_refusal(headers)
        if refusal is None and int(headers.get("content-length") or 0) > MAX_BODY_BYTES:
            refusal = _refuse(headers, ErrorCode.TOO_LARGE, "the request is larger than "
                              "{limit} bytes", limit=MAX_BODY_BYTES)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if headers.get("content-encoding", "").lower() != "gzip":
            await self.app(scope, _bounded(receive), send)
            return
        body, error = await _gunzip(receive)
        if error is not None:
            await _refuse(headers, *error)(scope, receive, send)
            return
        scope = dict(scope)
        scope["headers"] = [(k, v) for k, v in scope["headers"]
                            if k.lower() not in (b"content-encoding", b"content-length")]
        scope["headers"].append((b"content-length", str(len(body)).encode()))
        await self.app(scope, _replay(body), send)


def _refuse(headers: dict[str, str], code: ErrorCode, message: str,
            **params: Any) -> JSONResponse:
    lang = language_of(headers.get("accept-language"))
    body = Problem(code=code, message=tr(lang, message, **params))
    return JSONResponse(body.model_dump(mode="json"), status_code=STATUS[code])


def _protocol_refusal(headers: dict[str, str]) -> JSONResponse | None:
    raw = headers.get(PROTOCOL_HEADER.lower())
    if raw is None:
        return None
    try:
        version = int(raw)
    except ValueError:
        return _refuse(headers, ErrorCode.INVALID_REQUEST, "the protocol version must "
                       "be a number")
    if version < MIN_PROTOCOL_VERSION:
        # Plain Chinese whatever the device asked for: an old device may not ask at all.
        body = Problem(code=ErrorCode.PROTOCOL_TOO_OLD, message=tr(
            "zh_CN", "this device's fieldapp is too old for HQ (protocol {client}, HQ needs "
            "{minimum} or newer): update fieldapp, then sync again", client=version,
            minimum=MIN_PROTOCOL_VERSION))
        return JSONResponse(body.model_dump(mode="json"), status_code=426)
    return None


def _bounded(receive: Receive) -> Receive:
    seen = 0

    async def wrapped() -> MutableMapping[str, Any]:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > MAX_BODY_BYTES:
            raise HqError(ErrorCode.TOO_LARGE, "the request is larger than {limit} bytes",
                          limit=MAX_BODY_BYTES)
        return message

    return wrapped


async def _gunzip(receive: Receive) -> tuple[bytes, tuple[ErrorCode, str] | None]:
    packed = bytearray()
    while True:
        message = await receive()
        packed += message.get("body", b"")
        if len(packed) > MAX_BODY_BYTES:
            return b"", (ErrorCode.TOO_LARGE, "the request is larger than the limit")
        if not message.get("more_body"):
            break
    inflater = zlib.decompressobj(wbits=31)
    try:
        body = inflater.decompress(bytes(packed), MAX_BODY_BYTES + 1)
    except zlib.error:
        return b"", (ErrorCode.BAD_GZIP, "the gzip body does not decompress")
    if len(body) > MAX_BODY_BYTES or inflater.unconsumed_tail:
        return b"", (ErrorCode.TOO_LARGE, "the request is larger than the limit")
    if not inflater.eof:
        return b"", (ErrorCode.BAD_GZIP, "the gzip body does not decompress")
    return body, None


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> MutableMapping[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
