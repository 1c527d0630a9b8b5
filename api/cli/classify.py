"""``smeproc classify``: the size a supplier counts as (划型), with the reason, as JSON.

Exit status 0; 2 on bad input, with a Chinese and English message on stderr.
"""

import argparse
import json
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

SIZES = ("micro", "small", "medium", "large")
SPECIAL = ("none", "prison_enterprise", "disabled_welfare_unit")


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"应为非负整数 / must be a non-negative whole number: {text!r}")
    return value


def non_negative_decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"应为非负数 / must be a non-negative number: {text!r}")
    return value


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"应为日期 YYYY-MM-DD / must be a date YYYY-MM-DD: {text!r}"
        ) from None


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def emit(body: Any) -> None:
    sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2, default=json_default) + "\n")


def fail(message_zh: str, message_en: str) -> int:
    sys.stderr.write(f"错误：{message_zh}\nerror: {message_en}\n")
    return 2


def rules_failure(exc: Exception) -> int:
    """A rules or domain error (both carry message_zh and message_en) as exit status 2."""
    errors = getattr(exc, "errors", None)
    if errors:  # a domain InvalidInput: name each field
        detail = "; ".join(f"{field}: {' '.join(texts)}" for field, texts in errors.items())
        return fail(detail, detail)
    return fail(getattr(exc, "message_zh", str(exc)), getattr(exc, "message_en", str(exc)))


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser(
        "classify",
        help="中小企业划型 / classify a supplier's size",
        description="按工信部联企业〔2011〕300号划型标准判断企业规模。 Prints JSON; exit 2 on bad input.",
    )
    parser.add_argument("--industry", required=True, help="行业，如 工业、批发业 / size-table industry")
    parser.add_argument("--employees", type=non_negative_int, help="从业人员（人）")
    parser.add_argument("--revenue-wan", type=non_negative_decimal, help="营业收入（万元）")
    parser.add_argument("--assets-wan", type=non_negative_decimal, help="资产总额（万元）")
    parser.add_argument("--declared-size", choices=SIZES, help="声明函所声明的规模 / declared size")
    parser.add_argument("--special-status", choices=SPECIAL, default="none")
    parser.add_argument("--linked-to-large", action="store_true", help="与大企业存在控股、管理关系")
    parser.add_argument(
        "--disabled-staff",
        type=non_negative_int,
        help="残疾人职工人数（残疾人福利性单位，141号）",
    )
    parser.add_argument("--founded-on", type=iso_date, help="成立日期 YYYY-MM-DD（新成立企业可不填划型数据）")
    parser.add_argument("--jurisdiction", default="cn", help="政策包或行政区划代码 (default cn)")
    parser.add_argument("--on", type=iso_date, help="适用日期 YYYY-MM-DD (default today, Beijing)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from api.cli.common import settings_from_env
    from procurement.terms.services import check_size, today_in_china
    from rules.errors import RulesError
    from rules.policy import load_policy_book
    from rules.vocabulary import Size, SpecialStatus

    try:
        book = load_policy_book(settings_from_env().policy_dir)
        snapshot = book.at(args.jurisdiction, args.on or today_in_china())
        body = check_size(
            industry=args.industry,
            employees=args.employees,
            revenue_wan=args.revenue_wan,
            assets_wan=args.assets_wan,
            declared_size=Size(args.declared_size) if args.declared_size else None,
            special_status=SpecialStatus(args.special_status),
            linked_to_large=args.linked_to_large,
            is_enterprise=True,
            snapshot=snapshot,
            disabled_staff=args.disabled_staff,
            founded_on=args.founded_on,
        )
    except RulesError as exc:
        return rules_failure(exc)
    emit(body)
    return 0
