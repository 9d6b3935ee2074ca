"""Document verification (public: anyone holding a document may check it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fieldapp.hq.api.deps import COMMON, HqDep, Lang, errors
from fieldapp.hq.services import verify
from fieldapp.sync.protocol import VerifyResponse

router = APIRouter(prefix="/v1", tags=["verification"])


@router.get("/verify", responses=errors(*COMMON))
def verify_document(hq: HqDep, lang: Lang,
                    code: Annotated[str, Query(min_length=1, max_length=400)]) -> VerifyResponse:
    """Whether the document whose QR code is ``code`` is genuine."""
    return verify.verify(hq, code=code, lang=lang)
