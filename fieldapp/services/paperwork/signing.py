"""The device key as documents use it: it signs the verification code of every document.

The key itself (file, format, signing) is the store's (``fieldapp.store.keys``): the
same key signs the head of the full-process record after every write.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fieldapp.domain.errors import DomainError, NotFound
from fieldapp.store.keys import (
    key_path,
    load_key,
    public_key_from_text,
    public_key_text,
    raw_public,
    verify_signature,
)
from fieldapp.store.tables import Device
from fieldapp.store.unit import Tx

__all__ = ["device_key", "public_key_from_text", "raw_public", "verify_signature"]


def device_key(tx: Tx, data_dir: Path) -> Ed25519PrivateKey:
    """This device's signing key; refused when the key recorded for the device is gone
    or replaced, since documents signed with it could no longer be told from forgeries."""
    device = tx.session.get(Device, tx.device_id)
    if device is None:
        raise NotFound("device", tx.device_id)
    path = key_path(data_dir)
    key = load_key(path)
    if key is None:
        raise DomainError("the signing key of this device is missing ({path}); restore "
                          "it from the backup before issuing documents", path=str(path))
    if device.public_key != public_key_text(key.public_key()):
        raise DomainError("the signing key in {path} does not belong to this device",
                          path=str(path))
    return key
