"""Chinese and English labels of the audit rules and of the reasons a rule could not evaluate."""

from collections.abc import Mapping

RULE_TITLES: Mapping[str, tuple[str, str]] = {
    "payment.overdue": ("逾期付款", "Overdue payments"),
    "bond.unreturned": ("保证金未退还", "Unreturned bonds"),
    "retention.overheld": ("尾款超期扣留", "Retention held too long"),
    "terms.bond.over_cap": ("履约保证金超过法定上限", "Performance bond over the legal cap"),
    "terms.bond.cash_only": ("保证金只收现金", "Bond accepts cash only"),
    "terms.retention.works_over_cap": ("工程质量保证金超过上限", "Works retention over the cap"),
    "terms.retention.works_defect_over_max": ("缺陷责任期超过最长期限", "Defect period over the maximum"),
    "terms.retention.with_performance_bond": (
        "履约保证金与质量保证金同时预留",
        "Performance bond and quality retention held at once",
    ),
    "terms.payment.over_agreed_max": ("约定付款期限超过法定最长期限", "Agreed payment term over the maximum"),
    "terms.payment.invoice_over_max": ("收票后付款期限过长", "Payment after invoice too late"),
    "terms.settlement.audit": ("以审计结果作为结算依据", "Settlement tied to audit results"),
}
LEGAL_FORCE_TITLES: Mapping[str, tuple[str, str]] = {
    "mandatory": ("违反强制性规定", "Mandatory violation"),
    "encouraged": ("未达鼓励性目标", "Encouraged-target miss"),
}
COVERAGE_REASONS: Mapping[str, str] = {
    "evaluated": "已评估",
    "no_scale": "缺少企业规模",
    "not_sme_public_body": "不适用（大型企业）",
    "no_payment_terms": "无付款条款",
    "no_acceptance_date": "缺少验收日期",
    "no_delivery_date": "缺少交付日期",
    "no_signing_date": "缺少签订日期",
    "no_agreed_term": "未约定付款期限",
    "no_bond": "无保证金",
    "guarantee_not_cash": "保函形式（未占用资金）",
    "no_retention": "无尾款/质保金",
    "no_warranty_end": "缺少质保期满日期",
    "no_return_term": "无退还期限",
    "terms_engine_missing": "条款规则未接入",
    "not_requested": "未要求审查",
    "not_applicable:source_records_no_payments": "不适用：数据源不记录付款",
    "not_applicable:source_records_no_bond_returns": "不适用：数据源不记录保证金退还",
    "not_applicable:source_records_no_retention_releases": "不适用：数据源不记录质保金返还",
}

# what to do about a past-due item of the payments report (the rules' own remedies, shortened)
REMEDIES: Mapping[str, tuple[str, str]] = {
    "payment.overdue": (
        "立即支付欠款并按约定利率（未约定的按每日万分之五）支付逾期利息",
        "pay the amount now with late interest at the agreed rate (else 0.05% a day)",
    ),
    "bond.unreturned": (
        "立即退还保证金，并按规定支付逾期利息",
        "return the bond now, with interest where the law provides",
    ),
    "retention.overheld": ("按期限退还质保金/尾款", "release the retention within its period"),
}
