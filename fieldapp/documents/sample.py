"""A complete, realistic snapshot for previewing templates, tests and the bench.

Every key of ``fields.SNAPSHOT_KEYS`` and of ``EXTRA_KEYS`` holds a value, so a preview
shows every field of a template filled in.
"""

from __future__ import annotations

from fieldapp.documents.templates import load_template
from fieldapp.domain.document_kinds import TITLES, DocumentKind
from fieldapp.domain.snapshot_keys import DOSSIER_KEYS, EXTRA_KEYS

__all__ = ["DOSSIER_KEYS", "EXTRA_KEYS", "SAMPLE", "sample_snapshot"]

_QA = [
    "问：我们是示例市东城区城市管理综合行政执法局的执法人员，这是我们的执法证件，请你过目。"
    "你是否看清楚了？",
    "答：看清楚了。",
    "问：你的基本情况？",
    "答：我叫刘德华，男，在东华门大街28号经营一家水果店，店名叫鲜果坊。",
    "问：2026年11月21日上午9时30分，执法人员在东华门大街28号门前发现你将水果摊位摆放在店外人行道上，"
    "占用面积约6平方米，是否属实？",
    "答：属实，早上进货多，店里放不下，就先摆在门口了。",
    "问：你知道在店外摆摊经营违反了哪些规定吗？",
    "答：知道一点，以前你们来劝导过一次。",
]

SAMPLE: dict[str, str] = {
    "agency.full_name": "示例市东城区城市管理综合行政执法局",
    "agency.short_name": "东城管",
    "agency.address": "示例市东城区东华门大街16号",
    "agency.postcode": "100006",
    "agency.phone": "010-65120000",
    "agency.review_body": "示例市东城区人民政府",
    "agency.court": "示例市东城区人民法院",
    "agency.bank": "中国工商银行示例市东城支行各营业网点",
    "squad.name": "东华门中队",
    "document.id": "0196f3a2-7b1c-7d3e-9a2b-1c2d3e4f5a6b",
    "document.kind": "penalty_decision",
    "document.title": "行政处罚决定书",
    "document.number": "东城管罚决字〔2026〕第7号",
    "document.date": "2026-11-21",
    "document.date_cn": "二〇二六年十一月二十一日",
    "document.copy_note": "",
    "subject.you": "你",
    "subject.kind": "个体工商户",
    "subject.name": "刘德华",
    "subject.shop_sign": "鲜果坊水果店",
    "subject.gender": "男",
    "subject.birth_date": "1978年5月12日",
    "subject.id_number": "110101197805120035",
    "subject.credit_code": "92110101MA01ABCD2X",
    "subject.legal_representative": "",
    "subject.phone": "13800138000",
    "subject.address": "示例市东城区东华门大街28号",
    "subject.description": "",
    "finding.at": "2026年11月21日09时30分",
    "finding.place": "东城区东华门大街28号门前人行道",
    "finding.facts": "当事人在其经营的鲜果坊水果店门外人行道上摆放水果货架三组进行经营，"
                     "占用人行道面积约6平方米，影响行人通行和市容环境。",
    "finding.corrected_on_spot": "否",
    "violation.code": "SR-03",
    "violation.name": "店外经营",
    "violation.provision": "《示例市市容和环境卫生管理条例》第二十二条第一款",
    "violation.penalty_provision": "《示例市市容和环境卫生管理条例》第四十八条第一款",
    "violation.penalty_range": "责令改正，可处五十元以上五百元以下罚款",
    "ladder.step": "立案查处",
    "ladder.history": "2026年10月8日 教育劝导（王建国、李秀英）\n"
                      "2026年10月29日 告诫（王建国、张伟）",
    "correction.requirement": "立即停止店外经营，将摆放在人行道上的货架和商品撤回店内",
    "correction.deadline": "2026年11月24日",
    "no_penalty.item": "第3项 首次店外经营，当场改正",
    "no_penalty.basis": "《示例市城市管理领域轻微违法行为免罚清单》（东城管发〔2025〕12号）",
    "education.content": "向当事人宣讲了市容和环境卫生管理的有关规定，说明店外经营影响行人通行，"
                         "要求其在店内规范经营。",
    "officers.1.name": "王建国",
    "officers.1.certificate_no": "11010023001",
    "officers.2.name": "李秀英",
    "officers.2.certificate_no": "11010023002",
    "case.id": "0196f3a2-7b1c-7d3e-9a2b-aaaaaaaaaaaa",
    "case.no": "东城管立字〔2026〕第31号",
    "case.cause": "刘德华店外经营案",
    "case.source": "巡查发现",
    "case.summary": "当事人经教育劝导和告诫后仍在店外人行道摆放货架经营，占用人行道约6平方米。",
    "case.filed_on": "2026年11月21日",
    "case.penalty": "罚款人民币叁佰元整（¥300.00）",
    "case.fine_yuan": "300.00",
    "case.fine_upper": "叁佰元整",
    "case.payment_due": "2026年12月8日",
    "case.statement_due": "2026年11月26日",
    "case.hearing": "",
    "case.no_penalty_reason": "鉴于当事人系初次违法，危害后果轻微并已当场改正，"
                              "符合不予处罚的条件。",
    "case.decision_on": "2026年11月28日",
    "case.closed_on": "2026年12月10日",
    "case.result": "当事人已于2026年12月3日缴纳罚款，并已改正违法行为。",
    "served.title": "行政处罚决定书",
    "served.number": "东城管罚决字〔2026〕第7号",
    # Extra keys.
    "record.qa": "\n".join(_QA),
    "record.started_at": "2026年11月21日10时05分",
    "record.ended_at": "2026年11月21日10时40分",
    "record.place": "东华门中队办公室",
    "record.recorder": "李秀英",
    "record.witness": "赵志强（东华门社区居委会）",
    "record.relation": "当事人",
    "record.recusal": "否",
    "record.content": "",
    "record.photos": "现场照片4张（附后）",
    "case.evidence": "现场检查笔录、询问笔录、现场照片、营业执照复印件",
    "case.discretion": "鉴于当事人经教育劝导和告诫后仍未改正，但占道面积较小、未造成其他危害后果，"
                       "依照本机关行政处罚裁量基准，属一般情节，在法定幅度内予以处罚。",
    "case.notified_on": "2026年11月22日",
    "case.statement_result": "当事人在规定期限内未提出陈述、申辩。",
    "case.decision_number": "东城管罚决字〔2026〕第7号",
    "case.rule_choice": "适用违法行为发生时施行的规定",
    "case.breach": "是",
    "case.no_penalty_finding": "当事人系初次违法，危害后果轻微并已及时改正。",
    "case.no_penalty_decision": "根据《中华人民共和国行政处罚法》第三十三条第一款第二句、第五十七条"
                                "第一款第（二）项的规定，本机关决定对当事人不予行政处罚。",
    "approval.squad": "",
    "approval.legal": "",
    "approval.head": "",
    "evidence.items": "水果货架|铁质三层 1.5米×0.6米|3组|完好\n苹果|红富士 整箱|5箱|完好",
    "evidence.storage_place": "东华门中队暂扣物品仓库",
    "service.method": "直接送达",
    "service.place": "东华门大街28号鲜果坊水果店",
    "service.refusal": "",
    "service.note": "",
    "service.address": "示例市东城区东华门大街28号鲜果坊水果店",
    "service.recipient": "刘德华",
    "service.phone": "13800138000",
    "service.electronic": "同意",
    "service.email": "liudehua@example.com",
    "service.mobile": "13800138000",
    "photo.taken_at": "2026年11月21日09时32分",
    "photo.place": "东华门大街28号门前",
    "photo.taken_by": "王建国",
    "photo.description": "当事人在店外人行道摆放水果货架经营",
}


def sample_snapshot(kind: DocumentKind | str) -> dict[str, str]:
    """The sample filled in for ``kind``: its title, and a 文号 when the kind has a code."""
    snapshot = dict(SAMPLE)
    snapshot["document.kind"] = str(kind)
    if kind in DocumentKind.__members__.values():
        snapshot["document.title"] = TITLES[DocumentKind(kind)]
    code = load_template(str(kind)).number_code
    snapshot["document.number"] = f"东城管{code}〔2026〕第7号" if code else ""
    return snapshot
