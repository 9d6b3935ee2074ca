"""HQ's Ed25519 key (it countersigns device heads) and checking device signatures.

The private key is ``<data dir>/keys/hq_ed25519.pem`` (PKCS#8, mode 0600), made on
first start; every worker reads the same file. Keys travel as base64url of their raw
32 bytes, signatures as base64url of 64 bytes (as on the device).
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from fieldapp.atomic import atomic_file
from fieldapp.domain.doc_payload import key_id as document_key_id


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key(text: str) -> Ed25519PublicKey | None:
    try:
        return Ed25519PublicKey.from_public_bytes(unb64(text))
    except ValueError:
        return None


def verify(public_text: str, signature: bytes | str, message: bytes) -> bool:
    key = public_key(public_text)
    if key is None:
        return False
    try:
        raw = unb64(signature) if isinstance(signature, str) else signature
        key.verify(raw, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def key_id(public_text: str) -> str:
    """The short id a document's QR code names its device key by."""
    return document_key_id(unb64(public_text))


class HqKey:
    def __init__(self, private: Ed25519PrivateKey) -> None:
        self.private = private
        raw = private.public_key().public_bytes(serialization.Encoding.Raw,
                                                serialization.PublicFormat.Raw)
        self.public_text = b64(raw)
        self.key_id = b64(hashlib.sha256(raw).digest()[:6])

    def sign(self, message: bytes) -> str:
        return b64(self.private.sign(message))

    @staticmethod
    def load_or_create(path: Path) -> HqKey:
        if not path.exists():
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption())
            try:
                with atomic_file(path, replace=False) as fh:
                    fh.write(pem)
            except FileExistsError:
                pass  # another worker made it first: use that one
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, Ed25519PrivateKey)
        return HqKey(key)
