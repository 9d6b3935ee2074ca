"""The device's Ed25519 key: it signs the chain head after every write and the
verification code of every document.

The private key lives in ``<data dir>/keys/device_ed25519.pem`` (PKCS#8 PEM, mode 0600,
made when the device registers); the public key is recorded on the device row and in the
registration event of the full-process record, as the base64url of its 32 raw bytes.
"""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from fieldapp.atomic import atomic_file
from fieldapp.domain.errors import DomainError

KEY_DIR = "keys"
KEY_FILE = "device_ed25519.pem"
ALGORITHM = "ed25519"


def key_path(data_dir: Path) -> Path:
    return data_dir / KEY_DIR / KEY_FILE


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_text(key: Ed25519PublicKey) -> str:
    return b64(raw_public(key))


def public_key_from_text(text: str) -> Ed25519PublicKey | None:
    """A key as the device row records it; None when empty or not a key."""
    if not text:
        return None
    try:
        return Ed25519PublicKey.from_public_bytes(unb64(text))
    except ValueError:
        return None


def verify_signature(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def verify_text(public_key: str, signature: str, message: bytes) -> bool:
    """Check a base64url signature against a base64url public key."""
    key = public_key_from_text(public_key)
    if key is None or not signature:
        return False
    try:
        raw = unb64(signature)
    except ValueError:
        return False
    return verify_signature(key, raw, message)


def load_key(path: Path) -> Ed25519PrivateKey | None:
    if not path.exists():
        return None
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise DomainError("{path} does not hold an Ed25519 key", path=str(path))
    return key


def create_key(path: Path) -> Ed25519PrivateKey:
    """Write a new key atomically with mode 0600 (another process may race us: the
    first link wins and both use its key)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:
        with atomic_file(path, replace=False) as fh:
            fh.write(pem)
    except FileExistsError:
        loaded = load_key(path)
        assert loaded is not None
        return loaded
    return key
