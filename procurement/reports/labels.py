"""Chinese and English labels of the audit rules and of the reasons a rule could not evaluate."""

from collections.abc import Mapping

RULE_TITLES: Mapping[str, tuple[str, str]] = {
    "payment.overdue": ("逾期付款", "Overdue payments"),
    "bond.unreturned": ("保证金未退还", "Unreturned bonds"),
    "retention.overheld": ("尾款超期扣留", "Retention held too long"),
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
}
