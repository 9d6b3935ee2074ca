"""Password and PIN verifiers: argon2id hashes (argon2-cffi), never the secret itself.

The parameters are cheap enough for a tablet (≈50 ms) and still argon2id; every hash
records its own parameters, so they can be raised later without breaking old ones.
The desktop keeps them for offline login; HQ is their source once a device is enrolled.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(stored: str, password: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from (False for no hash)."""
    if not stored:
        return False
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
