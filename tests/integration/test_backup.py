"""Backup while the store is open, restore into a data directory, nothing lost."""

from __future__ import annotations

import datetime as dt
import sqlite3
import zipfile

import pytest
from PIL import Image

from fieldapp.domain.entities import SubjectData, SubjectKind
from fieldapp.domain.errors import ValidationError
from fieldapp.services.context import open_context
from fieldapp.services.records import backup, changes_since_backup, restore, verify_audit
from fieldapp.services.subjects import create_subject, find_subjects


def test_backup_and_restore_round_trip(org, tmp_path) -> None:
    create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL, name="备份前"))
    photo = tmp_path / "e.png"
    Image.new("RGB", (8, 8), (1, 2, 3)).save(photo)
    blob = org.ctx.store.blobs.put(photo)
    assert changes_since_backup(ctx=org.ctx) > 0
    result = backup(ctx=org.ctx, dest=tmp_path / "b" / "fieldapp-backup.zip",
                    officer_id=org.officers[0])
    assert result.evidence_files == 1
    assert changes_since_backup(ctx=org.ctx) == 0
    with zipfile.ZipFile(result.path) as zf:
        assert f"blobs/{blob.sha256[:2]}/{blob.sha256[2:]}" in zf.namelist()
    create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL, name="备份后"))
    assert changes_since_backup(ctx=org.ctx) == 1

    target = tmp_path / "restored"
    restored = restore(data_dir=target, source=result.path, now=dt.datetime.now(dt.UTC))
    assert restored.replaced_dir is None
    ctx = open_context(target)
    try:
        assert [s.name for s in find_subjects(ctx=ctx, query="备份前")] == ["备份前"]
        assert find_subjects(ctx=ctx, query="备份后") == []
        assert verify_audit(ctx=ctx).ok
        assert ctx.store.blobs.verify(blob.sha256)
    finally:
        ctx.close()

    # Restoring over existing data keeps the old data aside.
    again = restore(data_dir=target, source=result.path, now=dt.datetime.now(dt.UTC))
    assert again.replaced_dir is not None
    assert (again.replaced_dir / "fieldapp.sqlite3").exists()


def test_damaged_backup_is_refused_before_anything_changes(org, tmp_path) -> None:
    result = backup(ctx=org.ctx, dest=tmp_path / "b.zip", officer_id=org.officers[0])
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(result.path) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "fieldapp.sqlite3":
                data = data[:-10] + b"0123456789"
            dst.writestr(item, data)
    target = tmp_path / "t"
    target.mkdir()
    (target / "fieldapp.sqlite3").write_bytes(b"existing")
    with pytest.raises(ValidationError):
        restore(data_dir=target, source=damaged, now=dt.datetime.now(dt.UTC))
    assert (target / "fieldapp.sqlite3").read_bytes() == b"existing"


def test_snapshot_while_another_connection_writes_holds_only_committed_data(org,
                                                                             tmp_path) -> None:
    from fieldapp.services.records.backup import _snapshot_db

    db = org.ctx.store.data_dir / "fieldapp.sqlite3"
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO sync_state (key, value) VALUES ('uncommitted', 'x')")
    _snapshot_db(db, tmp_path / "snap.sqlite3")
    other.execute("ROLLBACK")
    other.close()
    with sqlite3.connect(tmp_path / "snap.sqlite3") as snap:
        assert snap.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert snap.execute("SELECT COUNT(*) FROM sync_state WHERE key = 'uncommitted'"
                            ).fetchone()[0] == 0
        assert snap.execute("SELECT COUNT(*) FROM officer").fetchone()[0] == 4


def test_backup_carries_issued_pdfs_and_the_signing_key(org, tmp_path) -> None:
    data = org.ctx.store.data_dir
    key_bytes = (data / "keys" / "device_ed25519.pem").read_bytes()  # made at registration
    (data / "documents").mkdir(exist_ok=True)
    (data / "documents" / "d1.pdf").write_bytes(b"%PDF-1.4 test")
    result = backup(ctx=org.ctx, dest=tmp_path / "k.zip", officer_id=org.officers[0])
    target = tmp_path / "restored"
    restore(data_dir=target, source=result.path, now=dt.datetime.now(dt.UTC))
    key = target / "keys" / "device_ed25519.pem"
    assert key.read_bytes() == key_bytes and key_bytes.startswith(b"-----BEGIN")
    assert key.stat().st_mode & 0o777 == 0o600
    assert (target / "documents" / "d1.pdf").read_bytes() == b"%PDF-1.4 test"
