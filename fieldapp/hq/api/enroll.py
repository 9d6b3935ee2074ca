"""Enrollment and officer login."""

from __future__ import annotations

from fastapi import APIRouter

from fieldapp.hq.api.deps import COMMON, DEVICE, DeviceDep, HqDep, errors
from fieldapp.hq.services import auth, enrollment
from fieldapp.sync.protocol import (
    EnrollRequest,
    EnrollResponse,
    ErrorCode,
    LoginRequest,
    LoginResponse,
)

router = APIRouter(prefix="/v1", tags=["enrollment"])


@router.post("/enroll", responses=errors(*COMMON, ErrorCode.CODE_INVALID))
def enroll(hq: HqDep, body: EnrollRequest) -> EnrollResponse:
    """Exchange a one-time enrollment code for this device's token."""
    return enrollment.enroll(hq, body)


@router.post("/login", responses=errors(*DEVICE, ErrorCode.LOGIN_FAILED))
def login(hq: HqDep, device: DeviceDep, body: LoginRequest) -> LoginResponse:
    """Log an officer in online: a session and the verifier for offline logins."""
    return auth.login(hq, device=device, certificate_no=body.certificate_no,
                      password=body.password)
