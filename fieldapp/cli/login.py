"""``fieldapp login``, ``logout`` and ``pin``: unlocking the command line for a few hours,
locking it again, and the PIN an officer confirms others' records with."""

from __future__ import annotations

import argparse
import os
from typing import Any

from fieldapp.cli.access import PASSWORD_ENV, PIN_ENV, context, secret
from fieldapp.cli.options import Access, amount, leaf, noun, text
from fieldapp.cli.output import EXIT_OK, Parser, emit, local_text
from fieldapp.domain.errors import ValidationError
from fieldapp.i18n import N_, _


def register(sub: Any) -> None:
    noun(sub, "login", _("unlock the command line for an officer for a few hours (no "
                         "password per command)"), _login)
    noun(sub, "logout", _("end the unlock made by fieldapp login"), _logout)
    noun(sub, "pin", _("set your PIN (4 to 8 digits) to confirm as the second officer; "
                       "asks your password"), _pin)


def _login(p: Parser) -> None:
    from fieldapp.services.staff import UNLOCK_HOURS

    leaf(p, cmd_login, access=Access.OPEN)
    _add_certificate(p, required=True)
    p.add_argument("--hours", type=_hours, default=UNLOCK_HOURS,
                   help=_("how long the unlock lasts (default {hours} hours)",
                          hours=f"{UNLOCK_HOURS:g}"))


def _logout(p: Parser) -> None:
    leaf(p, cmd_logout, access=Access.OPEN)
    _add_certificate(p, required=False, help=_("only this officer's unlock (default: all)"))


def _pin(p: Parser) -> None:
    leaf(p, cmd_pin, access=Access.OPEN)
    _add_certificate(p, required=True)
    p.add_argument("--remove", action="store_true", help=_("remove the PIN"))


def _add_certificate(parser: argparse.ArgumentParser, *, required: bool,
                     help: str | None = None) -> None:
    parser.add_argument("--officer", metavar="CERT", required=required,
                        type=text(N_("certificate number")),
                        help=help or _("certificate number of the officer"))


def _hours(value: str) -> float:
    return amount(N_("hours"), value)  # the unlock's own limits are checked by ``unlock``


def cmd_login(args: argparse.Namespace) -> int:
    from fieldapp.services.staff import officer_by_certificate, unlock

    ctx = context(args)
    officer = officer_by_certificate(ctx=ctx, certificate_no=args.officer)
    password = secret(PASSWORD_ENV, _("Password of {name} ({certificate}): ",
                                      name=officer.name, certificate=officer.certificate_no))
    made = unlock(ctx=ctx, certificate_no=args.officer, password=password, hours=args.hours)
    emit(args, {"officer_id": made.officer.officer_id, "name": made.officer.name,
                "certificate_no": made.officer.certificate_no, "expires_at": made.expires_at},
         _("{name} is logged in on the command line until {time}; fieldapp logout ends it.",
           name=made.officer.name, time=local_text(made.expires_at)))
    return EXIT_OK


def cmd_logout(args: argparse.Namespace) -> int:
    from fieldapp.services.staff import lock

    removed = lock(ctx=context(args), certificate_no=args.officer)
    emit(args, {"removed": removed}, _("Logged out ({count} unlocks ended).", count=removed))
    return EXIT_OK


def cmd_pin(args: argparse.Namespace) -> int:
    from fieldapp.services.staff import check_pin, login, officer_by_certificate, set_pin

    ctx = context(args)
    officer = officer_by_certificate(ctx=ctx, certificate_no=args.officer)
    pin = "" if args.remove else check_pin(_new_pin())
    password = secret(PASSWORD_ENV, _("Password of {name} ({certificate}): ",
                                      name=officer.name, certificate=officer.certificate_no))
    me = login(ctx=ctx, certificate_no=args.officer, password=password)
    set_pin(ctx=ctx, officer_id=me.officer_id, pin=pin, by_officer_id=me.officer_id)
    emit(args, {"officer_id": me.officer_id, "pin": bool(pin)},
         _("PIN set for {name}.", name=me.name) if pin else
         _("PIN removed for {name}.", name=me.name))
    return EXIT_OK


def _new_pin() -> str:
    pin = secret(PIN_ENV, _("New PIN (4 to 8 digits): "), field="PIN")
    if os.environ.get(PIN_ENV):
        return pin
    if secret(PIN_ENV, _("The same PIN again: "), field="PIN") != pin:
        raise ValidationError("PIN", "the two entries differ")
    return pin
