"""The Chinese wording documents print for stored codes (steps, penalties, kinds…).

This is document text, like the titles in ``document_kinds``: documents are always in
Chinese whatever the user-interface language, so none of it goes through translation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from fieldapp.domain.amounts import rmb_upper
from fieldapp.domain.penalties import Penalty, PenaltyKind

STEP_NAMES = {"educate": "教育劝导", "warn": "告诫", "enforce": "立案查处"}

SUBJECT_KIND_NAMES = {"individual": "自然人", "business": "单位",
                      "individual_business": "个体工商户",
                      "unidentified_vendor": "流动摊贩（身份不明）"}

GENDER_NAMES = {"male": "男", "female": "女"}

# 案件来源 (DOMAIN.md §5.1); an unknown source prints as stored.
CASE_SOURCE_NAMES = {"patrol": "巡查发现", "complaint": "举报投诉", "hotline": "12345热线",
                     "digital": "数字城管派遣", "referral": "部门移送",
                     "assigned": "上级交办", "media": "媒体曝光", "video": "视频监控"}

PENALTY_NAMES = {
    PenaltyKind.WARNING: "警告", PenaltyKind.CRITICISM: "通报批评", PenaltyKind.FINE: "罚款",
    PenaltyKind.CONFISCATE_GAINS: "没收违法所得",
    PenaltyKind.CONFISCATE_PROPERTY: "没收非法财物",
    PenaltyKind.SUSPEND_LICENCE: "暂扣许可证件",
    PenaltyKind.LOWER_QUALIFICATION: "降低资质等级",
    PenaltyKind.REVOKE_LICENCE: "吊销许可证件",
    PenaltyKind.RESTRICT_BUSINESS: "限制开展生产经营活动",
    PenaltyKind.SUSPEND_BUSINESS: "责令停产停业", PenaltyKind.CLOSE_BUSINESS: "责令关闭",
    PenaltyKind.RESTRICT_PRACTICE: "限制从业",
}

# 不予行政处罚的理由 (行政处罚法 art. 33, art. 57).
NO_PENALTY_REASONS = {
    "minor": "违法行为轻微并及时改正，没有造成危害后果",
    "first_offence": "初次违法且危害后果轻微并及时改正",
    "no_fault": "当事人有证据足以证明没有主观过错",
    "not_established": "违法事实不能成立",
}

# 送达方式 (DOMAIN.md §1.5): the values ``DocumentService.method`` takes.
SERVICE_METHODS = {"direct": "直接送达", "left_at_address": "留置送达", "post": "邮寄送达",
                   "electronic": "电子送达", "entrusted": "委托送达", "forwarded": "转交送达",
                   "notice": "公告送达"}

_ORDER = list(PenaltyKind)
_PLACEHOLDER = re.compile(r"\{([a-z0-9_.]+)\}")


def penalty_text(penalty: Penalty) -> str:
    """e.g. 警告，罚款人民币伍佰元整."""
    parts = []
    for kind in sorted(penalty.kinds, key=_ORDER.index):
        text = PENALTY_NAMES[kind]
        if kind is PenaltyKind.FINE:
            text += "人民币" + rmb_upper(penalty.fine_fen)
        elif kind is PenaltyKind.CONFISCATE_GAINS and penalty.confiscation_fen:
            text += "人民币" + rmb_upper(penalty.confiscation_fen)
        parts.append(text)
    return "，".join(parts)


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace ``{snapshot.key}`` placeholders; unknown keys become empty."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), template)
