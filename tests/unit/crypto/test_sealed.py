"""fieldapp.crypto.sealed: round trips in both modes, and every way a file can be wrong.

Small chunks (4 KiB) so that a few kilobytes span many chunks."""

from __future__ import annotations

import io
import os
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldapp.crypto import sealed

LOG2 = 12
CHUNK = 1 << LOG2
PRIVATE, PUBLIC = sealed.generate_key_pair()
RECIPIENT = sealed.public_key_from_text(PUBLIC)
PASSPHRASE = "城管 café 东华门 2026"


def _seal_key(data: bytes) -> bytes:
    out = io.BytesIO()
    writer = sealed.seal_to_key(out, RECIPIENT, chunk_log2=LOG2)
    for start in range(0, len(data), 1000):  # many small writes, as tar makes them
        writer.write(data[start:start + 1000])
    writer.finish()
    return out.getvalue()


def _open(blob: bytes, **secret: object) -> bytes:
    reader = sealed.open_sealed(io.BytesIO(blob), **secret)  # type: ignore[arg-type]
    return reader.read()


def _header_size(blob: bytes) -> int:
    src = io.BytesIO(blob)
    sealed.read_header(src)
    return src.tell()


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=5 * CHUNK))
def test_key_mode_round_trips_any_length(data: bytes) -> None:
    assert _open(_seal_key(data), private_key=PRIVATE) == data


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, 3 * CHUNK, 3 * CHUNK + 7])
def test_chunk_boundaries(size: int) -> None:
    data = os.urandom(size)
    blob = _seal_key(data)
    # Every chunk but the last is full; the last is shorter, empty when data fills them.
    assert len(blob) == _header_size(blob) + size + 16 * (size // CHUNK + 1)
    assert _open(blob, private_key=PRIVATE) == data


def test_passphrase_mode_round_trips_and_refuses_another_passphrase() -> None:
    data = os.urandom(2 * CHUNK + 5)
    out = io.BytesIO()
    writer = sealed.seal_with_passphrase(out, PASSPHRASE, chunk_log2=LOG2)
    writer.write(data)
    writer.finish()
    blob = out.getvalue()
    assert sealed.read_header(io.BytesIO(blob)).mode is sealed.Mode.PASSPHRASE
    assert _open(blob, passphrase=PASSPHRASE) == data
    # The same words typed in decomposed Unicode form (e + combining accent) open it too.
    decomposed = unicodedata.normalize("NFD", PASSPHRASE)
    assert decomposed != PASSPHRASE
    assert _open(blob, passphrase=decomposed) == data
    with pytest.raises(sealed.WrongKey):
        _open(blob, passphrase=PASSPHRASE + "!")
    with pytest.raises(sealed.NeedsKey):
        _open(blob, private_key=PRIVATE)


def test_another_private_key_or_none_is_refused_before_any_chunk() -> None:
    blob = _seal_key(b"personal data")
    other, _public = sealed.generate_key_pair()
    with pytest.raises(sealed.WrongKey) as wrong:
        _open(blob, private_key=other)
    assert wrong.value.mode is sealed.Mode.KEY
    with pytest.raises(sealed.NeedsKey):
        _open(blob, passphrase=PASSPHRASE)
    assert not isinstance(sealed.NeedsKey(sealed.Mode.KEY), sealed.WrongKey)


def test_the_writer_leaves_no_plaintext_in_the_file() -> None:
    secret = "身份证号 110101199003074478".encode() * 50
    blob = _seal_key(secret)
    assert b"110101199003074478" not in blob
    assert blob.startswith(sealed.MAGIC)


def test_every_flipped_byte_is_caught() -> None:
    data = os.urandom(2 * CHUNK + 100)
    blob = _seal_key(data)
    for position in [*range(_header_size(blob)), *range(_header_size(blob), len(blob), 97)]:
        flipped = bytearray(blob)
        flipped[position] ^= 0x01
        with pytest.raises(sealed.SealedError):
            _open(bytes(flipped), private_key=PRIVATE)


@pytest.mark.parametrize("cut", ["boundary", "inside_chunk", "header", "tag"])
def test_a_file_cut_short_is_caught(cut: str) -> None:
    data = os.urandom(3 * CHUNK + 100)
    blob = _seal_key(data)
    head = _header_size(blob)
    end = {"boundary": head + 2 * (CHUNK + 16), "inside_chunk": head + CHUNK + 300,
           "header": head - 5, "tag": len(blob) - 3}[cut]
    with pytest.raises(sealed.Damaged):
        _open(blob[:end], private_key=PRIVATE)


def test_reordered_dropped_and_appended_chunks_are_caught() -> None:
    data = os.urandom(3 * CHUNK + 100)
    blob = _seal_key(data)
    head = _header_size(blob)
    size = CHUNK + 16
    chunks = [blob[head + i * size: head + (i + 1) * size] for i in range(4)]
    swapped = blob[:head] + chunks[1] + chunks[0] + chunks[2] + chunks[3]
    dropped = blob[:head] + chunks[0] + chunks[2] + chunks[3]
    for forged in (swapped, dropped, blob + b"x", blob + chunks[3]):
        with pytest.raises(sealed.Damaged):
            _open(forged, private_key=PRIVATE)


def test_the_header_of_another_file_does_not_open_this_one() -> None:
    one, two = _seal_key(os.urandom(CHUNK)), _seal_key(os.urandom(CHUNK))
    head = _header_size(one)
    with pytest.raises(sealed.Damaged):
        _open(two[:head] + one[head:], private_key=PRIVATE)


def test_not_sealed_and_newer_versions_are_told_apart() -> None:
    with pytest.raises(sealed.NotSealed):
        sealed.read_header(io.BytesIO(b"PK\x03\x04 an old zip backup"))
    blob = bytearray(_seal_key(b"x"))
    blob[len(sealed.MAGIC)] = sealed.VERSION + 1
    with pytest.raises(sealed.UnsupportedVersion) as newer:
        sealed.read_header(io.BytesIO(bytes(blob)))
    assert newer.value.version == sealed.VERSION + 1


def test_keys_as_text_and_pem_round_trip_and_bad_ones_are_refused() -> None:
    again = sealed.private_key_from_pem(sealed.private_key_pem(PRIVATE))
    assert sealed.public_key_text(again.public_key()) == PUBLIC
    assert len(PUBLIC) == 43
    for bad in ("", "abc", PUBLIC + "AA", "!" * 43):
        with pytest.raises(ValueError):
            sealed.public_key_from_text(bad)
    with pytest.raises(ValueError):
        sealed.private_key_from_pem(b"-----BEGIN PRIVATE KEY-----\nxx\n")
