"""The keys of a document's field snapshot, declared once.

An issued document stores a flat ``dict[str, str]`` (the snapshot): the issuing service
fills it from the store, templates in ``forms/`` bind to these keys, the renderer draws
exactly what the snapshot holds, so a reprint years later shows the same text. Every
value is a string (empty when unknown); dates are already formatted as documents print
them. ``officers.1`` is the lead officer (主办), ``officers.2`` the assisting one (协办).

``SNAPSHOT_KEYS`` is the contract every template may rely on; ``EXTRA_KEYS`` are filled
for some kinds only; ``DOSSIER_KEYS`` for the dossier's own pages; ``LABELS`` are the
Chinese names an error about a missing value prints.
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
    "subject.you": "你 (a person) / 你单位 (an organisation): how documents address the party",
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
}

EXTRA_KEYS: dict[str, str] = {
    # Records (笔录); all optional: an empty value prints a blank to fill in by hand.
    "record.qa": "笔录的问答, one line each: 问：… / 答：… (lines without a mark: text)",
    "record.started_at": "笔录开始时间, e.g. 2026年11月21日09时30分",
    "record.ended_at": "笔录结束时间",
    "record.place": "笔录地点 (default finding.place)",
    "record.recorder": "记录人 (default officers.2.name)",
    "record.witness": "见证人 / 在场人",
    "record.relation": "被询问人与本案的关系, e.g. 当事人",
    "record.recusal": "是否申请回避",
    "record.content": "现场检查情况 (default finding.facts)",
    "record.photos": "现场照片, e.g. 现场照片4张（附后）",
    # Case documents.
    "case.evidence": "证据名称, e.g. 现场检查笔录、询问笔录、现场照片",
    "case.discretion": "裁量理由 (说理)",
    "case.notified_on": "事先告知书送达日期",
    "case.statement_result": "陈述申辩及复核情况",
    "case.decision_number": "处罚决定书文号 (结案审批表)",
    "case.rule_choice": "which version of the rule applied and why (art. 37)",
    "case.breach": "是 when the decision asserts a breach (empty for 违法事实不能成立)",
    "case.no_penalty_finding": "the ground found (art. 33 / art. 57), one sentence",
    "case.no_penalty_decision": "根据…的规定，本机关决定对当事人不予行政处罚。",
    "rule.version": "the catalogue version or the city rule applied",
    "rule.choice": "why that version applies (art. 37)",
    "act.date": "ISO day of the act the document records (its date)",
    "service.on": "ISO day of service",
    "amends.number": "文号 of the document this one corrects",
    "amends.reason": "更正原因",
    "approval.squad": "承办机构意见",
    "approval.legal": "法制审核意见",
    "approval.head": "负责人审批意见",
    # 证据先行登记保存.
    "evidence.items": "物品清单, one item a line: 名称|规格|数量|状况",
    "evidence.storage_place": "保存地点",
    # Service (送达回证, 送达地址确认书).
    "service.method": "送达方式 (empty: the boxes to tick)",
    "service.place": "送达地点",
    "service.refusal": "拒收事由和日期",
    "service.note": "备注",
    "service.address": "确认的送达地址",
    "service.recipient": "收件人",
    "service.phone": "收件人电话",
    "service.electronic": "是否同意电子送达",
    "service.email": "电子邮箱",
    "service.mobile": "接收短信的手机号码",
    # 现场照片证据.
    "photo.taken_at": "拍摄时间",
    "photo.place": "拍摄地点",
    "photo.taken_by": "拍摄人",
    "photo.description": "证明内容",
}

DOSSIER_KEYS: dict[str, str] = {
    "dossier.title": "案件名称: party + act + 案",
    "dossier.decision_number": "处罚决定书文号",
    "dossier.unit": "办案机构 (default squad.name)",
    "dossier.retention": "保管期限, e.g. 永久 / 30年",
    "dossier.archive_no": "归档号 (blank until archived)",
    "dossier.fonds_no": "全宗号", "dossier.catalogue_no": "目录号", "dossier.volume_no": "案卷号",
    "dossier.missing": "缺少的材料, one a line (备考表)",
    "dossier.note": "其他说明, one a line (音像资料另存 …)",
    "dossier.compiler": "立卷人", "dossier.compiled_on": "立卷日期",
    "dossier.checker": "检查人", "dossier.checked_on": "检查日期",
}

LABELS: dict[str, str] = {
    "subject.gender": "当事人性别",
    "subject.id_number": "当事人身份证号",
    "subject.phone": "当事人电话",
    "subject.credit_code": "统一社会信用代码",
    "subject.legal_representative": "法定代表人或负责人",
    "subject.shop_sign": "个体工商户字号",
    "subject.description": "当事人体貌特征",
    "agency.full_name": "执法机关名称",
    "agency.address": "执法机关地址",
    "agency.phone": "执法机关联系电话",
    "agency.review_body": "行政复议机关",
    "agency.court": "管辖法院",
    "agency.bank": "罚款代收银行",
    "document.number": "文号",
    "document.date_cn": "文书日期",
    "subject.name": "当事人姓名或名称",
    "subject.address": "当事人住址",
    "officers.1.name": "主办执法人员",
    "officers.1.certificate_no": "主办执法人员执法证号",
    "officers.2.name": "协办执法人员",
    "officers.2.certificate_no": "协办执法人员执法证号",
    "finding.at": "检查时间",
    "finding.place": "检查地点",
    "finding.facts": "违法事实",
    "violation.name": "违法行为",
    "violation.provision": "违反的规定",
    "violation.penalty_provision": "处罚依据",
    "correction.requirement": "责令改正的内容",
    "correction.deadline": "改正期限",
    "education.content": "教育内容",
    "no_penalty.item": "免罚清单事项",
    "no_penalty.basis": "免罚依据",
    "case.cause": "案由",
    "case.source": "案件来源",
    "case.summary": "案情摘要",
    "case.penalty": "处罚内容",
    "case.statement_due": "陈述申辩期限",
    "case.decision_on": "决定日期",
    "case.no_penalty_reason": "不予处罚的理由",
    "case.result": "执行情况",
    "served.title": "送达文书名称",
    "served.number": "送达文书文号",
    "case.discretion": "裁量理由",
    "case.no_penalty_decision": "不予处罚的依据",
}

ALL_KEYS = frozenset(SNAPSHOT_KEYS) | frozenset(EXTRA_KEYS) | frozenset(DOSSIER_KEYS)
