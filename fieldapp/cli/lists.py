"""``fieldapp list`` and ``fieldapp calendar``: the no-penalty lists (免罚清单) and the
official holidays deadlines are counted on."""

from __future__ import annotations

import argparse
from typing import Any

from fieldapp.cli.access import acting_officer, context
from fieldapp.cli.options import (
    Access,
    add_officer,
    code,
    command,
    input_file,
    noun,
    output_file,
    record_id,
    subcommands,
    text,
    whole,
)
from fieldapp.cli.output import EXIT_OK, Parser, emit
from fieldapp.i18n import N_, _


def register(sub: Any) -> None:
    noun(sub, "list", _("the minor-violation no-penalty lists"), _list, aliases=["nopenalty"])
    noun(sub, "calendar", _("official holidays and adjusted working days"), _calendar)


def _list(p: Parser) -> None:
    actions = subcommands(p)
    show = command(actions, "show", cmd_show, _("the lists loaded, all versions; or one list"),
                   access=Access.READ)
    show.add_argument("id", metavar="ID", nargs="?", type=record_id(N_("no-penalty list")),
                      help=_("show the items of this list"))
    imp = command(actions, "import", cmd_import, _("import a list from .csv, .xlsx or .json"),
                  access=Access.WRITE)
    imp.add_argument("file", metavar="FILE", type=input_file(N_("no-penalty list file")))
    for option, label in _DETAIL_OPTIONS:
        imp.add_argument(option, type=text(label), help=_(
            "the list's {detail} where the file lacks it (a bureau's table rarely names "
            "its own)", detail=_(label)))
    add_officer(imp)
    review = command(actions, "review", cmd_review, _(
        "a bureau's list waiting for review: each item's match to the catalogue"),
        access=Access.READ)
    review.add_argument("id", metavar="ID", type=record_id(N_("no-penalty list")))
    mapping = command(actions, "map", cmd_map, _(
        "confirm an item's match, or map it to other violation codes"), access=Access.WRITE)
    mapping.add_argument("id", metavar="ID", type=record_id(N_("no-penalty list")))
    mapping.add_argument("item_no", metavar="ITEM_NO", type=whole(N_("item number"), 1, 9999))
    mapping.add_argument("codes", metavar="CODE", nargs="+", type=code(N_("violation code")),
                         help=_("the catalogue's violation codes the item covers"))
    add_officer(mapping)
    publish = command(actions, "publish", cmd_publish, _(
        "publish a reviewed list: from then on it can be in force"), access=Access.WRITE)
    publish.add_argument("id", metavar="ID", type=record_id(N_("no-penalty list")))
    add_officer(publish)
    exp = command(actions, "export", cmd_export, _("export a list to .csv, .xlsx or .json"),
                  access=Access.READ)
    exp.add_argument("id", metavar="ID", type=record_id(N_("no-penalty list")))
    exp.add_argument("file", metavar="FILE", type=output_file(N_("no-penalty list file")))


_DETAIL_OPTIONS = (("--city", N_("city")), ("--issuer", N_("issuer")),
                   ("--doc-no", N_("document number")), ("--title", N_("title")),
                   ("--effective-from", N_("effective from")))


def _calendar(p: Parser) -> None:
    actions = subcommands(p)
    imp = command(actions, "import", cmd_calendar_import,
                  _("import a year of holidays from a CSV file"), access=Access.WRITE)
    imp.add_argument("file", metavar="FILE", type=input_file(N_("calendar file")))
    imp.add_argument("--year", type=whole(N_("year"), 2000, 2100), required=True,
                     help=_("the year the file covers"))
    add_officer(imp)


def cmd_show(args: argparse.Namespace) -> int:
    from fieldapp.services.rules import get_list, lists

    ctx = context(args)
    if args.id:
        one = get_list(ctx=ctx, list_id=args.id)
        items = [{"item_no": i.item_no, "domain": i.domain, "name": i.name,
                  "violation_codes": list(i.violation_codes),
                  "exemption_kind": i.exemption_kind.value,
                  "conditions": [c.text for c in i.conditions],
                  "prohibiting_provision": i.prohibiting_provision,
                  "penalty_provision": i.penalty_provision} for i in one.items]
        lines = [f"{one.title}  {one.doc_no}"] + [
            f"{i.item_no}. [{i.domain}] {i.name}  {_(i.exemption_kind.value)}  "
            f"{'；'.join(c.text for c in i.conditions)}" for i in one.items]
        emit(args, {"id": one.id, "title": one.title, "items": items}, "\n".join(lines))
        return EXIT_OK
    found = lists(ctx=ctx)
    rows = [{"id": x.id, "title": x.title, "issuer": x.issuer, "doc_no": x.doc_no,
             "effective_from": x.effective_from, "effective_to": x.effective_to,
             "items": len(x.items), "domains": list(x.domains)} for x in found]
    lines = [_("{title} {doc_no}, in force {start}～{end}: {items} items  [{id}]",
               title=x.title, doc_no=x.doc_no, start=x.effective_from,
               end=x.effective_to or "", items=len(x.items), id=x.id) for x in found]
    emit(args, {"count": len(rows), "lists": rows}, "\n".join(lines))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from fieldapp.services.rules import import_list

    ctx = context(args)
    officer = acting_officer(args, ctx)
    details = {key: value for key, value in (
        ("city", args.city), ("issuer", args.issuer), ("doc_no", args.doc_no),
        ("title", args.title), ("effective_from", args.effective_from)) if value}
    result = import_list(ctx=ctx, officer_id=officer.officer_id, path=args.file,
                         metadata=details or None)
    domains = result.domains if isinstance(result.domains, int) else len(result.domains)
    line = _("No-penalty list imported: {items} items in {domains} domains.",
             items=result.items, domains=domains)
    if result.draft:
        line += "\n" + _("Saved as a draft, not in force: items {items} need a leader's "
                         "review (fieldapp list review {id}).",
                         items="、".join(map(str, result.to_review)), id=result.list_id)
    emit(args, {"id": result.list_id, "items": result.items, "domains": domains,
                "already_stored": not result.changed, "draft": result.draft,
                "to_review": list(result.to_review)}, line)
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    from fieldapp.services.rules import review_items

    items = review_items(ctx=context(args), list_id=args.id)
    lines = [f"{i.item_no}. {i.name}  [{_(i.state.value)}]  "
             f"{'、'.join(i.codes) or _('no match')}\n    {i.basis}" for i in items]
    emit(args, {"id": args.id, "items": [
        {"item_no": i.item_no, "name": i.name, "basis": i.basis, "codes": list(i.codes),
         "state": i.state.value} for i in items]}, "\n".join(lines))
    return EXIT_OK


def cmd_map(args: argparse.Namespace) -> int:
    from fieldapp.services.rules import map_item

    ctx = context(args)
    officer = acting_officer(args, ctx)
    map_item(ctx=ctx, officer_id=officer.officer_id, list_id=args.id, item_no=args.item_no,
             codes=args.codes)
    emit(args, {"id": args.id, "item_no": args.item_no, "codes": args.codes},
         _("Item {number} now covers {codes}.", number=args.item_no,
           codes="、".join(args.codes)))
    return EXIT_OK


def cmd_publish(args: argparse.Namespace) -> int:
    from fieldapp.services.rules import publish_list

    ctx = context(args)
    officer = acting_officer(args, ctx)
    publish_list(ctx=ctx, officer_id=officer.officer_id, list_id=args.id)
    emit(args, {"id": args.id, "published": True},
         _("The list is published and can be in force from its start date."))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from fieldapp.services.rules import export_list

    path = export_list(ctx=context(args), list_id=args.id, path=args.file)
    emit(args, {"path": path}, _("Written to {path}.", path=path))
    return EXIT_OK


def cmd_calendar_import(args: argparse.Namespace) -> int:
    from fieldapp.services.rules import import_calendar_csv

    ctx = context(args)
    officer = acting_officer(args, ctx)
    result = import_calendar_csv(ctx=ctx, officer_id=officer.officer_id, path=args.file,
                                 year=args.year)
    emit(args, {"year": result.year, "added": result.added, "updated": result.updated,
                "removed": result.removed},
         _("Holidays of {year} imported.", year=result.year))
    return EXIT_OK
