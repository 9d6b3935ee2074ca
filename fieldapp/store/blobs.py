"""The evidence file store: files kept byte-exact, addressed by SHA-256.

``blobs/ab/cdef…`` holds each file once. Writes go to a temporary file that is fsynced
and renamed, so a crash leaves either the whole file or nothing. Thumbnails for display
are made by Pillow into ``thumbs/`` (EXIF orientation applied; the original untouched).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from fieldapp.atomic import PRIVATE_DIR, TEMP_PREFIX, atomic_file, fsync_dir
from fieldapp.domain.errors import ValidationError

_CHUNK = 1 << 20
MAX_IMAGE_BYTES = 50 << 20
MAX_MEDIA_BYTES = 2 << 30
# A 48-megapixel phone photo passes; a decompression bomb (or a poster scan) does not.
MAX_IMAGE_PIXELS = 64_000_000
THUMB_SIZE = 480

# Magic numbers of the file kinds accepted as evidence.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF8", 0, "image/gif"),
    (b"BM", 0, "image/bmp"),
    (b"WEBP", 8, "image/webp"),
    (b"%PDF-", 0, "application/pdf"),
    (b"ID3", 0, "audio/mpeg"),
    (b"\xff\xfb", 0, "audio/mpeg"),
    (b"#!AMR", 0, "audio/amr"),
    (b"WAVE", 8, "audio/wav"),
    (b"ftyp", 4, "video/mp4"),
)


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size_bytes: int
    media_type: str


def sniff_media_type(head: bytes) -> str | None:
    for magic, offset, media_type in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if media_type == "video/mp4" and head[8:11] == b"M4A":
                return "audio/mp4"
            return media_type
    return None


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.thumbs = root.parent / "thumbs"

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:]

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def check(self, source: Path) -> str:
        """The media type of an acceptable evidence file, or a ValidationError."""
        return check_evidence_file(source)

    def put(self, source: Path) -> StoredBlob:
        """Copy ``source`` in (once); returns its hash, size and media type."""
        media_type = self.check(source)
        self.root.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=TEMP_PREFIX)
        try:
            with source.open("rb") as src, os.fdopen(fd, "wb") as dst:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
            sha = digest.hexdigest()
            target = self.path_of(sha)
            if target.exists():
                os.unlink(tmp_name)
            else:
                target.parent.mkdir(mode=PRIVATE_DIR, exist_ok=True)
                os.replace(tmp_name, target)
                fsync_dir(target.parent)
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise
        return StoredBlob(sha, target.stat().st_size, media_type)

    def verify(self, sha256: str) -> bool:
        """True when the stored file still hashes to its name."""
        digest = hashlib.sha256()
        with self.path_of(sha256).open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
        return digest.hexdigest() == sha256

    def thumbnail(self, sha256: str, size: int = THUMB_SIZE) -> Path:
        """A JPEG thumbnail of an image blob, made once and cached."""
        from PIL import Image, ImageOps

        target = self.thumbs / f"{sha256}-{size}.jpg"
        if target.exists():
            return target
        with Image.open(self.path_of(sha256)) as img:
            upright = ImageOps.exif_transpose(img)
            upright.thumbnail((size, size))
            with atomic_file(target) as fh:  # a killed process leaves no half thumbnail
                upright.convert("RGB").save(fh, "JPEG", quality=85)
        return target

    def copy_tree_to(self, dest: Path) -> int:
        """Copy every blob into ``dest`` (used by backup); returns the count."""
        count = 0
        for path in self.root.glob("??/*"):
            rel = path.relative_to(self.root)
            (dest / rel.parent).mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / rel)
            count += 1
        return count


def check_evidence_file(source: Path) -> str:
    """The media type of an acceptable evidence file, or a ValidationError.

    Images are decoded in full (a truncated photo is refused) within a pixel limit."""
    size = _regular_file_size(source)
    try:
        with source.open("rb") as fh:
            media_type = sniff_media_type(fh.read(16))
    except OSError:
        raise ValidationError("evidence file", "'{path}' cannot be read",
                              path=str(source)) from None
    if media_type is None:
        raise ValidationError(
            "evidence file",
            "'{name}' is not a photo, audio, video or PDF file", name=source.name)
    limit = MAX_IMAGE_BYTES if media_type.startswith("image/") else MAX_MEDIA_BYTES
    if size > limit:
        raise ValidationError(
            "evidence file", "'{name}' is {size} MB, more than the limit of {limit} MB",
            name=source.name, size=size >> 20, limit=limit >> 20)
    if size == 0:
        raise ValidationError("evidence file", "'{name}' is empty", name=source.name)
    if media_type.startswith("image/"):
        _check_image(source)
    return media_type


def _regular_file_size(source: Path) -> int:
    """The size of ``source``, refused unless it is a regular file (never opening a
    device or a pipe, which could block or never end)."""
    try:
        info = source.stat()
    except FileNotFoundError:
        raise ValidationError("evidence file", "'{path}' does not exist",
                              path=str(source)) from None
    except OSError:
        raise ValidationError("evidence file", "'{path}' cannot be read",
                              path=str(source)) from None
    if stat.S_ISDIR(info.st_mode):
        raise ValidationError("evidence file", "'{path}' is a folder, not a file",
                              path=str(source))
    if not stat.S_ISREG(info.st_mode):
        raise ValidationError("evidence file", "'{path}' is a device or a pipe, not a file",
                              path=str(source))
    return info.st_size


def _check_image(source: Path) -> None:
    """Decode the whole image: its header, its size in pixels, then every pixel."""
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        # Pillow warns of (and past twice its limit refuses) huge images; ours is lower.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(source) as img:
                width, height = img.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ValidationError(
                        "evidence file", "'{name}' has {pixels} megapixels, more than the "
                        "limit of {limit}", name=source.name, pixels=width * height // 10**6,
                        limit=MAX_IMAGE_PIXELS // 10**6)
                img.load()
        except Image.DecompressionBombError:
            raise ValidationError(
                "evidence file", "'{name}' has more than {limit} megapixels",
                name=source.name, limit=MAX_IMAGE_PIXELS // 10**6) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(
                "evidence file", "'{name}' is not a complete, readable image",
                name=source.name) from None
