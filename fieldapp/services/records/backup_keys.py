"""The agency's backup key pair, and opening a sealed backup with a key or passphrase.

The administrator makes the pair once (on HQ's machine or any trusted one): the
private key goes to a file they keep off every device (mode 0600, PKCS#8 PEM), the
public key (43 characters) becomes the city's rule setting ``backup_public_key``,
which HQ will publish to the squads. Restoring needs that private key file, or the
passphrase of a backup made with one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from fieldapp.atomic import atomic_file
from fieldapp.crypto import sealed
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.permissions import Action
from fieldapp.services.context import ServiceContext
from fieldapp.services.records.archive import BACKUP_FILE_FIELD
from fieldapp.services.records.backup import (
    PASSPHRASE_FIELD,
    check_passphrase,
    check_target,
    exists_error,
)

PRIVATE_KEY_FIELD = "agency private key file"
_MAX_KEY_FILE = 64 << 10


@dataclass(frozen=True)
class AgencyBackupKey:
    public_key: str  # for the city's rule setting ``backup_public_key``
    private_key_file: Path


def create_agency_backup_key(*, private_key_file: Path, overwrite: bool = False,
                             ctx: ServiceContext | None = None,
                             officer_id: str = "") -> AgencyBackupKey:
    """Make a new agency backup key pair; the private key is written to
    ``private_key_file`` (mode 0600), never over an existing file unless ``overwrite``.

    With ``ctx``, the file may not lie inside that data directory, and the public key
    becomes the city's backup key on behalf of ``officer_id`` (a squad leader)."""
    if ctx is not None:
        ctx.authorize(officer_id, Action.SET_RULES)
    target = check_target(private_key_file, field=PRIVATE_KEY_FIELD,
                          data_dir=ctx.store.data_dir if ctx else None, overwrite=overwrite)
    private, public = sealed.generate_key_pair()
    try:
        with atomic_file(target, replace=overwrite) as fh:
            fh.write(sealed.private_key_pem(private))
    except FileExistsError:
        raise exists_error(target, PRIVATE_KEY_FIELD) from None
    if ctx is not None:
        from fieldapp.services.rules import set_rule

        set_rule(ctx=ctx, officer_id=officer_id, key="backup_public_key", value=public)
    return AgencyBackupKey(public, target)


def load_private_key(path: Path) -> sealed.PrivateKey:
    """The agency's private key from the file ``create_agency_backup_key`` wrote."""
    if not path.is_file():
        raise ValidationError(PRIVATE_KEY_FIELD, "'{path}' does not exist or is not a file",
                              path=str(path))
    with path.open("rb") as fh:
        pem = fh.read(_MAX_KEY_FILE)
    try:
        return sealed.private_key_from_pem(pem)
    except ValueError:
        raise ValidationError(PRIVATE_KEY_FIELD, "'{path}' is not an agency backup "
                              "private key", path=str(path)) from None


def open_backup(src: BinaryIO, *, source: Path, private_key_file: Path | None,
                passphrase: str | None) -> sealed.SealedReader:
    """A reader of the backup ``src`` (the file ``source``), or a ValidationError that
    says which key or passphrase is needed or that the file is not a backup."""
    key = load_private_key(private_key_file) if private_key_file is not None else None
    try:
        return sealed.open_sealed(src, private_key=key, passphrase=passphrase)
    except sealed.NotSealed:
        raise ValidationError(BACKUP_FILE_FIELD, "'{path}' is not an encrypted fieldapp "
                              "backup (an unencrypted backup of an earlier version cannot "
                              "be restored by this one)", path=str(source)) from None
    except sealed.UnsupportedVersion as exc:
        raise ValidationError(BACKUP_FILE_FIELD, "'{path}' was written by a newer version "
                              "of fieldapp (format {version})", path=str(source),
                              version=exc.version) from None
    except sealed.WrongKey as exc:
        if exc.mode is sealed.Mode.KEY:
            raise ValidationError(PRIVATE_KEY_FIELD, "this backup was encrypted to another "
                                  "key") from None
        raise ValidationError(PASSPHRASE_FIELD, "does not open this backup") from None
    except sealed.NeedsKey as exc:
        if exc.mode is sealed.Mode.KEY:
            raise ValidationError(PRIVATE_KEY_FIELD, "this backup is encrypted to the "
                                  "agency's backup key: give its private key file") from None
        raise ValidationError(PASSPHRASE_FIELD, "this backup is protected by a passphrase: "
                              "give it") from None


def backup_protection(*, source: Path) -> str:
    """How the backup ``source`` is protected: "agency key" or "passphrase" (so the
    caller knows what to ask for before restoring)."""
    with source.open("rb") as fh:
        try:
            header = sealed.read_header(fh)
        except sealed.SealedError:
            raise ValidationError(BACKUP_FILE_FIELD, "'{path}' is not an encrypted "
                                  "fieldapp backup", path=str(source)) from None
    return "agency key" if header.mode is sealed.Mode.KEY else "passphrase"


__all__ = ["AgencyBackupKey", "backup_protection", "check_passphrase",
           "create_agency_backup_key", "load_private_key", "open_backup"]
