"""UUIDv7 identifiers (RFC 9562), made on the device that creates a row.

Time-ordered ids keep inserts at the end of every primary-key index, locally and at HQ.
The domain never reads the clock or the random source itself: both are passed in.
"""

from __future__ import annotations

import uuid

_VERSION = 7
_VARIANT = 0b10


def _value(unix_ms: int, random_bytes: bytes) -> int:
    if len(random_bytes) < 10:
        raise ValueError("uuid7 needs 10 random bytes")
    if not 0 <= unix_ms < 1 << 48:
        raise ValueError("unix_ms out of range for UUIDv7")
    rand_a = int.from_bytes(random_bytes[:2], "big") & 0x0FFF
    rand_b = int.from_bytes(random_bytes[2:10], "big") & ((1 << 62) - 1)
    return (unix_ms << 80) | (_VERSION << 76) | (rand_a << 64) | (_VARIANT << 62) | rand_b


def uuid7(unix_ms: int, random_bytes: bytes) -> uuid.UUID:
    """Build a UUIDv7 from a millisecond Unix time and 10 random bytes."""
    return uuid.UUID(int=_value(unix_ms, random_bytes))


def uuid7_text(unix_ms: int, random_bytes: bytes) -> str:
    """``str(uuid7(...))`` without building a UUID object (bulk paths make millions)."""
    h = f"{_value(unix_ms, random_bytes):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_FIXED_BITS = (_VERSION << 76) | (_VARIANT << 62)
_RAND_B_MASK = (1 << 62) - 1


def uuid7_text_bits(unix_ms: int, random_bits: int) -> str:
    """``uuid7_text(unix_ms, random_bits.to_bytes(10))`` for an 80-bit integer, without
    the byte round trip: the demo generator makes millions of ids."""
    value = ((unix_ms << 80) | _FIXED_BITS | ((random_bits >> 64) & 0xFFF) << 64
             | (random_bits & _RAND_B_MASK))
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def uuid7_time_ms(value: uuid.UUID | str) -> int:
    """The millisecond timestamp a UUIDv7 was made at."""
    as_uuid = value if isinstance(value, uuid.UUID) else uuid.UUID(value)
    return as_uuid.int >> 80


def is_uuid7(value: str) -> bool:
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return False
    return parsed.version == _VERSION
