"""Evidence photos at the moment they are taken (拍照取证): hashed at once, with a small
thumbnail to show, so what is later recorded can be checked to be what was taken.

A camera frame is saved first (atomically, named by its hash) in ``captures/`` of the
data directory; a photo chosen from a file stays where it is. ``record_inspection``
then stores either by its SHA-256 like any evidence file; ``check_unchanged`` refuses a
photo whose file changed in between.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from fieldapp.atomic import write_atomically
from fieldapp.domain.errors import DomainError, ValidationError
from fieldapp.services.context import ServiceContext

CAPTURES_DIR = "captures"
THUMBNAIL_PX = 160
_CHUNK = 1 << 20


@dataclass(frozen=True)
class CapturedPhoto:
    path: Path
    sha256: str
    captured_at: dt.datetime
    thumbnail_png: bytes  # at most THUMBNAIL_PX on its longer side


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _thumbnail(path: Path) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            small = ImageOps.exif_transpose(image).convert("RGB")
            small.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            out = io.BytesIO()
            small.save(out, format="PNG")
            return out.getvalue()
    except (OSError, UnidentifiedImageError) as error:
        raise ValidationError("photo", "'{name}' is not a photo", name=path.name) from error


def photo_from_file(*, ctx: ServiceContext, path: Path) -> CapturedPhoto:
    """A photo chosen from a file: hashed and thumbnailed where it is."""
    thumbnail = _thumbnail(path)  # first: refuses what is no image before hashing it
    return CapturedPhoto(path, _sha256(path), ctx.now(), thumbnail)


def photo_from_camera(*, ctx: ServiceContext, jpeg: bytes) -> CapturedPhoto:
    """A camera frame (JPEG bytes): saved in ``captures/`` under its hash, then read
    back through the same path as a file, so both give the same hash."""
    sha = hashlib.sha256(jpeg).hexdigest()
    folder = ctx.store.data_dir / CAPTURES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha}.jpg"
    if not path.exists():
        write_atomically(path, jpeg)
    photo = photo_from_file(ctx=ctx, path=path)
    if photo.sha256 != sha:
        raise DomainError("the photo could not be saved unchanged")
    return photo


def check_unchanged(photos: tuple[CapturedPhoto, ...]) -> None:
    """Refuse to record a photo whose file is gone or changed since it was taken."""
    for photo in photos:
        if not photo.path.is_file() or _sha256(photo.path) != photo.sha256:
            raise ValidationError("photo", "'{name}' changed after it was taken",
                                  name=photo.path.name)
