"""Legal deadlines (法定期限): which period applies, how long it is and when it ends.

Each kind of deadline has a default rule (DOMAIN.md 5.4) that a city may override: pass
a partial ``rules`` mapping; kinds it leaves out keep the default. Periods counted in
working days follow 《行政处罚法》art. 85 and 《行政强制法》art. 69 (see
``fieldapp.domain.calendar``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

from fieldapp.domain.calendar import WorkCalendar
from fieldapp.domain.errors import ValidationError

DeadlineStatus = Literal["ok", "due_soon", "overdue"]
#: A deadline this many working days away or fewer is shown as due soon.
DUE_SOON_WORKING_DAYS = 2


class DeadlineKind(StrEnum):
    DECISION_AFTER_FILING = "decision_after_filing"  # 立案后作出处罚决定
    SERVE_DECISION = "serve_decision"  # 送达处罚决定书（当事人不在场）
    HEARING_REQUEST = "hearing_request"  # 当事人要求听证
    HEARING_NOTICE = "hearing_notice"  # 听证通知（听证前）
    PRESERVED_EVIDENCE = "preserved_evidence"  # 先行登记保存后作出处理决定
    SEIZURE = "seizure"  # 查封、扣押
    SEIZURE_EXTENSION = "seizure_extension"  # 查封、扣押延长
    PAYMENT = "payment"  # 缴纳罚款
    STATEMENT_WINDOW = "statement_window"  # 陈述、申辩
    PUBLICATION = "publication"  # 处罚决定公示
    WITHDRAW_PUBLICATION = "withdraw_publication"  # 撤回已公示的决定
    COURT_ENFORCEMENT_NOTICE = "court_enforcement_notice"  # 申请法院强制执行前的催告
    CORRECTION = "correction"  # 责令限期改正


@dataclass(frozen=True)
class DeadlineRule:
    """How long a period is.

    ``working``: counted in working days, else in calendar days. ``before``: the period
    must run out before an event (a hearing, a court application), so the deadline is
    the last day to act ahead of it rather than the end of a period after it.
    ``days == 0`` means the period has no default and is given per case (``days=``).
    ``basis`` is the legal basis as printed, in Chinese.
    """

    days: int
    working: bool
    basis: str
    before: bool = False


_ACT = "《行政处罚法》"
_FORCE_ACT = "《行政强制法》"

DEFAULT_RULES: Mapping[DeadlineKind, DeadlineRule] = MappingProxyType({
    DeadlineKind.DECISION_AFTER_FILING: DeadlineRule(90, False, f"{_ACT}第六十条"),
    DeadlineKind.SERVE_DECISION: DeadlineRule(7, True, f"{_ACT}第六十一条、第八十五条"),
    DeadlineKind.HEARING_REQUEST: DeadlineRule(5, True, f"{_ACT}第六十四条、第八十五条"),
    DeadlineKind.HEARING_NOTICE: DeadlineRule(7, True, f"{_ACT}第六十四条、第八十五条",
                                              before=True),
    DeadlineKind.PRESERVED_EVIDENCE: DeadlineRule(7, True, f"{_ACT}第五十六条、第八十五条"),
    DeadlineKind.SEIZURE: DeadlineRule(30, False, f"{_FORCE_ACT}第二十五条"),
    DeadlineKind.SEIZURE_EXTENSION: DeadlineRule(30, False, f"{_FORCE_ACT}第二十五条"),
    DeadlineKind.PAYMENT: DeadlineRule(15, False, f"{_ACT}第六十七条"),
    # The Act sets no length; local templates use three or five days.
    DeadlineKind.STATEMENT_WINDOW: DeadlineRule(5, True, f"{_ACT}第四十四条、第四十五条"),
    # Practice under the publication system, not a statute: 20 working days.
    DeadlineKind.PUBLICATION: DeadlineRule(
        20, True, "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度"
                  "重大执法决定法制审核制度的指导意见》（国办发〔2018〕118号）"),
    DeadlineKind.WITHDRAW_PUBLICATION: DeadlineRule(3, True, f"{_ACT}第四十八条、第八十五条"),
    DeadlineKind.COURT_ENFORCEMENT_NOTICE: DeadlineRule(
        10, True, f"{_FORCE_ACT}第五十四条、第六十九条", before=True),
    # Set per violation type (its correction_days), so no default length.
    DeadlineKind.CORRECTION: DeadlineRule(0, False, f"{_ACT}第二十八条"),
})


def rule_for(kind: DeadlineKind,
             rules: Mapping[DeadlineKind, DeadlineRule] | None = None) -> DeadlineRule:
    """The city's rule for ``kind`` if it set one, else the default."""
    return (rules or {}).get(kind) or DEFAULT_RULES[kind]


def due(kind: DeadlineKind, start: dt.date, calendar: WorkCalendar,
        rules: Mapping[DeadlineKind, DeadlineRule] | None = None,
        days: int | None = None) -> dt.date:
    """The last day of a ``kind`` period that starts from ``start``.

    ``start`` is the day of the triggering act (filing, notice, receipt…); it is not
    counted. For ``before`` rules ``start`` is the event (hearing day, planned court
    application) and the result is the last working day to act ahead of it.
    ``days`` overrides the rule's length (the violation type's correction days, a
    template's three-day statement window).
    """
    rule = rule_for(kind, rules)
    length = _length(kind, rule, days)
    if rule.before:
        return _latest_before(start, length, rule.working, calendar)
    if rule.working:
        return calendar.add_working_days(start, length)
    return calendar.add_days(start, length)


def _length(kind: DeadlineKind, rule: DeadlineRule, days: int | None) -> int:
    if days is None and rule.days == 0:
        # A programming error, not a user's: the caller must know the per-case length.
        raise ValueError(f"the {kind} deadline has no default length; pass days=")
    length = rule.days if days is None else days
    if length < 0:
        raise ValidationError("days", "must not be negative")
    return length


def _latest_before(event: dt.date, n: int, working: bool, calendar: WorkCalendar) -> dt.date:
    # "七日前通知" / "催告书送达十日后": we want the whole period to run out before the event
    # day, the day of acting not counted. That satisfies both the strict and the lenient
    # reading; a notice a day early never voids a procedure, a day late does.
    if working:
        return calendar.add_working_days(event, -(n + 1))
    # A calendar-day period ending on a day off runs on to the next working day, so it
    # must end by the last working day before the event.
    last = calendar.previous_working_day(event - dt.timedelta(days=1))
    return calendar.previous_working_day(last - dt.timedelta(days=n))


def days_left(due: dt.date, today: dt.date, calendar: WorkCalendar) -> int:
    """Working days from ``today`` to ``due`` (0 on the due day); negative when overdue.

    Overdue counts the working days lost since ``due``, and is at least -1 even when
    none has passed yet (the Saturday after a Friday deadline is already too late).
    """
    if today <= due:
        return calendar.working_days_between(today, due)
    return -max(1, calendar.working_days_between(due, today))


def status(due: dt.date, today: dt.date, calendar: WorkCalendar) -> DeadlineStatus:
    """``overdue`` after the due day; ``due_soon`` within two working days; else ``ok``."""
    if today > due:
        return "overdue"
    if calendar.working_days_between(today, due) <= DUE_SOON_WORKING_DAYS:
        return "due_soon"
    return "ok"
