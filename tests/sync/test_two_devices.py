"""Two devices record offline for the same vendor; after sync both have the whole
history and the ladder advises the next step (告诫); a device enrolled later pulls it
all. Real HQ, real stores, real services."""

from __future__ import annotations

import datetime as dt

from fieldapp.domain.entities import StepKind
from fieldapp.hq.services import publish
from fieldapp.interchange.catalogue import default_catalogue_path, read_catalogue_file
from fieldapp.interchange.city_rules import (
    city_rule_id,
    default_city_rules_path,
    read_city_rules_file,
)
from fieldapp.services.records import verify_audit
from fieldapp.services.rules import advise, applied_rule
from tests.sync.devices import CODE, Squad

AT = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_first_sync_brings_the_squad_and_catalogue(squad: Squad) -> None:
    desk = squad.enroll()
    report = desk.sync()
    assert report.online and report.first_sync and report.pulled > 0
    assert desk.sql("SELECT COUNT(*) FROM officer WHERE certificate_no = 'D-OFF1'") == [(1,)]
    assert desk.sql("SELECT COUNT(*) FROM violation_type WHERE code = ?", CODE) == [(1,)]
    assert verify_audit(ctx=desk.ctx).ok


def _steps(desk, subject_ids) -> list[str]:  # type: ignore[no-untyped-def]
    marks = ",".join("?" * len(subject_ids))
    return [r[0] for r in desk.sql(
        f"SELECT kind FROM ladder_step WHERE subject_id IN ({marks}) ORDER BY taken_at_utc",
        *subject_ids)]


def test_two_devices_share_a_vendor_history_and_the_next_step_is_a_warning(
        any_squad: Squad) -> None:
    squad = any_squad
    one, two = squad.enroll("笔记本1"), squad.enroll("笔记本2")
    for desk in (one, two):
        desk.sync()
        desk.login("D-OFF1")
    pair = (one.officer("D-OFF1"), one.officer("D-OFF2"))
    vendor = one.vendor(pair[0])
    one.inspect(vendor, pair, StepKind.EDUCATE, AT)
    report = one.sync()
    assert report.pushed >= 3 and report.rejected == 0 and report.waiting == 0
    two.sync()
    # The other laptop has the vendor and the education step (教育劝导) now.
    assert _steps(two, [vendor]) == ["educate"]
    advice = advise(ctx=two.ctx, subject_id=vendor, violation_code=CODE,
                    at=AT + dt.timedelta(days=3))
    assert advice.step is StepKind.WARN, advice
    two.inspect(vendor, pair, advice.step, AT + dt.timedelta(days=3))
    two.sync()
    one.sync()
    for desk in (one, two):
        assert _steps(desk, [vendor]) == ["educate", "warn"]
        assert verify_audit(ctx=desk.ctx).ok
        assert desk.sql("SELECT COUNT(*) FROM outbox WHERE state != 'sent'") == [(0,)]
    # A device enrolled later pulls the whole history.
    three = squad.enroll("笔记本3")
    three.sync()
    assert _steps(three, [vendor]) == ["educate", "warn"]
    assert verify_audit(ctx=three.ctx).ok


def test_published_city_rules_and_amounts_govern_the_device(squad: Squad) -> None:
    """What HQ publishes from the desktop's own files (catalogue with each type's ranges
    for persons and organisations, the city's rules) is what the device applies."""
    rules = read_city_rules_file(default_city_rules_path())
    assert publish.publish_city_rules(squad.hq.hq) == len(rules)
    desk = squad.enroll()
    desk.sync()
    pulled = desk.sql("SELECT violation_code, effective_from, fine_max_yuan, "
                      "fine_max_org_yuan FROM city_violation_rule ORDER BY id")
    expected = sorted((city_rule_id(r["violation_code"], r["effective_from"]), r)
                      for r in rules)
    assert [(c, str(d)[:10]) for c, d, _p, _o in pulled] == [
        (r["violation_code"], r["effective_from"]) for _id, r in expected]
    catalogue = {code: fields for code, fields in
                 read_catalogue_file(default_catalogue_path()).types}
    with_org = next(code for code, f in catalogue.items()
                    if f.get("fine_max_org_yuan") not in (None, f.get("fine_max_yuan")))
    assert desk.sql("SELECT fine_max_org_yuan FROM violation_type WHERE code = ?",
                    with_org) == [(catalogue[with_org]["fine_max_org_yuan"],)]
    first = rules[0]
    applied = applied_rule(ctx=desk.ctx, violation_code=first["violation_code"],
                           act_day=dt.date(2026, 11, 20), decision_day=dt.date(2026, 11, 30),
                           organisation=True)
    limit = applied.rule.limits.range_for(True)
    assert limit is not None and limit.max_fen == round(first["fine_max_org_yuan"] * 100)
    assert verify_audit(ctx=desk.ctx).ok
