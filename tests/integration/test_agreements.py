"""门前四包 agreements and where a subject stands on the ladder per violation."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldapp.domain.entities import (
    FindingData,
    InspectionData,
    StepKind,
    SubjectData,
    SubjectKind,
)
from fieldapp.domain.errors import ValidationError
from fieldapp.domain.rules_config import RuleConfig
from fieldapp.services.inspections import record_inspection
from fieldapp.services.rules import current_steps
from fieldapp.services.subjects import add_agreement, agreements_of, create_subject

LOCAL = dt.timezone(dt.timedelta(hours=8))


def test_agreements_are_kept_per_subject(org) -> None:
    shop = create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL_BUSINESS, name="刘德福", shop_sign="鑫源五金店")).id
    with pytest.raises(ValidationError) as err:
        add_agreement(ctx=org.ctx, officer_id=org.officers[1], subject_id=shop,
                      signed_on=dt.date(2026, 3, 1), scope=" ")
    assert err.value.field == "frontage"
    add_agreement(ctx=org.ctx, officer_id=org.officers[1], subject_id=shop,
                  signed_on=dt.date(2025, 3, 1), ends_on=dt.date(2026, 2, 28),
                  scope="门前至路缘石，东西各5米")
    add_agreement(ctx=org.ctx, officer_id=org.officers[1], subject_id=shop,
                  signed_on=dt.date(2026, 3, 1), scope="门前至路缘石，东西各8米")
    shown = agreements_of(ctx=org.ctx, subject_id=shop)
    assert [a.scope[-3:] for a in shown] == ["各8米", "各5米"]
    assert [a.in_force(dt.date(2026, 6, 1)) for a in shown] == [True, False]


def test_current_step_per_violation(org) -> None:
    shop = create_subject(ctx=org.ctx, officer_id=org.officers[0], data=SubjectData(
        kind=SubjectKind.INDIVIDUAL_BUSINESS, shop_sign="好再来烧烤")).id
    at = dt.datetime(2026, 9, 1, 10, tzinfo=LOCAL)
    for days, code in ((0, "JM02"), (10, "JM02"), (20, "DQ02")):
        record_inspection(ctx=org.ctx, data=InspectionData(
            subject_id=shop, officer_ids=(org.officers[1], org.officers[2]),
            at=at + dt.timedelta(days=days), address="人民路88号",
            findings=(FindingData(violation_code=code, facts="店外经营",
                                  corrected_on_spot=False),)))
    now = {c.violation_code: c.due for c in current_steps(
        ctx=org.ctx, subject_id=shop, at=at + dt.timedelta(days=30), config=RuleConfig())}
    assert now == {"JM02": StepKind.ENFORCE, "DQ02": StepKind.WARN}
