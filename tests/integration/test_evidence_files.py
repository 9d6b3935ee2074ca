"""Evidence files are checked whole before anything is stored: real, complete images
within the pixel and byte limits; folders, devices and pipes named as such. Pillow's own
warnings never escape (pytest turns any warning into a failure here)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from fieldapp import i18n
from fieldapp.domain.errors import ValidationError
from fieldapp.store.blobs import MAX_IMAGE_PIXELS, check_evidence_file


def _problem(path: Path) -> str:
    with pytest.raises(ValidationError) as err:
        check_evidence_file(path)
    assert err.value.field == "evidence file"
    return i18n.describe(err.value)


def test_a_complete_photo_passes(tmp_path) -> None:
    photo = tmp_path / "p.jpg"
    Image.effect_noise((400, 300), 50).convert("RGB").save(photo, "JPEG")
    assert check_evidence_file(photo) == "image/jpeg"
    png = tmp_path / "p.png"
    Image.new("RGB", (8000, 8000)).save(png)  # exactly the limit
    assert MAX_IMAGE_PIXELS == 8000 * 8000 and check_evidence_file(png) == "image/png"


def test_a_truncated_photo_is_refused(tmp_path) -> None:
    photo = tmp_path / "p.jpg"
    Image.effect_noise((800, 600), 50).convert("RGB").save(photo, "JPEG")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(photo.read_bytes()[:-2000])
    assert "不是完整、可读的图片" in _problem(cut)


@pytest.mark.parametrize(("size", "words"), [((10_000, 10_000), "100 百万像素"),
                                            ((20_000, 10_000), "超过 64 百万像素")])
def test_too_many_pixels_is_a_clear_error_without_warnings(tmp_path, size, words) -> None:
    huge = tmp_path / "huge.png"
    Image.new("1", size).save(huge)
    assert words in _problem(huge)


def test_folders_devices_and_pipes_are_named(tmp_path) -> None:
    assert "是文件夹，不是文件" in _problem(tmp_path)
    assert "是设备或管道，不是文件" in _problem(Path("/dev/null"))
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    assert "是设备或管道，不是文件" in _problem(fifo)  # and never opened: no hang
    assert "不存在" in _problem(tmp_path / "missing.jpg")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    assert "不是照片、音频、视频或 PDF 文件" in _problem(empty)
