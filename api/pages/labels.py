"""Chinese and English names of the vocabulary the pages show (statuses, kinds, triggers...), and
of the contract fields the SME terms change."""

import re
from typing import Any

LABELS: dict[str, tuple[str, str]] = {
    # contract status
    "draft": ("草稿", "draft"),
    "signed": ("已签订", "signed"),
    "performing": ("履行中", "performing"),
    "completed": ("已完成", "completed"),
    "terminated": ("已终止", "terminated"),
    # jobs and audit runs
    "queued": ("排队中", "queued"),
    "running": ("进行中", "running"),
    "failed": ("失败", "failed"),
    # category and purchaser type
    "goods": ("货物", "goods"),
    "works": ("工程", "works"),
    "services": ("服务", "services"),
    "public_body": ("机关、事业单位", "public body"),
    "other": ("其他", "other"),
    # payment kinds, triggers, day types
    "prepayment": ("预付款", "prepayment"),
    "progress": ("进度款", "progress payment"),
    "final": ("尾款（结算款）", "final payment"),
    "retention": ("质保金（尾款扣留）", "retention"),
    "signing": ("合同签订后", "after signing"),
    "delivery": ("交付后", "after delivery"),
    "acceptance": ("验收合格后", "after acceptance"),
    "invoice": ("收到发票后", "after the invoice"),
    "warranty_end": ("质保期满后", "after the warranty"),
    "calendar": ("日", "calendar days"),
    "working": ("工作日", "working days"),
    # bonds
    "bid": ("投标保证金", "bid bond"),
    "performance": ("履约保证金", "performance bond"),
    "quality_retention": ("质量保证金", "quality retention bond"),
    "cash": ("现金", "cash"),
    "bank_guarantee": ("银行保函", "bank guarantee"),
    "insurance": ("保险", "insurance"),
    "cheque": ("支票、汇票、本票", "cheque or draft"),
    # sizes
    "micro": ("微型企业", "micro"),
    "small": ("小型企业", "small"),
    "medium": ("中型企业", "medium"),
    "large": ("大型企业", "large"),
    # legal force and severity
    "mandatory": ("法定义务（必须执行）", "binding law (must be applied)"),
    "encouraged": (
        "财政部门鼓励的目标（可说明理由不采纳）",
        "the finance department's target (may be declined with a reason)",
    ),
    "violation": ("违规", "violation"),
    "advice": ("建议", "advice"),
    # finding status
    "open": ("待处理", "open"),
    "acknowledged": ("已确认", "acknowledged"),
    "resolved": ("已整改", "resolved"),
    "dismissed": ("已排除", "dismissed"),
    # finding categories (finance audits, contract terms, barriers in tender documents)
    "payment": ("逾期付款", "late payment"),
    "bond": ("保证金超期未退", "bond held past due"),
    "contract_terms": ("合同条款", "contract terms"),
    "sme_size": ("企业规模声明", "SME declaration"),
    "scale.registered_capital": ("注册资本门槛", "registered capital threshold"),
    "scale.revenue": ("营业收入门槛", "revenue threshold"),
    "scale.assets": ("资产门槛", "assets threshold"),
    "scale.employees": ("从业人员门槛", "headcount threshold"),
    "scale.financial": ("财务指标门槛", "financial threshold"),
    "age.years_in_business": ("成立年限门槛", "years in business"),
    "locality.presence": ("本地网点要求", "local presence"),
    "locality.record": ("本地业绩要求", "local track record"),
    "locality.registration": ("本地注册要求", "local registration"),
    "ownership.form": ("所有制形式限制", "ownership form"),
    "brand": ("指定品牌", "named brand"),
    "manufacturer_authorisation": ("厂家授权要求", "manufacturer authorisation"),
    "supplier_library": ("供应商库限制", "supplier list"),
    "disguised_threshold": ("变相门槛", "disguised threshold"),
    "extra_proof": ("可在线查询的信息", "information the buyer can check online"),
    "authority_proof_instead_of_declaration": ("以部门证明代替声明", "authority proof, not a declaration"),
    "sme_proof": ("中小企业证明要求", "SME proof demanded"),
    "set_aside": ("预留份额", "set-aside"),
    "software": ("软件要求", "software"),
    "acknowledge": ("确认", "acknowledge"),
    "resolve": ("标记已整改", "mark resolved"),
    "dismiss": ("排除（须说明理由）", "dismiss (with a reason)"),
}


def label(value: object, lang: str) -> str:
    key = getattr(value, "value", value)
    if key is None:
        return ""
    names = LABELS.get(str(key))
    if names is None:
        return str(key)
    return names[1] if lang == "en" else names[0]


# the terms engine's field paths (API units: rates already as percent), with {n} the row number
FIELDS: dict[str, tuple[str, str]] = {
    "prepayment.percent": ("预付款比例（%）", "prepayment (%)"),
    "acceptance_period_days": ("验收期限（日）", "acceptance period (days)"),
    "settlement_tied_to_audit": ("以审计结果作为结算依据", "settlement waits for an audit"),
    "reserved_notice": ("预留份额告知", "set-aside notice"),
    "bonds.percent": ("第{n}项保证金比例（%）", "bond {n} (%)"),
    "bonds.forms": ("第{n}项保证金缴纳形式", "bond {n}: forms accepted"),
    "bonds.return_days": ("第{n}项保证金退还期限（日）", "bond {n}: returned within (days)"),
    "payment_terms.percent": ("第{n}笔付款比例（%）", "payment {n} (%)"),
    "payment_terms.days": ("第{n}笔付款期限（日）", "payment {n}: due within (days)"),
    "payment_terms.held_months": ("第{n}笔扣留期限（月）", "payment {n}: held (months)"),
}
_INDEXED = re.compile(r"^(\w+)\[(\d+)\]\.(\w+)$")


def field_label(path: str, lang: str) -> str:
    """``bonds[0].percent`` as 第1项保证金比例（%） / bond 1 (%); an unknown path as it is."""
    match = _INDEXED.match(path)
    key, number = (f"{match[1]}.{match[3]}", int(match[2]) + 1) if match else (path, 0)
    names = FIELDS.get(key)
    if names is None:
        return path
    return (names[1] if lang == "en" else names[0]).format(n=number)


def value_label(value: Any, lang: str) -> str:
    """A before/after value as people read it: lists of forms named, yes/no, none as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else ("是" if value else "否")
    if isinstance(value, list | tuple):
        return (", " if lang == "en" else "、").join(label(v, lang) for v in value) or "—"
    return str(value)
