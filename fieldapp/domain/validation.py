"""Validation of what officers type in, with messages that name the field.

The limits on text fields are defined here once, by the field's label (the English
label errors name it by), for every edge: the CLI, the GUI forms and later HQ requests.
Times are checked against a clock the caller reads (the domain reads none).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import replace

from fieldapp.domain.entities import (
    FindingData,
    InspectionData,
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
from fieldapp.domain.localtime import local_date, to_local

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")

NAME_LENGTH = 100  # a person's or a shop's name, a receiver, a witness
PLACE_LENGTH = 300  # an address, a usual place, what a vendor sells
TEXT_LENGTH = 2000  # facts, notes, reasons, descriptions
CODE_LENGTH = 64  # codes and numbers typed by hand (work orders, certificates)

#: The longest text each field takes, by its label.
TEXT_LIMITS: Mapping[str, int] = {
    "name": NAME_LENGTH, "shop sign": NAME_LENGTH, "legal representative": NAME_LENGTH,
    "receiver": NAME_LENGTH, "witness": NAME_LENGTH, "search text": NAME_LENGTH,
    "address": PLACE_LENGTH, "usual place": PLACE_LENGTH, "goods": PLACE_LENGTH,
    "place": PLACE_LENGTH,
    "appearance": TEXT_LENGTH, "notes": TEXT_LENGTH, "facts": TEXT_LENGTH,
    "override reason": TEXT_LENGTH, "reason": TEXT_LENGTH, "refusal note": TEXT_LENGTH,
    "case summary": TEXT_LENGTH, "description": TEXT_LENGTH, "document field": TEXT_LENGTH,
    "source": CODE_LENGTH, "hotline work-order number": CODE_LENGTH,
    "certificate number": CODE_LENGTH, "violation code": CODE_LENGTH,
    "city": NAME_LENGTH, "issuer": NAME_LENGTH, "document number": NAME_LENGTH,
    "title": PLACE_LENGTH, "effective from": CODE_LENGTH,
}
#: The free-text fields of a subject's profile and the labels that name them.
SUBJECT_TEXT_FIELDS: Mapping[str, str] = {
    "name": "name", "shop_sign": "shop sign", "legal_representative": "legal representative",
    "address": "address", "appearance": "appearance", "goods": "goods",
    "usual_place": "usual place", "notes": "notes",
}
#: How far ahead of this device's clock a time typed in may lie (clocks disagree a little).
CLOCK_TOLERANCE = dt.timedelta(minutes=5)


def check_text(label: str, value: str) -> str:
    """``value`` stripped, or a ValidationError when longer than the label's limit."""
    text = value.strip()
    _check_length(label, text, TEXT_LIMITS[label])
    return text


def check_moment(label: str, moment: dt.datetime, *, now: dt.datetime,
                 since: dt.date | None = None) -> dt.datetime:
    """A time something happened (an inspection, a service, a revisit): not later than
    ``now`` (give or take ``CLOCK_TOLERANCE``) and not before the squad's first day."""
    if moment.tzinfo is None:
        raise ValidationError(label, "must carry a UTC offset")
    shown = to_local(moment).strftime("%Y-%m-%d %H:%M")
    if moment > now + CLOCK_TOLERANCE:
        raise ValidationError(label, "{value} lies in the future", value=shown)
    if since is not None and local_date(moment) < since:
        raise ValidationError(label, "{value} is before the squad existed (from {since})",
                              value=shown, since=since.isoformat())
    return moment


def check_day(label: str, day: dt.date, *, today: dt.date,
              since: dt.date | None = None) -> dt.date:
    """The day an approval or another step was taken: not after today, not before the
    squad's first day."""
    if day > today:
        raise ValidationError(label, "{value} lies in the future", value=day.isoformat())
    if since is not None and day < since:
        raise ValidationError(label, "{value} is before the squad existed (from {since})",
                              value=day.isoformat(), since=since.isoformat())
    return day


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


def validate_subject(data: SubjectData, *, today: dt.date | None = None) -> SubjectData:
    """Return the normalised profile, or raise on the first bad field. With ``today``, an
    identity number whose birth date lies after it is refused."""
    data = replace(
        data,
        name=data.name.strip(),
        shop_sign=data.shop_sign.strip(),
        address=data.address.strip(),
        phone=validate_phone(data.phone),
    )
    for name, label in SUBJECT_TEXT_FIELDS.items():
        _check_length(label, getattr(data, name), TEXT_LIMITS[label])
    data = _validate_identity(data, today)
    _require_by_kind(data)
    return data


def _validate_identity(data: SubjectData, today: dt.date | None) -> SubjectData:
    if data.id_number:
        number = validate_resident_id(data.id_number, today=today)
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
    _check_length("facts", facts, TEXT_LIMITS["facts"])
    _check_length("override reason", finding.override_reason,
                  TEXT_LIMITS["override reason"])
    return replace(finding, facts=facts)


def check_inspection(data: InspectionData, *, now: dt.datetime,
                     since: dt.date | None = None) -> InspectionData:
    """What an edge checks of an inspection before anything is looked up: its time and
    the length of every text typed in (the service checks the rest)."""
    check_moment("time", data.at, now=now, since=since)
    check_text("address", data.address)
    check_text("notes", data.notes)
    for finding in data.findings:
        check_text("facts", finding.facts)
        check_text("override reason", finding.override_reason)
    for evidence in data.evidence:
        check_moment("time", evidence.captured_at, now=now, since=since)
        check_text("place", evidence.place)
        check_text("description", evidence.description)
    return data
