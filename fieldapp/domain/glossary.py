"""The glossary: one English name for each domain term, with its Chinese term.

Code uses the English names; the Chinese terms are what users read (the zh_CN catalogue
must translate each English term to exactly this Chinese term; a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    english: str
    chinese: str
    note: str = ""


GLOSSARY: tuple[Term, ...] = (
    Term("Agency", "执法机关", "the bureau, e.g. XX区城市管理综合行政执法局"),
    Term("Squad", "中队", "城管执法中队"),
    Term("Officer", "执法队员", "holds an enforcement certificate 行政执法证"),
    Term("Certificate number", "执法证号", "行政执法证件号码"),
    Term("Squad leader", "中队长"),
    Term("Legal reviewer", "法制审核员"),
    Term("Agency head", "负责人", "agency head or deputy"),
    Term("Auxiliary", "协管员", "assists; never decides or signs as an officer"),
    Term("Device", "设备"),
    Term("Grid", "网格", "网格化管理 cell"),
    Term("Subject", "当事人", "the person, business or vendor an encounter is about"),
    Term("Individual", "自然人"),
    Term("Business", "单位", "an organisation with a unified social credit code"),
    Term("Individual business", "个体工商户"),
    Term("Unidentified vendor", "流动摊贩（身份不明）", "described by look, goods and place"),
    Term("Shop sign", "店招"),
    Term("Place", "地点"),
    Term("Violation type", "违法行为类型"),
    Term("Inspection", "巡查"),
    Term("Finding", "检查发现"),
    Term("Ladder step", "处置步骤", "one rung of educate → warn → enforce"),
    Term("Education", "教育劝导", "step 1"),
    Term("Warning", "告诫", "step 2, with an order to correct 责令改正 and a deadline"),
    Term("Enforcement", "立案查处", "step 3: open a case 立案"),
    Term("No-penalty list", "轻微违法行为免罚清单"),
    Term("No-penalty item", "免罚清单事项"),
    Term("Case", "案件"),
    Term("Document", "文书", "执法文书"),
    Term("Document number", "文号"),
    Term("Dossier", "案卷"),
    Term("Evidence", "证据"),
    Term("Audit event", "执法全过程记录"),
    Term("Outbox", "待同步变更"),
    Term("Revisit", "回头看", "re-inspection after a warning's deadline"),
    Term("Service", "送达", "serving a document on the party"),
)

BY_ENGLISH: dict[str, Term] = {t.english: t for t in GLOSSARY}
