"""The field snapshot of a document: the contract between issuing and rendering.

An issued document stores a flat ``dict[str, str]`` (the snapshot). The issuing service
(``fieldapp.services.paperwork.documents``) fills it from the store; templates in ``forms/`` bind
to these keys; the renderer draws exactly what the snapshot holds, so a reprint years
later shows the same text. Every value is a string (empty when unknown); dates are
already formatted the way the document prints them.

Keys (``officers.1`` is the lead officer 主办, ``officers.2`` the assisting 协办):
"""

from __future__ import annotations

SNAPSHOT_KEYS: dict[str, str] = {
    # The issuing agency (执法机关), printed in every header.
    "agency.full_name": "XX市XX区城市管理综合行政执法局",
    "agency.short_name": "简称",
    "agency.address": "地址",
    "agency.postcode": "邮编",
    "agency.phone": "联系电话",
    "agency.review_body": "行政复议机关, e.g. XX区人民政府",
    "agency.court": "管辖法院",
    "agency.bank": "罚款代收银行",
    "squad.name": "中队",
    # The document itself.
    "document.id": "UUIDv7",
    "document.kind": "DocumentKind value",
    "document.title": "official title, e.g. 告诫书",
    "document.number": "文号, e.g. 东城管告字〔2026〕第7号",
    "document.date": "2026-11-21",
    "document.date_cn": "二〇二六年十一月二十一日 (for the seal place)",
    "document.copy_note": "e.g. 第一联 当事人留存 (filled per copy by the renderer)",
    # The party (当事人).
    "subject.kind": "自然人 / 单位 / 个体工商户 / 流动摊贩（身份不明）",
    "subject.name": "姓名或名称",
    "subject.shop_sign": "字号/店招",
    "subject.gender": "男/女",
    "subject.birth_date": "1980年1月1日",
    "subject.id_number": "身份证号",
    "subject.credit_code": "统一社会信用代码",
    "subject.legal_representative": "法定代表人/负责人",
    "subject.phone": "电话",
    "subject.address": "住址/地址",
    "subject.description": "for unidentified vendors: appearance, goods, usual place",
    # What was found (检查发现).
    "finding.at": "2026年11月21日 09时30分 (local time)",
    "finding.place": "地点",
    "finding.facts": "违法事实",
    "finding.corrected_on_spot": "是 / 否",
    "violation.code": "catalogue code",
    "violation.name": "违法行为",
    "violation.provision": "违反的规定 (违则)",
    "violation.penalty_provision": "处罚依据 (罚则)",
    "violation.penalty_range": "法定处罚",
    # The ladder and the no-penalty list.
    "ladder.step": "教育劝导 / 告诫 / 立案查处",
    "ladder.history": "earlier steps, one per line: 2026年10月1日 教育劝导（张三、李四）",
    "correction.requirement": "责令改正的内容",
    "correction.deadline": "2026年11月24日 (date by which to correct)",
    "no_penalty.item": "清单事项 (number and name) when an item applies",
    "no_penalty.basis": "the list's title and doc_no + 《行政处罚法》第三十三条",
    "education.content": "what the officer explained (教育内容)",
    # Officers (two, with certificate numbers; 行政处罚法 art. 42).
    "officers.1.name": "主办执法人员",
    "officers.1.certificate_no": "执法证号",
    "officers.2.name": "协办执法人员",
    "officers.2.certificate_no": "执法证号",
    # The case (for case documents).
    "case.id": "UUIDv7",
    "case.no": "案号/立案文号",
    "case.cause": "案由, e.g. 店外经营案",
    "case.source": "案件来源",
    "case.summary": "案情摘要",
    "case.filed_on": "立案日期",
    "case.penalty": "处罚内容, e.g. 罚款人民币伍佰元整",
    "case.fine_yuan": "500.00",
    "case.fine_upper": "伍佰元整 (amount in capital numerals)",
    "case.payment_due": "缴款期限",
    "case.statement_due": "陈述申辩期限",
    "case.hearing": "听证告知 text when the hearing right applies, else empty",
    "case.no_penalty_reason": "不予处罚的理由",
    "case.decision_on": "决定日期",
    "case.closed_on": "结案日期",
    "case.result": "执行情况",
    # Service (送达回证) of another document.
    "served.title": "送达文书名称",
    "served.number": "送达文书文号",
    # Free fields given on the command line with --field name=value.
}
