"""``fieldapp audit verify``, ``backup`` and ``restore``: the full-process record
(执法全过程记录) and the data directory's backups."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from typing import Any

from fieldapp.cli.access import acting_officer, context, data_dir, secret
from fieldapp.cli.options import (
    Access,
    add_officer,
    command,
    input_file,
    leaf,
    noun,
    output_file,
    subcommands,
)
from fieldapp.cli.output import EXIT_FAILURE, EXIT_OK, Parser, ProgressBar, emit
from fieldapp.i18n import N_, _

PASSPHRASE_ENV = "FIELDAPP_BACKUP_PASSPHRASE"


def register(sub: Any) -> None:
    noun(sub, "audit", _("check the full-process record"), _audit)
    noun(sub, "backup", _("write a consistent, encrypted backup, evidence files included"),
         _backup)
    noun(sub, "restore", _("restore a backup (the current data is kept aside)"), _restore)
    noun(sub, "backup-key", _("make the agency's backup key pair (the private key stays "
                              "off the device)"), _backup_key)


def _audit(p: Parser) -> None:
    command(subcommands(p), "verify", cmd_verify, _("verify the hash chain of the audit log"),
            access=Access.READ)


def _backup(p: Parser) -> None:
    leaf(p, cmd_backup, access=Access.WRITE)
    p.add_argument("file", metavar="FILE", type=output_file(N_("backup file")))
    p.add_argument("--overwrite", action="store_true",
                   help=_("replace FILE if it exists (never a file of the data directory)"))
    p.add_argument("--passphrase", action="store_true", help=_(
        "encrypt with a passphrase (asked, or {env}) instead of the agency's key",
        env=PASSPHRASE_ENV))
    add_officer(p)


def _restore(p: Parser) -> None:
    leaf(p, cmd_restore, access=Access.WRITE)
    p.add_argument("file", metavar="FILE", type=input_file(N_("backup file")))
    p.add_argument("--key", metavar="KEY.pem", type=input_file(N_("backup private key")),
                   help=_("the agency's backup private key, for a backup sealed to it"))
    p.add_argument("--passphrase", action="store_true", help=_(
        "the backup was sealed with a passphrase (asked, or {env})", env=PASSPHRASE_ENV))
    add_officer(p)


def _backup_key(p: Parser) -> None:
    leaf(p, cmd_backup_key, access=Access.WRITE)
    p.add_argument("private_key", metavar="KEY.pem",
                   type=output_file(N_("backup private key")),
                   help=_("where to write the private key (keep it off the device)"))
    add_officer(p)


def cmd_verify(args: argparse.Namespace) -> int:
    from fieldapp.services.records import verify_audit

    bar = ProgressBar()
    result = verify_audit(ctx=context(args), progress=bar)
    bar.done()
    problem = describe_problem(result.problem, result.params) if result.problem else ""
    if result.ok:
        text = _("Audit log intact: {count} events checked, the content of {records} "
                 "records recomputed.", count=result.checked, records=result.records)
    else:
        text = _("Audit log broken at event {seq}: {problem}", seq=result.first_bad_seq,
                 problem=problem)
    emit(args, {"ok": result.ok, "checked": result.checked, "records": result.records,
                "first_bad_seq": result.first_bad_seq, "first_bad_id": result.first_bad_id,
                "problem": problem}, text)
    return EXIT_OK if result.ok else EXIT_FAILURE


def cmd_backup(args: argparse.Namespace) -> int:
    from fieldapp.services.records import backup

    ctx = context(args)
    officer = acting_officer(args, ctx)
    passphrase = (secret(PASSPHRASE_ENV, _("Backup passphrase: "), "passphrase")
                  if args.passphrase else None)
    result = backup(ctx=ctx, dest=args.file, officer_id=officer.officer_id,
                    overwrite=args.overwrite, passphrase=passphrase)
    emit(args, dataclasses.asdict(result),
         _("Backup written to {path} ({size} bytes, {files} evidence files).",
           path=result.path, size=result.size_bytes, files=result.evidence_files))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from fieldapp.services.records import restore

    folder = data_dir(args)
    _authorise_restore(args)
    passphrase = (secret(PASSPHRASE_ENV, _("Backup passphrase: "), "passphrase")
                  if args.passphrase else None)
    result = restore(data_dir=folder, source=args.file, now=dt.datetime.now(dt.UTC),
                     private_key_file=args.key, passphrase=passphrase)
    emit(args, dataclasses.asdict(result),
         _("Restored {events} audit events and {files} evidence files; the data it "
           "replaced is kept in {aside}.", events=result.audit_events,
           files=result.evidence_files, aside=result.replaced_dir or "-"))
    return EXIT_OK


def cmd_backup_key(args: argparse.Namespace) -> int:
    from fieldapp.services.records import create_agency_backup_key

    ctx = context(args)
    officer = acting_officer(args, ctx)
    made = create_agency_backup_key(private_key_file=args.private_key, ctx=ctx,
                                    officer_id=officer.officer_id)
    emit(args, {"private_key": str(made.private_key_file), "public_key": made.public_key},
         _("The private key is in {path}: keep it off the device. Backups of this "
           "device are now sealed to its public key.", path=args.private_key))
    return EXIT_OK


def describe_problem(problem: str, params: dict[str, Any]) -> str:
    """The verifier's English template in the user's language (entity names too)."""
    from fieldapp.i18n import gettext

    return gettext(problem).format(**{k: gettext(v) if isinstance(v, str) else v
                                      for k, v in params.items()})


def _authorise_restore(args: argparse.Namespace) -> None:
    """Replacing data needs a leader of the data being replaced; an empty data directory
    (a new or replaced device) needs nobody."""
    from fieldapp.domain.permissions import Action, require
    from fieldapp.services.staff import login_choices
    from fieldapp.store.engine import DB_FILE

    if not (data_dir(args) / DB_FILE).exists():
        return
    ctx = context(args)
    try:
        if login_choices(ctx=ctx):
            require(acting_officer(args, ctx).role, Action.RESTORE)
    finally:
        ctx.close()
