"""Validation of what officers type in, with messages that name the field."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from fieldapp.domain.entities import (
    FindingData,
    OfficerRef,
    OfficerRole,
    SubjectData,
    SubjectKind,
)
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.identity import (
    birth_date_of,
    gender_of,
    validate_credit_code,
    validate_resident_id,
)

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")
_MAX_TEXT = 2000
_MAX_NAME = 100


def validate_phone(phone: str) -> str:
    cleaned = re.sub(r"[\s()（）]", "", phone)
    if not cleaned:
        return ""
    if _MOBILE.fullmatch(cleaned) or _LANDLINE.fullmatch(cleaned):
        return cleaned
    raise ValidationError(
        "phone", "'{value}' is not a mobile (11 digits) or landline number", value=phone
    )


def _check_length(label: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise ValidationError(
            label, "is too long ({length} characters, at most {limit})",
            length=len(value), limit=limit,
        )


def validate_subject(data: SubjectData) -> SubjectData:
    """Return the normalised profile, or raise on the first bad field."""
    data = replace(
        data,
        name=data.name.strip(),
        shop_sign=data.shop_sign.strip(),
        address=data.address.strip(),
        phone=validate_phone(data.phone),
    )
    for label, value, limit in (
        ("name", data.name, _MAX_NAME),
        ("shop sign", data.shop_sign, _MAX_NAME),
        ("address", data.address, _MAX_TEXT),
        ("appearance", data.appearance, _MAX_TEXT),
        ("notes", data.notes, _MAX_TEXT),
    ):
        _check_length(label, value, limit)
    data = _validate_identity(data)
    _require_by_kind(data)
    return data


def _validate_identity(data: SubjectData) -> SubjectData:
    if data.id_number:
        number = validate_resident_id(data.id_number)
        data = replace(
            data,
            id_number=number,
            birth_date=data.birth_date or birth_date_of(number),
            gender=data.gender or gender_of(number),
        )
    if data.credit_code:
        data = replace(data, credit_code=validate_credit_code(data.credit_code))
    return data


def _require_by_kind(data: SubjectData) -> None:
    kind = data.kind
    if kind is SubjectKind.UNIDENTIFIED_VENDOR:
        if not (data.appearance.strip() or data.goods.strip()):
            raise ValidationError(
                "appearance", "describe the vendor's appearance or goods"
            )
        return
    if kind is SubjectKind.INDIVIDUAL_BUSINESS:
        if not (data.name or data.shop_sign):
            raise ValidationError("shop sign", "give the shop sign or the operator's name")
        return
    if not data.name:
        raise ValidationError("name", "is required")
    if kind is SubjectKind.BUSINESS and data.id_number:
        raise ValidationError(
            "ID number", "a business is identified by its unified social credit code"
        )


def check_two_officers(officers: list[OfficerRef], on: dt.date) -> None:
    """行政处罚法 art. 42: at least two distinct officers with valid certificates."""
    distinct = {o.id: o for o in officers}
    if len(distinct) < 2:
        raise ValidationError("officers", "at least two different officers are required")
    for officer in distinct.values():
        if officer.role is OfficerRole.AUXILIARY:
            raise ValidationError(
                "officers", "{name} is an auxiliary and cannot act as an officer",
                name=officer.name,
            )
        if not officer.active:
            raise ValidationError("officers", "{name} is not active", name=officer.name)
        if not officer.certificate_valid_from <= on <= officer.certificate_valid_to:
            raise ValidationError(
                "officers",
                "the certificate {certificate} of {name} is not valid on {date}",
                certificate=officer.certificate_no, name=officer.name, date=on.isoformat(),
            )


def validate_finding(finding: FindingData, known_codes: set[str]) -> FindingData:
    if finding.violation_code not in known_codes:
        raise ValidationError(
            "violation code", "'{code}' is not in the catalogue", code=finding.violation_code
        )
    facts = finding.facts.strip()
    if not facts:
        raise ValidationError("facts", "describe what was found")
    _check_length("facts", facts, _MAX_TEXT)
    return replace(finding, facts=facts)
