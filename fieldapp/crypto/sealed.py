"""Sealed files: a byte stream encrypted to a public key or with a passphrase.

Used for backups, which leave the device on USB sticks and network drives. Two modes:

- **key**: to an X25519 public key (the agency's backup key). The writer makes an
  ephemeral key pair, agrees a secret with the recipient's public key and forgets its
  private half, so nothing on the device can open what it wrote; only the holder of
  the recipient's private key can.
- **passphrase**: the key is derived from a passphrase with scrypt.

Layout: a header, then the stream cut into chunks, each sealed with AES-256-GCM::

    header  = MAGIC | version u8 | mode u8 | log2(chunk size) u8 | mode fields | commitment 16
      key mode fields:        ephemeral public key 32 | recipient key id 8
      passphrase mode fields: salt 16 | log2(scrypt N) u8 | r u8 | p u8
    chunk i = AES-256-GCM(key, nonce = i as 11 bytes big-endian | final flag, data,
                          associated data = header)

The key is new for every file (a fresh ephemeral key or salt), so nonces made from
the chunk index never repeat under one key. The index and the final flag in the nonce
catch reordered, dropped or appended chunks and a file cut short at a chunk boundary;
the header as associated data catches any change to it. Every chunk but the last is
exactly the chunk size; the last is shorter (empty when the data fills the chunks).
The commitment (derived with the key) tells a wrong key or passphrase apart from a
damaged file before any chunk is read. Reading and writing hold one chunk at a time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import struct
import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

PublicKey = X25519PublicKey  # the recipient's key types, for callers of this module
PrivateKey = X25519PrivateKey
MAGIC = b"fieldapp-sealed\n"
VERSION = 1
CHUNK_LOG2 = 20  # 1 MiB
_TAG = 16
_COMMIT = 16
_KEY_ID = 8
_SALT = 16
_INFO = b"fieldapp-sealed/1 aes-256-gcm"
# scrypt: 2**17 x 8 x 128 bytes = 128 MiB and about 0.4 s here, once per file. A file
# may ask for more, up to the limits below (so a forged header cannot exhaust memory).
SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 17, 8, 1
_MAX_SCRYPT_LOG2_N, _MAX_SCRYPT_R, _MAX_SCRYPT_P = 18, 16, 4
_MIN_CHUNK_LOG2, _MAX_CHUNK_LOG2 = 12, 24


class Mode(IntEnum):
    KEY = 1
    PASSPHRASE = 2


class SealedError(Exception):
    """A sealed file cannot be opened; subclasses say why."""


class NotSealed(SealedError):
    """The file does not start with a sealed header this version reads."""


class UnsupportedVersion(SealedError):
    def __init__(self, version: int) -> None:
        super().__init__(f"sealed format version {version}")
        self.version = version


class NeedsKey(SealedError):
    """The file was sealed in ``mode`` and the matching secret was not given."""

    def __init__(self, mode: Mode) -> None:
        super().__init__(f"sealed in {mode.name.lower()} mode")
        self.mode = mode


class WrongKey(NeedsKey):
    """The key or passphrase given (for ``mode``) is not the one the file was sealed with."""


class Damaged(SealedError):
    """Some chunk fails authentication: the file was changed or cut short."""


# --- keys --------------------------------------------------------------------------


def generate_key_pair() -> tuple[X25519PrivateKey, str]:
    """A new recipient key pair: the private key and the text of its public key."""
    private = X25519PrivateKey.generate()
    return private, public_key_text(private.public_key())


def _raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_text(key: X25519PublicKey) -> str:
    """The key as base64url of its 32 raw bytes, unpadded (as device keys are shown)."""
    return base64.urlsafe_b64encode(_raw(key)).decode("ascii").rstrip("=")


def public_key_from_text(text: str) -> X25519PublicKey:
    """The key ``public_key_text`` wrote; ``ValueError`` if ``text`` is not one."""
    text = text.strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("not base64url") from exc
    if len(raw) != 32:
        raise ValueError("an X25519 public key has 32 bytes")
    return X25519PublicKey.from_public_bytes(raw)


def private_key_pem(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def private_key_from_pem(pem: bytes) -> X25519PrivateKey:
    """``ValueError`` unless ``pem`` holds an unencrypted X25519 private key."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError("not a PEM private key") from exc
    if not isinstance(key, X25519PrivateKey):
        raise ValueError("not an X25519 private key")
    return key


def key_id(key: X25519PublicKey) -> bytes:
    return hashlib.sha256(_raw(key)).digest()[:_KEY_ID]


# --- the header --------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    mode: Mode
    chunk_log2: int
    fields: bytes  # the mode's fields, as laid out in the module docstring
    commitment: bytes
    version: int = VERSION

    def encode(self) -> bytes:
        return (MAGIC + struct.pack(">BBB", self.version, self.mode, self.chunk_log2)
                + self.fields + self.commitment)

    @property
    def chunk_size(self) -> int:
        return 1 << self.chunk_log2

    @property
    def recipient_id(self) -> bytes:
        return self.fields[32:32 + _KEY_ID]


_FIELDS_SIZE = {Mode.KEY: 32 + _KEY_ID, Mode.PASSPHRASE: _SALT + 3}


def _read_exactly(src: BinaryIO, size: int) -> bytes:
    data = b""
    while len(data) < size:
        part = src.read(size - len(data))
        if not part:
            break
        data += part
    return data


def read_header(src: BinaryIO) -> Header:
    """Read and check the header at the start of ``src`` (left just after it)."""
    if _read_exactly(src, len(MAGIC)) != MAGIC:
        raise NotSealed("no sealed header")
    fixed = _read_exactly(src, 3)
    if len(fixed) != 3:
        raise Damaged("header cut short")
    version, mode_value, chunk_log2 = struct.unpack(">BBB", fixed)
    if version != VERSION:
        raise UnsupportedVersion(version)
    try:
        mode = Mode(mode_value)
    except ValueError:
        raise Damaged(f"unknown mode {mode_value}") from None
    if not _MIN_CHUNK_LOG2 <= chunk_log2 <= _MAX_CHUNK_LOG2:
        raise Damaged(f"chunk size 2**{chunk_log2} out of range")
    rest = _read_exactly(src, _FIELDS_SIZE[mode] + _COMMIT)
    if len(rest) != _FIELDS_SIZE[mode] + _COMMIT:
        raise Damaged("header cut short")
    return Header(mode, chunk_log2, rest[:-_COMMIT], rest[-_COMMIT:], version)


# --- key derivation ----------------------------------------------------------------


def _expand(secret: bytes, salt: bytes) -> tuple[bytes, bytes]:
    """The AES key and the commitment, from the agreed or derived secret."""
    okm = HKDF(algorithm=hashes.SHA256(), length=32 + _COMMIT, salt=salt,
               info=_INFO).derive(secret)
    return okm[:32], okm[32:]


def _passphrase_secret(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    # NFC: the same passphrase typed on another keyboard or system gives the same bytes.
    data = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return Scrypt(salt=salt, length=32, n=1 << log2_n, r=r, p=p).derive(data)


def _seal_to_key(recipient: X25519PublicKey, chunk_log2: int) -> tuple[Header, bytes]:
    ephemeral = X25519PrivateKey.generate()
    epk, rpk = _raw(ephemeral.public_key()), _raw(recipient)
    key, commitment = _expand(ephemeral.exchange(recipient), epk + rpk)
    return Header(Mode.KEY, chunk_log2, epk + key_id(recipient), commitment), key


def _seal_with_passphrase(passphrase: str, chunk_log2: int) -> tuple[Header, bytes]:
    salt = os.urandom(_SALT)
    secret = _passphrase_secret(passphrase, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
    key, commitment = _expand(secret, salt)
    fields = salt + struct.pack(">BBB", SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
    return Header(Mode.PASSPHRASE, chunk_log2, fields, commitment), key


def _open_key(header: Header, private_key: X25519PrivateKey | None,
              passphrase: str | None) -> bytes:
    """The AES key of ``header``, or WrongKey / NeedsKey."""
    if header.mode is Mode.KEY:
        if private_key is None:
            raise NeedsKey(header.mode)
        if key_id(private_key.public_key()) != header.recipient_id:
            raise WrongKey(header.mode)
        epk = header.fields[:32]
        try:
            shared = private_key.exchange(X25519PublicKey.from_public_bytes(epk))
        except ValueError:  # a forged ephemeral key of small order
            raise Damaged("bad ephemeral key") from None
        key, commitment = _expand(shared, epk + _raw(private_key.public_key()))
    else:
        if passphrase is None:
            raise NeedsKey(header.mode)
        salt, (log2_n, r, p) = header.fields[:_SALT], header.fields[_SALT:]
        if log2_n > _MAX_SCRYPT_LOG2_N or r > _MAX_SCRYPT_R or p > _MAX_SCRYPT_P or not (
                log2_n and r and p):
            raise Damaged("scrypt parameters out of range")
        key, commitment = _expand(_passphrase_secret(passphrase, salt, log2_n, r, p), salt)
    if not hmac.compare_digest(commitment, header.commitment):
        raise WrongKey(header.mode)
    return key


def _nonce(index: int, final: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


# --- streams -----------------------------------------------------------------------


class SealedWriter(io.RawIOBase):
    """A writable stream that seals what it is given into ``out``.

    Call ``finish()`` when all is written: it seals the final chunk. A writer dropped
    without ``finish()`` (an error half-way) leaves a file every reader refuses."""

    def __init__(self, out: BinaryIO, header: Header, key: bytes) -> None:
        super().__init__()
        self._out, self._aad = out, header.encode()
        self._aead, self._size = AESGCM(key), header.chunk_size
        self._buffer = bytearray()
        self._index = 0
        out.write(self._aad)

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._buffer += data
        while len(self._buffer) >= self._size:
            self._seal(memoryview(self._buffer)[:self._size], final=False)
            del self._buffer[:self._size]
        return memoryview(data).nbytes

    def finish(self) -> None:
        self._seal(memoryview(self._buffer), final=True)
        self._buffer.clear()
        self._out.flush()

    def _seal(self, chunk: memoryview, *, final: bool) -> None:
        self._out.write(self._aead.encrypt(_nonce(self._index, final), chunk, self._aad))
        chunk.release()
        self._index += 1


def seal_to_key(out: BinaryIO, public_key: X25519PublicKey, *,
                chunk_log2: int = CHUNK_LOG2) -> SealedWriter:
    """A stream sealing into ``out`` for the holder of ``public_key``'s private key."""
    header, key = _seal_to_key(public_key, chunk_log2)
    return SealedWriter(out, header, key)


def seal_with_passphrase(out: BinaryIO, passphrase: str, *,
                         chunk_log2: int = CHUNK_LOG2) -> SealedWriter:
    """A stream sealing into ``out`` with a key derived from ``passphrase``."""
    header, key = _seal_with_passphrase(passphrase, chunk_log2)
    return SealedWriter(out, header, key)


class SealedReader(io.RawIOBase):
    """A readable stream of what a sealed file holds, checked chunk by chunk.

    Every chunk is authenticated before any of its bytes are returned; a changed,
    reordered, missing or extra chunk raises ``Damaged`` when the reader reaches it,
    so data returned before the end is only trustworthy once ``read`` returned b""."""

    def __init__(self, src: BinaryIO, header: Header, key: bytes) -> None:
        super().__init__()
        self._src, self._aad = src, header.encode()
        self._aead, self._sealed_size = AESGCM(key), header.chunk_size + _TAG
        self._plain = memoryview(b"")
        self._index = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1, /) -> bytes:
        return super().read(size) or b""  # never None: this stream never blocks

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._plain and not self._done:
            self._open_next()
        size = min(len(buffer), len(self._plain))
        buffer[:size] = self._plain[:size]
        self._plain = self._plain[size:]
        return size

    def _open_next(self) -> None:
        sealed = _read_exactly(self._src, self._sealed_size)
        if len(sealed) < _TAG:
            raise Damaged("cut short")  # the final chunk never came
        final = len(sealed) < self._sealed_size
        try:
            plain = self._aead.decrypt(_nonce(self._index, final), sealed, self._aad)
        except InvalidTag:
            raise Damaged(f"chunk {self._index} fails authentication") from None
        if final:
            if self._src.read(1):
                raise Damaged("data after the final chunk")
            self._done = True
        self._index += 1
        self._plain = memoryview(plain)


def open_sealed(src: BinaryIO, *, private_key: X25519PrivateKey | None = None,
                passphrase: str | None = None) -> SealedReader:
    """A reader of the sealed file ``src``, opened with the key or the passphrase.

    Raises NotSealed, UnsupportedVersion, NeedsKey, WrongKey or Damaged."""
    header = read_header(src)
    return SealedReader(src, header, _open_key(header, private_key, passphrase))
