"""Identity numbers: PRC resident identity numbers and unified social credit codes.

Resident identity numbers follow GB 11643-1999 (check digit: ISO 7064 MOD 11-2);
unified social credit codes follow GB 32100-2015. The validators normalise the input,
report the FIRST problem found (with a 1-based character position where it helps) as a
``ValidationError`` and return the normalised value.

The domain reads no clock: a caller that knows today's date passes it (``today=``) and a
birth date after it is refused.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from fieldapp.domain.errors import ValidationError

# --- resident identity number (GB 11643-1999) ---------------------------------------

RESIDENT_ID_FIELD = "ID number"
RESIDENT_ID_LENGTH = 18
DIGITS = "0123456789"

#: Province-level region codes (first two digits).
PROVINCE_CODES: frozenset[str] = frozenset(
    [str(n) for n in range(11, 16)]
    + [str(n) for n in range(21, 24)]
    + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)]
    + [str(n) for n in range(50, 55)]
    + [str(n) for n in range(61, 66)]
    + ["71", "81", "82", "83", "91"]
)

RESIDENT_ID_WEIGHTS: tuple[int, ...] = (
    7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2,
)  # fmt: skip
#: Check character indexed by (weighted sum mod 11).
RESIDENT_ID_CHECK_CHARS = "10X98765432"
MIN_BIRTH_YEAR = 1900


def _without_spaces(value: str) -> str:
    return "".join(value.split())


def _normalise_resident_id(value: str) -> str:
    text = _without_spaces(value)
    if text.endswith("x"):
        text = text[:-1] + "X"
    return text


def resident_id_check_digit(first17: str) -> str:
    """The GB 11643 check character ('0'-'9' or 'X') for the first 17 digits."""
    if len(first17) != len(RESIDENT_ID_WEIGHTS) or not all(
        c in DIGITS for c in first17
    ):
        raise ValueError(f"expected 17 ASCII digits, got {first17!r}")
    total = sum(int(c) * w for c, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK_CHARS[total % 11]


def _check_resident_id_length(text: str) -> None:
    if len(text) != RESIDENT_ID_LENGTH:
        raise ValidationError(
            RESIDENT_ID_FIELD, "must be 18 characters, got {length}", length=len(text)
        )


def _check_resident_id_characters(text: str) -> None:
    for position, char in enumerate(text[:-1], start=1):
        if char not in DIGITS:
            raise ValidationError(
                RESIDENT_ID_FIELD,
                "character {position} must be a digit",
                position=position,
            )
    if text[-1] not in DIGITS + "X":
        raise ValidationError(
            RESIDENT_ID_FIELD, "the last character must be a digit or X"
        )


def _check_resident_id_region(text: str) -> None:
    code = text[:2]
    if code not in PROVINCE_CODES:
        raise ValidationError(
            RESIDENT_ID_FIELD,
            "the region code {code} is not a province-level code",
            code=code,
        )


def _parse_birth_date(digits: str) -> datetime.date | None:
    try:
        return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _check_resident_id_birth_date(text: str, today: datetime.date | None) -> None:
    digits = text[6:14]
    born = _parse_birth_date(digits)
    if born is None:
        raise ValidationError(
            RESIDENT_ID_FIELD, "the birth date {date} is not a real date", date=digits
        )
    if int(digits[:4]) < MIN_BIRTH_YEAR:
        raise ValidationError(
            RESIDENT_ID_FIELD, "the birth year {year} is before 1900", year=digits[:4]
        )
    if today is not None and born > today:
        raise ValidationError(
            RESIDENT_ID_FIELD, "the birth date {date} lies in the future",
            date=born.isoformat(),
        )


def _check_resident_id_check_digit(text: str) -> None:
    expected = resident_id_check_digit(text[:17])
    if text[17] != expected:
        raise ValidationError(
            RESIDENT_ID_FIELD,
            "the check digit should be {expected}, not {actual}",
            expected=expected,
            actual=text[17],
        )


def validate_resident_id(value: str, *, today: datetime.date | None = None) -> str:
    """Validate an 18-character resident identity number; return it normalised.

    Normalisation removes all whitespace and upper-cases a trailing 'x'. With ``today``,
    a birth date after it is refused too.
    """
    text = _normalise_resident_id(value)
    _check_resident_id_length(text)
    _check_resident_id_characters(text)
    _check_resident_id_region(text)
    _check_resident_id_birth_date(text, today)
    _check_resident_id_check_digit(text)
    return text


def birth_date_of(id_number: str) -> datetime.date:
    """The birth date encoded in a resident identity number (validated first)."""
    text = validate_resident_id(id_number)
    return datetime.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))


def gender_of(id_number: str) -> str:
    """'male' or 'female' from the 17th digit (odd means male); validated first."""
    text = validate_resident_id(id_number)
    return "male" if int(text[16]) % 2 == 1 else "female"


def looks_like_resident_id(s: str) -> bool:
    """Cheap shape check for search input: 17 digits then a digit or X (no checksum)."""
    text = _normalise_resident_id(s)
    return (
        len(text) == RESIDENT_ID_LENGTH
        and all(c in DIGITS for c in text[:-1])
        and text[-1] in DIGITS + "X"
    )


# --- unified social credit code (GB 32100-2015) -------------------------------------

CREDIT_CODE_FIELD = "unified social credit code"
CREDIT_CODE_LENGTH = 18
#: The 31 characters of the code; index = value. I, O, Z, S and V are never used.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS: tuple[int, ...] = (
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
)  # fmt: skip

#: Entity-type codes (position 2) allowed for each registration authority (position 1).
#: 1 institutional establishment, 2 foreign affairs, 3 judicial administration,
#: 4 culture, 5 civil affairs, 6 tourism, 7 religion, 8 trade unions,
#: 9 industry and commerce / market regulation, A Central Military Commission
#: establishment office, N agriculture, Y other.
CREDIT_CODE_ENTITY_TYPES: Mapping[str, frozenset[str]] = {
    "1": frozenset("1239"),
    "2": frozenset("19"),
    "3": frozenset("123459"),
    "4": frozenset("19"),
    "5": frozenset("1239"),
    "6": frozenset("129"),
    "7": frozenset("129"),
    "8": frozenset("19"),
    "9": frozenset("123"),
    "A": frozenset("19"),
    "N": frozenset("1239"),
    "Y": frozenset("1"),
}
#: Registration authority codes (position 1).
CREDIT_CODE_AUTHORITIES: frozenset[str] = frozenset(CREDIT_CODE_ENTITY_TYPES)

_DIVISION_START = 2  # 0-based index of the administrative division code
_DIVISION_END = 8


def _normalise_credit_code(value: str) -> str:
    return _without_spaces(value).upper()


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a credit code."""
    if len(first17) != len(CREDIT_CODE_WEIGHTS) or not all(
        c in CREDIT_CODE_ALPHABET for c in first17
    ):
        raise ValueError(f"expected 17 credit code characters, got {first17!r}")
    total = sum(
        CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def _check_credit_code_length(text: str) -> None:
    if len(text) != CREDIT_CODE_LENGTH:
        raise ValidationError(
            CREDIT_CODE_FIELD, "must be 18 characters, got {length}", length=len(text)
        )


def _check_credit_code_characters(text: str) -> None:
    for position, char in enumerate(text, start=1):
        if char not in CREDIT_CODE_ALPHABET:
            raise ValidationError(
                CREDIT_CODE_FIELD,
                "character {position} '{char}' is not allowed (I, O, Z, S and V are never used)",
                position=position,
                char=char,
            )


def _check_credit_code_authority_and_type(text: str) -> None:
    authority, entity_type = text[0], text[1]
    if authority not in CREDIT_CODE_AUTHORITIES:
        raise ValidationError(
            CREDIT_CODE_FIELD,
            "the first character '{char}' is not a registration authority code",
            char=authority,
        )
    if entity_type not in CREDIT_CODE_ENTITY_TYPES[authority]:
        raise ValidationError(
            CREDIT_CODE_FIELD,
            "entity type '{char}' (character 2) is not used by registration authority {authority}",
            char=entity_type,
            authority=authority,
        )


def _check_credit_code_division(text: str) -> None:
    for index in range(_DIVISION_START, _DIVISION_END):
        if text[index] not in DIGITS:
            raise ValidationError(
                CREDIT_CODE_FIELD,
                "character {position} must be a digit (administrative division code)",
                position=index + 1,
            )


def _check_credit_code_check_char(text: str) -> None:
    expected = credit_code_check_char(text[:17])
    if text[17] != expected:
        raise ValidationError(
            CREDIT_CODE_FIELD,
            "the check digit should be {expected}, not {actual}",
            expected=expected,
            actual=text[17],
        )


def validate_credit_code(value: str) -> str:
    """Validate an 18-character unified social credit code; return it normalised.

    Normalisation removes all whitespace and upper-cases the letters.
    """
    text = _normalise_credit_code(value)
    _check_credit_code_length(text)
    _check_credit_code_characters(text)
    _check_credit_code_authority_and_type(text)
    _check_credit_code_division(text)
    _check_credit_code_check_char(text)
    return text


def looks_like_credit_code(s: str) -> bool:
    """Cheap shape check for search input: 18 characters of the code alphabet (no checksum).

    An 18-digit string looks like both a credit code and a resident identity number;
    the caller decides (for instance by trying both validators).
    """
    text = _normalise_credit_code(s)
    return len(text) == CREDIT_CODE_LENGTH and all(
        c in CREDIT_CODE_ALPHABET for c in text
    )
