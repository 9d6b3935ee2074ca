"""Recording an inspection: two certified officers, all rows in one commit, evidence."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from fieldapp import i18n
from fieldapp.domain.entities import (
    EvidenceData,
    EvidenceType,
    FindingData,
    InspectionData,
    StepKind,
    SubjectData,
    SubjectKind,
)
from fieldapp.domain.errors import ValidationError
from fieldapp.services.inspections import record_inspection
from fieldapp.services.subjects import create_subject, subject_history

AT = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def vendor(org) -> str:
    return create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
        kind=SubjectKind.UNIDENTIFIED_VENDOR, goods="水果", appearance="中年男子，蓝色三轮车",
        usual_place="人民路地铁站B口")).id


def _code(org) -> str:
    db = org.ctx.store.data_dir / "fieldapp.sqlite3"
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT code FROM violation_type ORDER BY code").fetchone()[0]


def _counts(org) -> tuple[int, ...]:
    db = org.ctx.store.data_dir / "fieldapp.sqlite3"
    with sqlite3.connect(db) as conn:
        return tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in
                     ("inspection", "finding", "ladder_step", "evidence", "outbox",
                      "audit_event"))


def _photo(path: Path, orientation: int | None = None) -> Path:
    img = Image.new("RGB", (64, 32), (200, 30, 30))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    img.save(path, "JPEG", exif=exif)
    return path


def _inspection(org, vendor, **kw) -> InspectionData:
    values = dict(subject_id=vendor, officer_ids=(org.officers[1], org.officers[2]), at=AT,
                  address="人民路地铁站B口", findings=(FindingData(
                      violation_code=_code(org), facts="占用人行道摆摊销售水果",
                      corrected_on_spot=True, step=StepKind.EDUCATE),))
    values.update(kw)
    return InspectionData(**values)


def test_record_writes_everything_once_with_outbox_and_one_audit_event(org, vendor,
                                                                      tmp_path) -> None:
    before = _counts(org)
    photo = _photo(tmp_path / "p.jpg")
    data = _inspection(org, vendor, evidence=(EvidenceData(
        path=str(photo), evidence_type=EvidenceType.AUDIOVISUAL, captured_at=AT),))
    rec = record_inspection(ctx=org.ctx, data=data)
    after = _counts(org)
    # inspection, finding, step, evidence: one row each, one outbox row each, one event.
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1, 1, 4, 1]
    stored = org.ctx.store.blobs.path_of(hashlib.sha256(photo.read_bytes()).hexdigest())
    assert stored.read_bytes() == photo.read_bytes()
    history = subject_history(ctx=org.ctx, subject_id=vendor)
    assert [h.id for h in history] == list(rec.finding_ids)
    assert history[0].corrected_on_spot is True
    assert history[0].summary == "占用人行道摆摊销售水果"
    # Retrying with the same id changes nothing.
    again = record_inspection(ctx=org.ctx, data=data, inspection_id=rec.inspection_id)
    assert again.inspection_id == rec.inspection_id
    assert _counts(org) == after


def test_same_id_twice_is_idempotent(org, vendor) -> None:
    data = _inspection(org, vendor)
    first = record_inspection(ctx=org.ctx, data=data, inspection_id=org.ctx.new_id())
    counts = _counts(org)
    second = record_inspection(ctx=org.ctx, data=data, inspection_id=first.inspection_id)
    assert _counts(org) == counts
    assert second.finding_ids == first.finding_ids


@pytest.mark.parametrize(("officers", "needle"), [
    ((1, 1), "至少需要两名"),
    ((1, 3), "协管员"),
])
def test_two_distinct_certified_officers_are_required(org, vendor, officers, needle) -> None:
    before = _counts(org)
    data = _inspection(org, vendor, officer_ids=tuple(org.officers[i] for i in officers))
    with pytest.raises(ValidationError) as err:
        record_inspection(ctx=org.ctx, data=data)
    assert needle in i18n.describe(err.value)
    assert _counts(org) == before


def test_expired_certificate_is_refused(org, vendor) -> None:
    data = _inspection(org, vendor, at=dt.datetime(2031, 2, 1, tzinfo=dt.UTC))
    with pytest.raises(ValidationError) as err:
        record_inspection(ctx=org.ctx, data=data)
    assert "11010023002" in i18n.describe(err.value)


def test_unknown_violation_code_names_the_field(org, vendor) -> None:
    data = _inspection(org, vendor, findings=(FindingData(
        violation_code="NOPE", facts="x", corrected_on_spot=False),))
    with pytest.raises(ValidationError) as err:
        record_inspection(ctx=org.ctx, data=data)
    assert i18n.describe(err.value).startswith("违法行为代码")


def test_non_image_evidence_gets_a_clear_error_and_nothing_is_written(org, vendor,
                                                                     tmp_path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a photo", encoding="utf-8")
    before = _counts(org)
    data = _inspection(org, vendor, evidence=(EvidenceData(
        path=str(bogus), evidence_type=EvidenceType.AUDIOVISUAL, captured_at=AT),))
    with pytest.raises(ValidationError) as err:
        record_inspection(ctx=org.ctx, data=data)
    assert "notes.txt" in i18n.describe(err.value)
    assert _counts(org) == before


def test_blob_store_dedupes_and_refuses_oversize(org, tmp_path, monkeypatch) -> None:
    from fieldapp.store import blobs as blob_module

    photo = _photo(tmp_path / "a.jpg")
    copy = tmp_path / "b.jpg"
    copy.write_bytes(photo.read_bytes())
    first = org.ctx.store.blobs.put(photo)
    second = org.ctx.store.blobs.put(copy)
    assert first == second
    assert org.ctx.store.blobs.verify(first.sha256)
    monkeypatch.setattr(blob_module, "MAX_IMAGE_BYTES", 100)
    with pytest.raises(ValidationError) as err:
        org.ctx.store.blobs.put(photo)
    assert "MB" in i18n.describe(err.value)


def test_thumbnail_respects_exif_orientation_and_keeps_original(org, tmp_path) -> None:
    photo = _photo(tmp_path / "rot.jpg", orientation=6)  # rotate 90° on display
    original = photo.read_bytes()
    blob = org.ctx.store.blobs.put(photo)
    thumb = org.ctx.store.blobs.thumbnail(blob.sha256, size=32)
    with Image.open(thumb) as img:
        assert img.size[1] > img.size[0]  # 64x32 landscape shown upright as portrait
    assert org.ctx.store.blobs.path_of(blob.sha256).read_bytes() == original
