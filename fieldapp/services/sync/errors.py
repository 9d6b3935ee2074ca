"""HQ's refusals in the officer's words."""

from __future__ import annotations

from fieldapp.i18n import _
from fieldapp.sync.client import HqRefused
from fieldapp.sync.protocol import ErrorCode

# What the officer does about each refusal (HQ's own message says what happened).
ADVICE: dict[ErrorCode, str] = {
    ErrorCode.PROTOCOL_TOO_OLD: "update fieldapp on this device",
    ErrorCode.NO_TOKEN: "enroll this device with HQ again",
    ErrorCode.BAD_TOKEN: "enroll this device with HQ again",
    ErrorCode.SESSION_EXPIRED: "log in online again",
    ErrorCode.DEVICE_REVOKED: "this device may no longer sync",
    ErrorCode.CODE_INVALID: "ask HQ for a new enrollment code",
    ErrorCode.LOGIN_FAILED: "check the certificate number and the password",
}


def refused_text(refused: HqRefused) -> str:
    """HQ's message (already in the officer's language), with what to do."""
    advice = ADVICE.get(refused.code)
    message = refused.problem.message or refused.code.value
    return f"{message} ({_(advice)})" if advice else message
