"""The verification code printed as a QR code on every issued document.

Payload format, version FA1 (eight fields joined by ``.``; every character is in the QR
code's alphanumeric set ``0-9 A-Z $%*+-./:`` plus nothing else, so the code stays small)::

    FA1.<ID>.<KEY>.<KIND>.<YEAR>-<SERIAL>.<YYYYMMDD>.<HASH>.<SIG>

    ID      the document's UUIDv7, 16 bytes in base32 (RFC 4648, no padding): 26 chars
    KEY     the issuing device's key id: base32 of the first 5 bytes of SHA-256 of its
            raw 32-byte Ed25519 public key: 8 chars
    KIND    the document kind's short code (resources/catalogue/document_numbers.json),
            e.g. PEN for 行政处罚决定书
    YEAR-SERIAL  the 文号's year and serial; the full 文号 is in the signed snapshot
    YYYYMMDD     the date of issue (local date)
    HASH    base32 of the first 16 bytes of the SHA-256 of the canonical snapshot JSON
            (sort_keys, no spaces, ensure_ascii=False, UTF-8): 26 chars
    SIG     base32 of the 64-byte Ed25519 signature of the UTF-8 bytes of everything
            before ``.<SIG>``: 103 chars

About 190 characters. The URL form, for phones, prefixes it with the verification
page's address (``HTTPS://VERIFY.EXAMPLE/D/<payload>``, upper case so the whole URL
still fits the alphanumeric mode); HQ answers it once sync exists.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from fieldapp.domain.errors import ValidationError

VERSION = "FA1"
DEFAULT_URL_BASE = "HTTPS://VERIFY.EXAMPLE/D/"
CODE_FIELD = "verification code"
_KIND = re.compile(r"[A-Z]{2,4}")
_NUMBER = re.compile(r"([0-9]{4})-([1-9][0-9]*)")
_DATE = re.compile(r"[0-9]{8}")
_B32 = re.compile(r"[A-Z2-7]+")


def canonical_json(snapshot: Mapping[str, str]) -> str:
    return json.dumps(dict(snapshot), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


def content_sha256(snapshot: Mapping[str, str]) -> str:
    """Hex SHA-256 of the canonical snapshot: what ``Document.content_sha256`` holds."""
    return hashlib.sha256(canonical_json(snapshot).encode("utf-8")).hexdigest()


def b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def unb32(text: str) -> bytes:
    """Decode unpadded base32; ValueError when ``text`` is not base32."""
    if not _B32.fullmatch(text):
        raise ValueError("not base32")
    return base64.b32decode(text + "=" * (-len(text) % 8))


def key_id(public_key: bytes) -> str:
    """The short id of a device's raw Ed25519 public key."""
    return b32(hashlib.sha256(public_key).digest()[:5])


def hash_prefix(content_sha256_hex: str) -> str:
    return b32(bytes.fromhex(content_sha256_hex)[:16])


@dataclass(frozen=True)
class Payload:
    document_id: str  # the UUID text; "" when the ID field does not decode
    id_field: str  # the ID field as printed (what the signature covers)
    key_id: str
    kind_code: str
    year: int
    serial: int
    issued_on: dt.date
    content_hash: str
    signature: str = ""

    @staticmethod
    def new(*, document_id: str, key_id: str, kind_code: str, year: int, serial: int,
            issued_on: dt.date, content_sha256_hex: str) -> Payload:
        return Payload(document_id, b32(uuid.UUID(document_id).bytes), key_id, kind_code,
                       year, serial, issued_on, hash_prefix(content_sha256_hex))

    def signed_text(self) -> str:
        """The part the device signs: everything before the signature."""
        return ".".join((VERSION, self.id_field, self.key_id, self.kind_code,
                         f"{self.year}-{self.serial}", f"{self.issued_on:%Y%m%d}",
                         self.content_hash))

    def with_signature(self, signature: bytes) -> Payload:
        return Payload(self.document_id, self.id_field, self.key_id, self.kind_code,
                       self.year, self.serial, self.issued_on, self.content_hash,
                       b32(signature))

    def text(self) -> str:
        return f"{self.signed_text()}.{self.signature}"

    def url(self, base: str = DEFAULT_URL_BASE) -> str:
        return base + self.text()


def _not_ours(text: str) -> ValidationError:
    return ValidationError(CODE_FIELD, "'{text}' is not a fieldapp document code",
                           text=text[:60])


def strip_url(text: str) -> str:
    """The payload of a payload or of its URL form."""
    text = text.strip()
    return text.rsplit("/", 1)[-1] if "/" in text else text


def parse_payload(text: str) -> Payload:
    """Read a payload (or its URL form); ValidationError when it is not one of ours.

    The ID field is kept as printed even when it does not decode, so that a damaged
    code is reported as altered (its signature fails), not as foreign.
    """
    raw = strip_url(text)
    parts = raw.split(".")
    if len(parts) != 8 or parts[0] != VERSION:
        raise _not_ours(raw)
    _version, id_field, key, kind, number, day, digest, signature = parts
    match = _NUMBER.fullmatch(number)
    if not (match and _KIND.fullmatch(kind) and _DATE.fullmatch(day)):
        raise _not_ours(raw)
    try:
        issued_on = dt.datetime.strptime(day, "%Y%m%d").date()
    except ValueError:
        raise _not_ours(raw) from None
    return Payload(document_id_of(id_field), id_field, key, kind, int(match.group(1)),
                   int(match.group(2)), issued_on, digest, signature)


def document_id_of(id_field: str) -> str:
    """The UUID text of an ID field, or "" when it does not decode to 16 bytes."""
    try:
        data = unb32(id_field)
    except ValueError:
        return ""
    return str(uuid.UUID(bytes=data)) if len(data) == 16 else ""


def signature_bytes(payload: Payload) -> bytes | None:
    try:
        data = unb32(payload.signature)
    except ValueError:
        return None
    return data if len(data) == 64 else None
