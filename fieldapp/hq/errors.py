"""Refusals: an ``HqError`` carries the protocol's error code, the HTTP status and an
English message template; the API turns it into a ``Problem`` in the request's language."""

from __future__ import annotations

from typing import Any

from fieldapp.sync.protocol import ErrorCode

STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID_REQUEST: 422, ErrorCode.BAD_GZIP: 400, ErrorCode.TOO_LARGE: 413,
    ErrorCode.PROTOCOL_TOO_OLD: 426, ErrorCode.NO_TOKEN: 401, ErrorCode.BAD_TOKEN: 401,
    ErrorCode.SESSION_EXPIRED: 401, ErrorCode.DEVICE_REVOKED: 403,
    ErrorCode.FORBIDDEN: 403, ErrorCode.OUT_OF_SCOPE: 404, ErrorCode.NOT_FOUND: 404,
    ErrorCode.CODE_INVALID: 403, ErrorCode.LOGIN_FAILED: 401, ErrorCode.ALREADY_DONE: 409,
    ErrorCode.BLOB_OFFSET: 409, ErrorCode.BLOB_HASH: 422, ErrorCode.NUMBERS: 409,
}


class HqError(Exception):
    def __init__(self, code: ErrorCode, message: str, *, field: str = "",
                 offset: int | None = None, **params: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field
        self.offset, self.params = offset, params

    @property
    def status(self) -> int:
        return STATUS[self.code]


def out_of_scope() -> HqError:
    return HqError(ErrorCode.OUT_OF_SCOPE, "not found in this device's squad")
