"""``fieldapp audit verify``, ``backup`` and ``restore``: the full-process record
(执法全过程记录) and the data directory's backups."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from typing import Any

from fieldapp.cli.access import acting_officer, context, data_dir
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
from fieldapp.cli.output import EXIT_FAILURE, EXIT_OK, Parser, emit
from fieldapp.i18n import N_, _


def register(sub: Any) -> None:
    noun(sub, "audit", _("check the full-process record"), _audit)
    noun(sub, "backup", _("write a consistent backup, evidence files included"), _backup)
    noun(sub, "restore", _("restore a backup (the current data is kept aside)"), _restore)


def _audit(p: Parser) -> None:
    command(subcommands(p), "verify", cmd_verify, _("verify the hash chain of the audit log"),
            access=Access.READ)


def _backup(p: Parser) -> None:
    leaf(p, cmd_backup, access=Access.WRITE)
    p.add_argument("file", metavar="FILE", type=output_file(N_("backup file")))
    add_officer(p)


def _restore(p: Parser) -> None:
    leaf(p, cmd_restore, access=Access.WRITE)
    p.add_argument("file", metavar="FILE", type=input_file(N_("backup file")))
    add_officer(p)


def cmd_verify(args: argparse.Namespace) -> int:
    from fieldapp.services.records import verify_audit

    result = verify_audit(ctx=context(args))
    problem = _(result.problem, **result.params) if result.problem else ""
    if result.ok:
        text = _("Audit log intact: {count} events checked.", count=result.checked)
    else:
        text = _("Audit log broken at event {seq}: {problem}", seq=result.first_bad_seq,
                 problem=problem)
    emit(args, {"ok": result.ok, "checked": result.checked,
                "first_bad_seq": result.first_bad_seq, "first_bad_id": result.first_bad_id,
                "problem": problem}, text)
    return EXIT_OK if result.ok else EXIT_FAILURE


def cmd_backup(args: argparse.Namespace) -> int:
    from fieldapp.services.records import backup

    ctx = context(args)
    officer = acting_officer(args, ctx)
    result = backup(ctx=ctx, dest=args.file, officer_id=officer.officer_id)
    emit(args, dataclasses.asdict(result),
         _("Backup written to {path} ({size} bytes, {files} evidence files).",
           path=result.path, size=result.size_bytes, files=result.evidence_files))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from fieldapp.services.records import restore

    folder = data_dir(args)
    _authorise_restore(args)
    result = restore(data_dir=folder, source=args.file, now=dt.datetime.now(dt.UTC))
    emit(args, dataclasses.asdict(result),
         _("Restored {events} audit events and {files} evidence files; the data it "
           "replaced is kept in {aside}.", events=result.audit_events,
           files=result.evidence_files, aside=result.replaced_dir or "-"))
    return EXIT_OK


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
