"""What a backup holds, as a tar stream inside the sealed file, written and read back.

Members, in this order: ``manifest.json`` (what follows, with the SHA-256 of the
database and of each extra file), ``fieldapp.sqlite3.gz`` (the database snapshot,
gzip level 1: a third of its size at about 100 MB/s here), then each evidence file
``blobs/ab/cdef…`` (stored as is: photos do not compress) and ``documents/…`` and
``keys/…``. Tar because it streams both ways: neither side ever holds the archive
whole, and the reader needs no seeking. The reader accepts only the members the
manifest names, as regular files, and writes them into a staging folder.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import tarfile
import zlib
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, cast

from fieldapp.atomic import PRIVATE_DIR, PRIVATE_FILE
from fieldapp.domain.errors import ValidationError
from fieldapp.store.engine import DB_FILE

FORMAT = "fieldapp-backup/2"
MANIFEST = "manifest.json"
DB_MEMBER = f"{DB_FILE}.gz"
EXTRA_FOLDERS = ("documents", "keys")
_CHUNK = 1 << 20
_DB_BLOCK = 4 << 20  # compressed in parallel; a few in memory at once
_MAX_MANIFEST = 256 << 20  # a manifest of millions of evidence files, not more
_BLOB_NAME = re.compile(r"[0-9a-f]{64}")
_EXTRA_NAME = re.compile(r"(documents|keys)/[^/\\\x00]+")
BACKUP_FILE_FIELD = "backup file"


class Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


class Source(Protocol):
    def read(self, size: int, /) -> bytes: ...


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def compress_database(snapshot: Path, packed: Path) -> str:
    """Write ``snapshot`` gzipped to ``packed``; returns the snapshot's SHA-256.

    Blocks are compressed on all cores at once (zlib lets go of the GIL), each as a
    gzip member of its own: one after another they are one valid gzip stream. At most
    a few blocks are in memory at a time."""
    digest = hashlib.sha256()
    workers = os.cpu_count() or 1
    with snapshot.open("rb") as src, packed.open("wb") as dst, \
            ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[bytes]] = deque()
        while block := src.read(_DB_BLOCK):
            digest.update(block)
            pending.append(pool.submit(gzip.compress, block, compresslevel=1, mtime=0))
            if len(pending) > workers:
                dst.write(pending.popleft().result())
        while pending:
            dst.write(pending.popleft().result())
    return digest.hexdigest()


def blob_member(path: Path) -> str:
    return f"blobs/{path.parent.name}/{path.name}"


def extra_member(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def write_archive(out: Sink, manifest: dict[str, Any], packed_db: Path,
                  blobs: Iterable[Path], extras: Iterable[Path]) -> None:
    """Write the members into ``out`` (which is not closed)."""
    # A stream mode ("w|", "r|") only ever writes or reads the file object.
    # tarfile's default block size: a larger one makes its stream buffer copy more.
    with tarfile.open(fileobj=cast(Any, out), mode="w|", format=tarfile.PAX_FORMAT) as tar:
        body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        _add_bytes(tar, MANIFEST, body)
        _add_file(tar, DB_MEMBER, packed_db)
        for path in blobs:
            _add_file(tar, blob_member(path), path)
        for path in extras:
            _add_file(tar, extra_member(path), path)


def _member(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, PRIVATE_FILE, 0
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    tar.addfile(_member(name, len(data)), io.BytesIO(data))


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> None:
    with path.open("rb") as fh:
        tar.addfile(_member(name, os.fstat(fh.fileno()).st_size), fh)
    _forget_members(tar)


def _forget_members(tar: tarfile.TarFile) -> None:
    """tarfile keeps every member it has read or written (about 500 bytes each); a
    stream never goes back to one, so memory stays flat however many evidence files
    there are. (``members`` is undocumented; a stream iterates on without it.)"""
    cast(Any, tar).members.clear()


# --- reading -----------------------------------------------------------------------


class DamagedArchive(Exception):
    """The archive does not hold what its manifest says (a bug or a forged file)."""


def read_archive(stream: Source, staging: Path) -> dict[str, Any]:
    """Unpack ``stream`` into ``staging`` (database gunzipped), checking every member
    against the manifest; returns the manifest. Raises DamagedArchive or
    ValidationError (an unknown format); errors of ``stream`` pass through."""
    try:
        with tarfile.open(fileobj=cast(Any, stream), mode="r|") as tar:
            manifest = _unpack(tar, staging)
    except tarfile.TarError as exc:
        raise DamagedArchive(str(exc)) from exc
    while stream.read(_CHUNK):  # to the end: the sealed stream checks its last chunk
        pass
    return manifest


def _unpack(tar: tarfile.TarFile, staging: Path) -> dict[str, Any]:
    members = iter(tar)
    first = next(members, None)
    if first is None or first.name != MANIFEST or not first.isreg() or (
            first.size > _MAX_MANIFEST):
        raise DamagedArchive("no manifest first")
    manifest = _parse_manifest(_read_member(tar, first))
    expected = _expected_members(manifest)
    seen: set[str] = set()
    for member in members:
        if member.name not in expected or member.name in seen or not member.isreg():
            raise DamagedArchive(f"unexpected member {member.name!r}")
        seen.add(member.name)
        _extract(tar, member, staging, expected[member.name])
        _forget_members(tar)
    if seen != set(expected):
        raise DamagedArchive("members missing")
    return manifest


def _read_member(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    src = tar.extractfile(member)
    assert src is not None  # a regular file
    return src.read()


def _parse_manifest(body: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(body)
    except ValueError:
        raise DamagedArchive("manifest is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise ValidationError(BACKUP_FILE_FIELD, "has an unknown format {format}",
                              format=str(found))
    return manifest


def _expected_members(manifest: dict[str, Any]) -> dict[str, str]:
    """Member name → the SHA-256 its content must have (of the database: unpacked)."""
    try:
        expected = {DB_MEMBER: str(manifest["database"]["sha256"])}
        for name in manifest["blobs"]:
            if not _BLOB_NAME.fullmatch(name):
                raise DamagedArchive(f"bad evidence name {name!r}")
            expected[f"blobs/{name[:2]}/{name[2:]}"] = name
        for name, digest in manifest["files"].items():
            if not _EXTRA_NAME.fullmatch(name) or name.endswith(("/.", "/..")):
                raise DamagedArchive(f"bad file name {name!r}")
            expected[name] = str(digest)
    except (KeyError, TypeError, AttributeError):
        raise DamagedArchive("manifest incomplete") from None
    return expected


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, staging: Path,
             digest: str) -> None:
    src = tar.extractfile(member)
    assert src is not None
    if member.name == DB_MEMBER:
        target = staging / DB_FILE
        try:
            got = _copy_hashed(gzip.GzipFile(fileobj=src, mode="rb"), target)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise DamagedArchive(f"{member.name}: {exc}") from exc
    else:
        target = staging / member.name
        got = _copy_hashed(src, target)
    if got != digest:
        raise DamagedArchive(f"{member.name} does not match its hash")


def _copy_hashed(src: Source, target: Path) -> str:
    target.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as dst:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            dst.write(chunk)
    return digest.hexdigest()
