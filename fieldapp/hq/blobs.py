"""Evidence files by SHA-256: on disk (``<data dir>/blobs/ab/abcd…``) or in an
S3-compatible object store (key ``ab/abcd…``). An upload in progress is staged on disk
(``blobs/partial/<sha256>``) and appended at its offset, so a broken upload resumes
where it stopped; the last chunk is hashed before the file is kept."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from fieldapp.atomic import fsync_dir
from fieldapp.hq.settings import Settings

_READ = 1024 * 1024


class BlobStore(Protocol):
    def has(self, sha256: str) -> bool: ...
    def staged(self, sha256: str) -> int: ...
    def append(self, sha256: str, offset: int, data: bytes) -> int: ...
    def finish(self, sha256: str) -> bool: ...
    def read(self, sha256: str) -> Iterator[bytes]: ...


class OffsetMismatch(Exception):
    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


class _Staging:
    """The part every store shares: the partial file of an upload on local disk."""

    def __init__(self, root: Path) -> None:
        self.partial = root / "partial"
        self.partial.mkdir(parents=True, exist_ok=True)

    def staged(self, sha256: str) -> int:
        path = self.partial / sha256
        return path.stat().st_size if path.exists() else 0

    def append(self, sha256: str, offset: int, data: bytes) -> int:
        path = self.partial / sha256
        size = path.stat().st_size if path.exists() else 0
        if offset != size:
            raise OffsetMismatch(size)
        with path.open("ab") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        return size + len(data)

    def take_checked(self, sha256: str) -> Path | None:
        """The staged file when it hashes to its name; otherwise it is dropped."""
        path = self.partial / sha256
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(_READ):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            path.unlink()
            return None
        return path


class DiskBlobs(_Staging):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.root = root

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self._path(sha256).exists()

    def finish(self, sha256: str) -> bool:
        staged = self.take_checked(sha256)
        if staged is None:
            return False
        final = self._path(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)
        fsync_dir(final.parent)
        return True

    def read(self, sha256: str) -> Iterator[bytes]:
        with self._path(sha256).open("rb") as fh:
            while chunk := fh.read(_READ):
                yield chunk


class S3Blobs(_Staging):
    def __init__(self, root: Path, settings: Settings) -> None:
        import boto3

        super().__init__(root)
        self.bucket = settings.s3_bucket
        self.client: Any = boto3.client(
            "s3", endpoint_url=settings.s3_endpoint or None, region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key or None,
            aws_secret_access_key=settings.s3_secret_key or None)

    @staticmethod
    def _key(sha256: str) -> str:
        return f"{sha256[:2]}/{sha256}"

    def has(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError:
            return False
        return True

    def finish(self, sha256: str) -> bool:
        staged = self.take_checked(sha256)
        if staged is None:
            return False
        self.client.upload_file(str(staged), self.bucket, self._key(sha256))
        staged.unlink()
        return True

    def read(self, sha256: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=self._key(sha256))["Body"]
        while chunk := body.read(_READ):
            yield chunk


def open_blob_store(settings: Settings) -> BlobStore:
    root = settings.data_dir / "blobs"
    if settings.blob_store == "s3":
        return S3Blobs(root, settings)
    return DiskBlobs(root)
