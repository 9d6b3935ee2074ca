"""A small sealed-file format: bytes encrypted under a passphrase.

``FASEALED1`` + salt (16) + nonce (12) + AES-256-GCM ciphertext with its tag; the key is
scrypt(passphrase, salt, n=2**15, r=8, p=1). The header is authenticated too, so a file
that was cut, altered or opened with the wrong passphrase is refused as a whole.
"""

from __future__ import annotations

import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"FASEALED1"
_SALT, _NONCE = 16, 12
# Words a person can read out and type: no 0/O, 1/l/I.
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class SealBroken(Exception):
    """The passphrase is wrong, or the file was cut or altered."""


def new_passphrase(groups: int = 5) -> str:
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4))
                    for _ in range(groups))


def _key(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2 ** 15, r=8, p=1).derive(passphrase.encode())


def seal(data: bytes, passphrase: str) -> bytes:
    salt, nonce = os.urandom(_SALT), os.urandom(_NONCE)
    header = MAGIC + salt + nonce
    return header + AESGCM(_key(passphrase, salt)).encrypt(nonce, data, header)


def unseal(blob: bytes, passphrase: str) -> bytes:
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + _SALT + _NONCE + 16:
        raise SealBroken("not a sealed file")
    salt = blob[len(MAGIC):len(MAGIC) + _SALT]
    nonce = blob[len(MAGIC) + _SALT:len(MAGIC) + _SALT + _NONCE]
    header = blob[:len(MAGIC) + _SALT + _NONCE]
    try:
        return AESGCM(_key(passphrase, salt)).decrypt(nonce, blob[len(header):], header)
    except InvalidTag:
        raise SealBroken("wrong passphrase, or the file was altered") from None
