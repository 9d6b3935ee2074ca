"""Backup while the store is open, restore into a data directory, nothing lost.

Backups are sealed (to the agency key or with a passphrase); restore checks all of a
backup before it changes anything, and refuses what is damaged or opened wrongly."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import tarfile
from pathlib import Path

import pytest
from PIL import Image

from fieldapp.crypto import sealed
from fieldapp.domain.entities import SubjectData, SubjectKind
from fieldapp.domain.errors import ValidationError
from fieldapp.services.context import open_context
from fieldapp.services.records import (
    backup,
    backup_protection,
    changes_since_backup,
    create_agency_backup_key,
    restore,
    verify_audit,
)
from fieldapp.services.rules import rule_config, set_rule
from fieldapp.services.subjects import create_subject, find_subjects

PASSPHRASE = "中队备份口令 2026"
NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)


def _agency_key(org, tmp_path: Path) -> Path:
    """Make the agency key pair and set its public half as the city's backup key."""
    made = create_agency_backup_key(private_key_file=tmp_path / "hq" / "agency.pem",
                                    ctx=org.ctx, officer_id=org.officers[0])
    assert rule_config(ctx=org.ctx).backup_public_key == made.public_key
    return made.private_key_file


def _members(path: Path, key: Path) -> list[str]:
    from fieldapp.services.records.backup_keys import load_private_key

    with path.open("rb") as fh:
        reader = sealed.open_sealed(fh, private_key=load_private_key(key))
        with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
            return [m.name for m in tar]


def _state(data_dir: Path) -> dict[str, str]:
    """Every file under ``data_dir`` and the SHA-256 of its content (but the SQLite
    shared-memory index, which every reader writes)."""
    return {str(p.relative_to(data_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(data_dir.rglob("*")) if p.is_file() and p.suffix != ".sqlite3-shm"}


def _noise_photo(path: Path, side: int = 700) -> Path:
    """A PNG of random pixels: about 1.5 MB that does not compress (several chunks)."""
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(path)
    return path


def test_backup_and_restore_round_trip(org, tmp_path) -> None:
    key = _agency_key(org, tmp_path)
    create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL, name="备份前"))
    photo = tmp_path / "e.png"
    Image.new("RGB", (8, 8), (1, 2, 3)).save(photo)
    blob = org.ctx.store.blobs.put(photo)
    assert changes_since_backup(ctx=org.ctx) > 0
    # The settings page's call: no key given, so the agency's key is used.
    result = backup(ctx=org.ctx, dest=tmp_path / "b" / "fieldapp-backup.fab",
                    officer_id=org.officers[0])
    assert result.evidence_files == 1 and result.sealed_with == "agency key"
    assert backup_protection(source=result.path) == "agency key"
    assert result.path.stat().st_mode & 0o777 == 0o600
    assert changes_since_backup(ctx=org.ctx) == 0
    assert f"blobs/{blob.sha256[:2]}/{blob.sha256[2:]}" in _members(result.path, key)
    assert "备份前".encode() not in result.path.read_bytes()
    create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL, name="备份后"))
    assert changes_since_backup(ctx=org.ctx) == 1

    target = tmp_path / "restored"
    restored = restore(data_dir=target, source=result.path, now=NOW, private_key_file=key)
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
    again = restore(data_dir=target, source=result.path, now=NOW, private_key_file=key)
    assert again.replaced_dir is not None
    assert (again.replaced_dir / "fieldapp.sqlite3").exists()
    third = restore(data_dir=target, source=result.path, now=NOW, private_key_file=key)
    assert third.replaced_dir not in (None, again.replaced_dir)  # same second, new folder


def test_a_passphrase_backup_round_trips_with_a_large_evidence_file(org, tmp_path) -> None:
    blob = org.ctx.store.blobs.put(_noise_photo(tmp_path / "noise.png"))
    result = backup(ctx=org.ctx, dest=tmp_path / "p.fab", officer_id=org.officers[0],
                    passphrase=PASSPHRASE)
    assert result.sealed_with == "passphrase" and result.size_bytes > 1 << 20
    assert backup_protection(source=result.path) == "passphrase"
    target = tmp_path / "restored"
    restore(data_dir=target, source=result.path, now=NOW, passphrase=PASSPHRASE)
    ctx = open_context(target)
    try:
        assert ctx.store.blobs.verify(blob.sha256)
        assert verify_audit(ctx=ctx).ok
    finally:
        ctx.close()


@pytest.fixture
def restored_once(org, tmp_path) -> tuple[Path, Path, Path]:
    """A passphrase backup with a 3 MB photo (three chunks and more) and a data
    directory already restored from it, to restore over."""
    org.ctx.store.blobs.put(_noise_photo(tmp_path / "noise.png", side=1000))
    made = backup(ctx=org.ctx, dest=tmp_path / "p.fab", officer_id=org.officers[0],
                  passphrase=PASSPHRASE).path
    target = tmp_path / "t"
    restore(data_dir=target, source=made, now=NOW, passphrase=PASSPHRASE)
    return made, target, tmp_path


def _refused(target: Path, source: Path, field: str, **secret: object) -> ValidationError:
    before = _state(target)
    with pytest.raises(ValidationError) as refused:
        restore(data_dir=target, source=source, now=NOW, **secret)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert _state(target) == before  # nothing changed, nothing left behind
    return refused.value


def _header_size(path: Path) -> int:
    with path.open("rb") as fh:
        sealed.read_header(fh)
        return fh.tell()


def test_damaged_backup_is_refused_before_anything_changes(restored_once) -> None:
    made, target, tmp = restored_once
    data = made.read_bytes()
    head, chunk = _header_size(made), (1 << sealed.CHUNK_LOG2) + 16
    assert len(data) > head + 2 * chunk  # two whole chunks to swap, and more
    flipped = bytearray(data)
    flipped[head + chunk + 1000] ^= 0x40
    reordered = data[:head] + data[head + chunk:head + 2 * chunk] + data[head:head + chunk] \
        + data[head + 2 * chunk:]
    cases = {"flipped": bytes(flipped), "truncated": data[:head + chunk],
             "cut_inside": data[:-100], "reordered": reordered}
    for name, content in cases.items():
        bad = tmp / f"{name}.fab"
        bad.write_bytes(content)
        error = _refused(target, bad, "backup file", passphrase=PASSPHRASE)
        assert "damaged" in error.problem


def test_a_wrong_passphrase_or_key_is_refused_before_anything_changes(
        org, restored_once) -> None:
    made, target, tmp = restored_once
    assert "does not open" in _refused(target, made, "passphrase",
                                       passphrase="not the passphrase").problem
    assert "passphrase" in _refused(target, made, "passphrase").problem
    key = _agency_key(org, tmp)
    keyed = backup(ctx=org.ctx, dest=tmp / "k.fab", officer_id=org.officers[0]).path
    other = create_agency_backup_key(private_key_file=tmp / "other.pem").private_key_file
    assert "another key" in _refused(target, keyed, "agency private key file",
                                     private_key_file=other).problem
    _refused(target, keyed, "agency private key file", passphrase=PASSPHRASE)
    _refused(target, keyed, "agency private key file", private_key_file=made)  # not a key
    not_backup = tmp / "old.zip"
    not_backup.write_bytes(b"PK\x03\x04 an unencrypted backup of an earlier version")
    _refused(target, not_backup, "backup file", passphrase=PASSPHRASE)
    _refused(target, tmp / "missing.fab", "backup file", passphrase=PASSPHRASE)
    assert restore(data_dir=target, source=keyed, now=NOW, private_key_file=key)


def test_backup_refuses_targets_that_could_hurt(org, tmp_path) -> None:
    data = org.ctx.store.data_dir
    (tmp_path / "existing.fab").write_bytes(b"an older backup")
    (tmp_path / "a-file").write_bytes(b"")
    os.mkfifo(tmp_path / "pipe")
    (data / "documents").mkdir(exist_ok=True)
    (tmp_path / "link-to-db").symlink_to(data / "fieldapp.sqlite3")
    cases = {
        data / "fieldapp.sqlite3": "live database",
        tmp_path / "link-to-db": "live database",
        data / "fieldapp.sqlite3-wal": "inside the data directory",
        data / "documents" / "b.fab": "inside the data directory",
        data: "inside the data directory",
        tmp_path / "existing.fab": "already exists",
        tmp_path: "not a file",
        Path("/dev/null"): "not a file",
        tmp_path / "pipe": "not a file",
        tmp_path / "a-file" / "b.fab": "not a folder",
    }
    before = _state(data)
    for dest, problem in cases.items():
        with pytest.raises(ValidationError) as refused:
            backup(ctx=org.ctx, dest=dest, officer_id=org.officers[0], passphrase=PASSPHRASE)
        assert refused.value.field == "backup file", dest
        assert problem in refused.value.problem.format(**refused.value.params), dest
    assert (tmp_path / "existing.fab").read_bytes() == b"an older backup"
    assert not list(tmp_path.glob(".incoming-*"))
    assert _state(data) == before  # the database untouched, no snapshot left
    replaced = backup(ctx=org.ctx, dest=tmp_path / "existing.fab", officer_id=org.officers[0],
                      overwrite=True, passphrase=PASSPHRASE)
    assert replaced.path.read_bytes().startswith(sealed.MAGIC)


def test_backup_needs_a_key_or_a_good_passphrase(org, tmp_path) -> None:
    cases = [({}, "backup public key"), ({"passphrase": "short"}, "passphrase"),
             ({"public_key": "not-a-key"}, "backup public key"),
             ({"public_key": "x", "passphrase": PASSPHRASE}, "passphrase")]
    for secret, field in cases:
        with pytest.raises(ValidationError) as refused:
            backup(ctx=org.ctx, dest=tmp_path / "b.fab", officer_id=org.officers[0],
                   **secret)  # type: ignore[arg-type]
        assert refused.value.field == field
    assert not (tmp_path / "b.fab").exists() and not list(tmp_path.glob(".incoming-*"))
    with pytest.raises(ValidationError):
        set_rule(ctx=org.ctx, officer_id=org.officers[0], key="backup_public_key",
                 value="A" * 42 + "!")
    _private, public = sealed.generate_key_pair()
    made = backup(ctx=org.ctx, dest=tmp_path / "b.fab", officer_id=org.officers[0],
                  public_key=public)
    assert made.sealed_with == "agency key"


def test_the_agency_key_file_is_private_and_never_overwritten(org, tmp_path) -> None:
    key = _agency_key(org, tmp_path)
    assert key.stat().st_mode & 0o777 == 0o600
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    first = key.read_bytes()
    with pytest.raises(ValidationError) as exists:
        create_agency_backup_key(private_key_file=key)
    assert exists.value.field == "agency private key file"
    assert key.read_bytes() == first
    with pytest.raises(ValidationError) as inside:
        create_agency_backup_key(private_key_file=org.ctx.store.data_dir / "agency.pem",
                                 ctx=org.ctx, officer_id=org.officers[0])
    assert "inside the data directory" in inside.value.problem
    from fieldapp.domain.permissions import PermissionDenied

    with pytest.raises(PermissionDenied):  # an officer may not change the city's key
        create_agency_backup_key(private_key_file=tmp_path / "x.pem", ctx=org.ctx,
                                 officer_id=org.officers[1])
    assert not (tmp_path / "x.pem").exists()


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
    assert (tmp_path / "snap.sqlite3").stat().st_mode & 0o777 == 0o600


def test_backup_carries_issued_pdfs_and_the_signing_key(org, tmp_path) -> None:
    key = _agency_key(org, tmp_path)
    data = org.ctx.store.data_dir
    key_bytes = (data / "keys" / "device_ed25519.pem").read_bytes()  # made at registration
    (data / "documents").mkdir(exist_ok=True)
    (data / "documents" / "d1.pdf").write_bytes(b"%PDF-1.4 test")
    result = backup(ctx=org.ctx, dest=tmp_path / "k.fab", officer_id=org.officers[0])
    target = tmp_path / "restored"
    restore(data_dir=target, source=result.path, now=NOW, private_key_file=key)
    restored_key = target / "keys" / "device_ed25519.pem"
    assert restored_key.read_bytes() == key_bytes and key_bytes.startswith(b"-----BEGIN")
    assert restored_key.stat().st_mode & 0o777 == 0o600
    assert (target / "documents" / "d1.pdf").read_bytes() == b"%PDF-1.4 test"
