"""The device's Ed25519 key, which signs the verification code of every document.

The private key lives in ``<data dir>/keys/device_ed25519.pem`` (PKCS#8 PEM, mode 0600,
made on first use); the public key is kept in ``Device.public_key`` as the base64url of
its 32 raw bytes, so any store that knows the device (after sync: HQ and the other
devices) can verify offline.
"""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from fieldapp.atomic import atomic_file
from fieldapp.domain.errors import DomainError, NotFound
from fieldapp.store.tables import Device
from fieldapp.store.unit import Tx

KEY_DIR = "keys"
KEY_FILE = "device_ed25519.pem"


def key_path(data_dir: Path) -> Path:
    return data_dir / KEY_DIR / KEY_FILE


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_text(key: Ed25519PublicKey) -> str:
    return base64.urlsafe_b64encode(raw_public(key)).decode("ascii").rstrip("=")


def public_key_from_text(text: str) -> Ed25519PublicKey | None:
    """The key stored in ``Device.public_key``; None when empty or not a key."""
    if not text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        return None


def verify_signature(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def device_key(tx: Tx, data_dir: Path) -> Ed25519PrivateKey:
    """This device's signing key, made on first use; its public half is recorded on the
    device row in the caller's transaction."""
    device = tx.session.get(Device, tx.device_id)
    if device is None:
        raise NotFound("device", tx.device_id)
    path = key_path(data_dir)
    key = _load(path)
    if key is None:
        if device.public_key:
            # Documents signed with the lost key could no longer be told from forgeries
            # if a new key silently replaced it.
            raise DomainError("the signing key of this device is missing ({path}); restore "
                              "it from the backup before issuing documents", path=str(path))
        key = _create(path)
    public = public_key_text(key.public_key())
    if device.public_key != public:
        if device.public_key:
            raise DomainError("the signing key in {path} does not belong to this device",
                              path=str(path))
        device.public_key = public
        tx.session.add(device)
        tx.session.flush()
        tx.audit("device.key", "device", device.id, {"public_key": public})
    return key


def _load(path: Path) -> Ed25519PrivateKey | None:
    if not path.exists():
        return None
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise DomainError("{path} does not hold an Ed25519 key", path=str(path))
    return key


def _create(path: Path) -> Ed25519PrivateKey:
    """Write a new key atomically with mode 0600 (another process may race us: the
    first link wins and both use its key)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:
        with atomic_file(path, replace=False) as fh:
            fh.write(pem)
    except FileExistsError:
        loaded = _load(path)
        assert loaded is not None
        return loaded
    return key
