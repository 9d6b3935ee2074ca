"""The ``fieldapp-hq`` command: ``serve`` runs HQ (uvicorn), ``admin …`` keeps the
agency, squads, officers, devices, published lists and number blocks, ``demo`` makes an
HQ with demo data. Messages are Chinese unless ``FIELDAPP_LANG=en``."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from fieldapp import __version__, i18n
from fieldapp.domain.errors import DomainError
from fieldapp.hq.settings import Settings
from fieldapp.i18n import N_, _

Handler = Callable[[argparse.Namespace], int]


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    for name in ("db", "host", "port", "workers", "data_dir"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    return Settings(**overrides)


def _open(args: argparse.Namespace) -> Any:
    from fieldapp.hq.context import open_hq

    return open_hq(_settings(args))


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings(args)
    _open(args).close()  # migrate once, before the workers start
    for name in ("db", "data_dir", "host", "port", "workers"):
        os.environ[f"FIELDAPP_HQ_{name.upper()}"] = str(getattr(settings, name))
    print(_("HQ listens on http://{host}:{port}", host=settings.host, port=settings.port),
          flush=True)
    uvicorn.run("fieldapp.hq.asgi:create", factory=True, host=settings.host,
                port=settings.port, workers=settings.workers, log_level="warning",
                access_log=False)
    return 0


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def cmd_agency(args: argparse.Namespace) -> int:
    from fieldapp.hq.services import admin

    hq = _open(args)
    agency = admin.set_agency(hq, full_name=args.name, short_name=args.short_name,
                              short_code=args.short_code, city=args.city,
                              address=args.address, phone=args.phone)
    print(_("agency {id} saved", id=agency))
    return 0


def cmd_squad_add(args: argparse.Namespace) -> int:
    from fieldapp.hq.services import admin

    squad = admin.add_squad(_open(args), code=args.code, name=args.name)
    print(_("squad {code} added ({id})", code=args.code, id=squad))
    return 0


def cmd_squad_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from fieldapp.hq.db import tables as t

    with _open(args).db.read() as conn:
        for row in conn.execute(select(t.squad).order_by(t.squad.c.code)):
            print(f"{row.code}\t{row.name}\t{row.id}")
    return 0


def cmd_officer_add(args: argparse.Namespace) -> int:
    from fieldapp.hq.services import admin

    officer = admin.add_officer(
        _open(args), squad_code=args.squad, name=args.name, certificate_no=args.certificate,
        role=args.role, password=args.password, valid_from=_day(args.valid_from),
        valid_to=_day(args.valid_to))
    print(_("officer {name} added ({id})", name=args.name, id=officer))
    return 0


def cmd_officer_set(args: argparse.Namespace) -> int:
    from fieldapp.hq.services import admin

    admin.change_officer(_open(args), certificate_no=args.certificate, role=args.role,
                         password=args.password, active=args.active,
                         valid_to=_day(args.valid_to))
    print(_("officer {certificate} changed", certificate=args.certificate))
    return 0


def cmd_officer_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from fieldapp.hq.db import tables as t

    with _open(args).db.read() as conn:
        for row in conn.execute(select(t.officer).order_by(t.officer.c.certificate_no)):
            state = _("active") if row.active else _("inactive")
            print(f"{row.certificate_no}\t{row.name}\t{_(row.role)}\t{row.valid_from or ''}"
                  f"–{row.valid_to or ''}\t{state}")
    return 0


def cmd_device_enroll(args: argparse.Namespace) -> int:
    import qrcode

    from fieldapp.hq.services import admin

    hq = _open(args)
    code, expires = admin.enroll_code(hq, squad_code=args.squad, device_name=args.name,
                                      hours=args.hours)
    link = f"fieldapp://enroll?server={hq.settings.public_url}&code={code}"
    print(_("enrollment code: {code} (valid until {until} UTC, once)", code=code,
            until=expires.strftime("%Y-%m-%d %H:%M")))
    qr = qrcode.QRCode(border=1)
    qr.add_data(link)
    qr.print_ascii(out=sys.stdout, invert=True)
    png = Path(args.png or f"enroll-{code}.png")
    qrcode.make(link).save(png)
    print(_("QR code saved as {path}", path=str(png)))
    return 0


def cmd_device_list(args: argparse.Namespace) -> int:
    from fieldapp.hq.services import admin

    for d in admin.devices(_open(args)):
        state = _("revoked") if d["revoked_at"] else (
            _("quarantined") if d["bad_from_seq"] is not None else _("active"))
        print(f"{d['id']}\t{d['squad_code']}\t{d['name']}\t{state}\t"
              f"{d['last_push_at'] or ''}")
    return 0


def cmd_device_revoke(args: argparse.Namespace) -> int:
    from fieldapp.hq.services import admin

    admin.revoke_device(_open(args), device_id=args.device)
    print(_("device {id} revoked: it may no longer sync", id=args.device))
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from fieldapp.hq.services import publish

    hq = _open(args)
    path = Path(args.file) if args.file else None
    if args.what == "catalogue":
        count = publish.publish_catalogue(hq, path)
    elif args.what == "list":
        details = {key: value for key, value in (
            ("city", args.city), ("issuer", args.issuer), ("doc_no", args.doc_no),
            ("title", args.title)) if value}
        count = publish.publish_list(hq, path, details)
    elif args.what == "city-rules":
        count = publish.publish_city_rules(hq, path)
    else:
        if path is None:
            raise DomainError("name the holiday calendar file (--file)")
        count = publish.publish_holidays(hq, path)
    print(_("published: {count} records", count=count))
    return 0


def cmd_numbers_lease(args: argparse.Namespace) -> int:
    from fieldapp.hq.services import numbers
    from fieldapp.hq.services.auth import DeviceAuth
    from fieldapp.sync.protocol import LeaseRequest

    hq = _open(args)
    device = next((d for d in __import__("fieldapp.hq.services.admin", fromlist=["x"])
                   .devices(hq) if d["id"] == args.device), None)
    if device is None:
        raise DomainError("no device with id {id}", id=args.device)
    block = numbers.lease(hq, device=DeviceAuth(device["id"], device["squad_id"],
                                                device["name"]),
                          request=LeaseRequest(kind=args.kind, year=args.year,
                                               size=args.size)).block
    print(_("serials {first}–{last} of {kind} {year} leased", first=block.fields[
        "first_serial"], last=block.fields["last_serial"], kind=args.kind, year=args.year))
    return 0


def cmd_numbers_list(args: argparse.Namespace) -> int:
    from fieldapp.hq.services import admin, numbers

    hq = _open(args)
    with hq.db.read() as conn:
        squad = admin.squad_by_code(conn, args.squad)
    for b in numbers.blocks(hq, squad_id=squad.id):
        returned = "" if b["returned_from"] is None else _(
            "returned from {serial}", serial=b["returned_from"])
        print(f"{b['kind']}\t{b['year']}\t{b['first_serial']}–{b['last_serial']}\t"
              f"{b['device_id']}\t{returned}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from fieldapp.hq.db import tables as t
    from fieldapp.hq.services import admin

    hq = _open(args)
    count = 0
    with hq.db.read() as conn, Path(args.out).open("w", encoding="utf-8") as out:
        squad = admin.squad_by_code(conn, args.squad)
        for env in conn.execute(select(t.version.c.envelope).where(
                t.version.c.audience == squad.id).order_by(t.version.c.seq)).scalars():
            out.write(env + "\n")
            count += 1
    print(_("{count} record versions written to {path}", count=count, path=args.out))
    return 0


def cmd_quarantine_list(args: argparse.Namespace) -> int:
    from fieldapp.hq.services import quarantine

    rows = quarantine.quarantined(_open(args))
    for row in rows:
        print(_("device {id} ({name}): quarantined from event {seq}, {changes} changes "
                "kept: {problem}", id=row["id"], name=row["name"], seq=row["bad_from_seq"],
                changes=row["changes"], problem=row["problem"]))
    if not rows:
        print(_("no device is quarantined"))
    return 0


def cmd_quarantine_release(args: argparse.Namespace) -> int:
    from fieldapp.hq.services import quarantine

    count = quarantine.release(_open(args), device_id=args.device, note=args.note)
    print(_("device {id} released after review: {count} changes applied", id=args.device,
            count=count))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from fieldapp.hq.services import demo

    counts = demo.make_demo(_open(args), subjects=args.subjects,
                            inspections=args.inspections)
    print(_("demo HQ made: {count} records; every officer's password is {password}",
            count=sum(counts.values()), password="demo1234"))
    return 0


def _store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help=_("database URL (default: SQLite in the data directory)"))
    parser.add_argument("--data-dir", type=Path, help=_("HQ's data directory"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fieldapp-hq", description=_(
        "fieldapp HQ: the service the squads' devices sync with, and its administration."))
    parser.add_argument("--version", action="version", version=f"fieldapp-hq {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help=_("run the HQ service"))
    _store_options(serve)
    serve.add_argument("--host", help=_("address to listen on (default 127.0.0.1)"))
    serve.add_argument("--port", type=int, help=_("port to listen on"))
    serve.add_argument("--workers", type=int, help=_("worker processes"))
    serve.set_defaults(handler=cmd_serve)
    demo = sub.add_parser("demo", help=_("make an HQ with the demo agency and its history"))
    _store_options(demo)
    demo.add_argument("--subjects", type=int, default=2_000)
    demo.add_argument("--inspections", type=int, default=8_000)
    demo.set_defaults(handler=cmd_demo)
    _admin(sub.add_parser("admin", help=_("administer HQ")))
    return parser


def _leaf(sub: Any, name: str, help_text: str, handler: Handler) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text)
    _store_options(parser)
    parser.set_defaults(handler=handler)
    return parser


def _admin(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="area", required=True)
    agency = _leaf(sub, "agency", _("set the agency profile"), cmd_agency)
    agency.add_argument("--name", required=True, help=_("full name"))
    for option in ("--short-name", "--short-code", "--city", "--address", "--phone"):
        agency.add_argument(option)
    squads = sub.add_parser("squad", help=_("squads")).add_subparsers(dest="act", required=True)
    add = _leaf(squads, "add", _("add a squad"), cmd_squad_add)
    add.add_argument("--code", required=True)
    add.add_argument("--name", required=True)
    _leaf(squads, "list", _("list the squads"), cmd_squad_list)
    _officers(sub)
    _devices(sub)
    publish = _leaf(sub, "publish", _("publish reference data to every device"), cmd_publish)
    publish.add_argument("what", choices=("catalogue", "list", "city-rules", "holidays"))
    publish.add_argument("--file", help=_("the file (default: the built-in one)"))
    for option, meaning in (("--city", N_("city")), ("--issuer", N_("issuer")),
                            ("--doc-no", N_("document number")), ("--title", N_("title"))):
        publish.add_argument(option, help=_("a list's {detail} where the file lacks it",
                                            detail=_(meaning)))
    nums = sub.add_parser("numbers", help=_("document-number blocks")).add_subparsers(
        dest="act", required=True)
    lease = _leaf(nums, "lease", _("lease a block of serials to a device"), cmd_numbers_lease)
    lease.add_argument("--device", required=True)
    lease.add_argument("--kind", required=True)
    lease.add_argument("--year", type=int, required=True)
    lease.add_argument("--size", type=int, default=100)
    _leaf(nums, "list", _("list a squad's blocks"), cmd_numbers_list).add_argument(
        "--squad", required=True)
    export = _leaf(sub, "export", _("export a squad's records (JSON lines)"), cmd_export)
    export.add_argument("--squad", required=True)
    export.add_argument("--out", required=True)
    quarantine = sub.add_parser("quarantine", help=_("devices whose record failed to verify")
                                ).add_subparsers(dest="act", required=True)
    _leaf(quarantine, "list", _("list quarantined devices"), cmd_quarantine_list)
    release = _leaf(quarantine, "release", _("release a device after review"),
                    cmd_quarantine_release)
    release.add_argument("device")
    release.add_argument("--note", required=True, help=_("what the review found"))


def _officers(sub: Any) -> None:
    officers = sub.add_parser("officer", help=_("officers")).add_subparsers(
        dest="act", required=True)
    add = _leaf(officers, "add", _("add an officer"), cmd_officer_add)
    add.add_argument("--squad", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--certificate", required=True, help=_("certificate number"))
    add.add_argument("--role", required=True)
    add.add_argument("--password", required=True)
    add.add_argument("--valid-from")
    add.add_argument("--valid-to")
    change = _leaf(officers, "set", _("change an officer"), cmd_officer_set)
    change.add_argument("--certificate", required=True, help=_("certificate number"))
    change.add_argument("--role")
    change.add_argument("--password")
    change.add_argument("--valid-to")
    change.add_argument("--active", action=argparse.BooleanOptionalAction, default=None)
    _leaf(officers, "list", _("list the officers"), cmd_officer_list)


def _devices(sub: Any) -> None:
    devices = sub.add_parser("device", help=_("devices")).add_subparsers(
        dest="act", required=True)
    enroll = _leaf(devices, "enroll", _("make a one-time enrollment code"), cmd_device_enroll)
    enroll.add_argument("--squad", required=True)
    enroll.add_argument("--name", required=True)
    enroll.add_argument("--hours", type=int)
    enroll.add_argument("--png", help=_("where to save the QR code"))
    _leaf(devices, "list", _("list the devices"), cmd_device_list)
    _leaf(devices, "revoke", _("revoke a device"), cmd_device_revoke).add_argument("device")


def main(argv: Sequence[str] | None = None) -> int:
    i18n.set_language(None)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        result: int = args.handler(args)
    except DomainError as error:
        print(i18n.describe(error), file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
