"""Whom a command acts for: the data directory opened, the officer authenticated.

A data-changing command acts only for an officer who has proved who they are: through
the same ``staff.login`` as the app (argon2, five wrong passwords lock for 15 minutes),
with the password typed at a prompt or given in ``FIELDAPP_PASSWORD`` by a script, or
through the short-lived unlock ``fieldapp login`` leaves. The second officer of a record
confirms with their own password or PIN (prompt, or ``FIELDAPP_PASSWORD_2``). Read-only
commands are open to the device's user unless the city's rule ``cli_reads_need_login``
says otherwise. The services check each officer's role themselves.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fieldapp.cli.options import Access
from fieldapp.domain.errors import ValidationError
from fieldapp.i18n import _

if TYPE_CHECKING:
    from fieldapp.services.context import ServiceContext
    from fieldapp.services.staff import LoggedIn

PASSWORD_ENV = "FIELDAPP_PASSWORD"
SECOND_PASSWORD_ENV = "FIELDAPP_PASSWORD_2"
PIN_ENV = "FIELDAPP_PIN"


def data_dir(args: argparse.Namespace) -> Path:
    """The data directory the command works in (refused when it is a file)."""
    from fieldapp.paths import data_dir as resolve

    folder = resolve(args.data_dir)
    if folder.exists() and not folder.is_dir():
        raise ValidationError("data directory", "'{path}' is not a folder", path=str(folder))
    return folder


def context(args: argparse.Namespace) -> ServiceContext:
    """The data directory opened; a read-only command is refused here when the city
    wants an officer logged in for reads too."""
    from fieldapp.services.context import open_context

    ctx = open_context(data_dir(args))
    if getattr(args, "access", None) is Access.READ:
        from fieldapp.services.rules import rule_config

        if rule_config(ctx=ctx).cli_reads_need_login:
            acting_officer(args, ctx)
    return ctx


def acting_officer(args: argparse.Namespace, ctx: ServiceContext) -> LoggedIn:
    """The officer named by ``--officer`` (the first, when given twice), authenticated;
    without ``--officer``, the one officer unlocked on this device."""
    from fieldapp.services.staff import current_unlock, login, officer_by_certificate, unlocks

    named = args.officer if isinstance(getattr(args, "officer", None), str) else None
    if isinstance(getattr(args, "officer", None), list) and args.officer:
        named = args.officer[0]
    if not named:
        valid = unlocks(ctx=ctx)
        if len(valid) == 1:
            return valid[0].officer
        raise ValidationError("officer", "give --officer CERT, the certificate number of "
                              "the officer this command acts for")
    unlocked = current_unlock(ctx=ctx, certificate_no=named)
    if unlocked is not None:
        return unlocked.officer
    officer = officer_by_certificate(ctx=ctx, certificate_no=named)  # unknown: said first
    password = secret(PASSWORD_ENV, _("Password of {name} ({certificate}): ",
                                      name=officer.name, certificate=officer.certificate_no))
    return login(ctx=ctx, certificate_no=named, password=password)


def two_certificates(certificates: Sequence[str] | None) -> tuple[str, str]:
    """Exactly two different officers (行政处罚法 art. 42), checked before anything else."""
    given = [c.strip() for c in certificates or ()]
    if len(given) != 2:
        raise ValidationError("officers", "give exactly two officers (--officer twice): "
                              "the first acts, the second confirms")
    if given[0] == given[1]:
        raise ValidationError("officers", "at least two different officers are required")
    return given[0], given[1]


def two_officers(args: argparse.Namespace, ctx: ServiceContext,
                 purpose: str) -> tuple[str, str]:
    """The ids of the acting officer (authenticated) and the second one (confirmed)."""
    from fieldapp.services.staff import confirm_officer, officer_by_certificate
    from fieldapp.services.staff.confirm import SECRET_FIELD

    _first, second = two_certificates(args.officer)
    lead = acting_officer(args, ctx)
    partner = officer_by_certificate(ctx=ctx, certificate_no=second)
    answer = secret(SECOND_PASSWORD_ENV, _(
        "Second officer {name} ({certificate}), password or PIN: ", name=partner.name,
        certificate=partner.certificate_no), field=SECRET_FIELD)
    confirmed = confirm_officer(ctx=ctx, certificate_no=second, secret=answer,
                                purpose=purpose)
    return lead.officer_id, confirmed.officer_id


def secret(env: str, prompt: str, field: str = "password") -> str:
    """A secret from the environment (scripts) or typed at the terminal, never echoed."""
    given = os.environ.get(env)
    if given:
        return given
    if not sys.stdin.isatty():
        raise ValidationError(field, "is needed: type it at the prompt (run the command in "
                              "a terminal), or set {env} for a script", env=env)
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise ValidationError(field, "was not given") from None
