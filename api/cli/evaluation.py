"""``smeproc reservation`` and ``smeproc deduction``: a project's reservation duty and a bid's
evaluated price under the rules of the announcement date, as JSON with citations and pack version.

Exit status 0; 2 on bad input (Chinese and English message on stderr).
"""

import argparse

from api.cli.classify import iso_date, non_negative_decimal

CATEGORIES = ("goods", "works", "services")
SIZES = ("micro", "small", "medium", "large")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jurisdiction", required=True, help="政策包或行政区划代码，如 cn-65、650102")
    parser.add_argument(
        "--announced-on", required=True, type=iso_date, help="采购公告日期 YYYY-MM-DD / announcement date"
    )
    parser.add_argument("--category", required=True, choices=CATEGORIES)


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    reservation = sub.add_parser(
        "reservation",
        help="项目预留份额 / a project's SME reservation duty",
        description="按公告日有效的政策计算项目面向中小企业的预留份额（财库〔2020〕46号第七、八条）。"
        " Prints JSON; exit 2 on bad input.",
    )
    _common(reservation)
    reservation.add_argument("--budget", required=True, type=non_negative_decimal, help="预算金额（元）")
    reservation.add_argument(
        "--suitable-amount", type=non_negative_decimal, help="适宜由中小企业提供的部分（元），默认为全部预算"
    )
    reservation.add_argument(
        "--not-suitable", action="store_true", help="不适宜由中小企业提供 / not suitable for SMEs"
    )
    reservation.add_argument(
        "--below-threshold",
        action="store_true",
        help="未达到政府采购限额标准 / below the procurement threshold",
    )
    reservation.set_defaults(func=run_reservation)

    deduction = sub.add_parser(
        "deduction",
        help="价格扣除 / a bid's price deduction",
        description="按公告日有效的政策检查价格扣除比例并计算评审价（财库〔2020〕46号第九条、财库〔2022〕19号）。"
        " Prints JSON; exit 2 on bad input (a rate outside the range, or not 0%% in a reserved package).",
    )
    _common(deduction)
    deduction.add_argument("--quote", required=True, type=non_negative_decimal, help="投标报价（元）")
    deduction.add_argument(
        "--stated-percent", required=True, type=non_negative_decimal, help="采购文件规定的扣除比例（%%）"
    )
    deduction.add_argument("--kind", choices=("small_micro", "consortium"), default="small_micro")
    deduction.add_argument("--bidder-size", choices=SIZES, help="投标人规模 / the bidder's size")
    deduction.add_argument(
        "--small-micro-share-percent", type=non_negative_decimal, help="联合体或分包中小微企业份额（%%）"
    )
    deduction.add_argument(
        "--reserved", action="store_true", help="预留份额采购包（不给予扣除，比例应为0）/ a reserved package"
    )
    deduction.set_defaults(func=run_deduction)


def run_reservation(args: argparse.Namespace) -> int:
    from api.cli.classify import emit, rules_failure
    from api.cli.common import settings_from_env
    from procurement.errors import DomainError
    from procurement.evaluation.services import check_reservation
    from rules.errors import RulesError
    from rules.policy import load_policy_book
    from rules.vocabulary import Category

    try:
        book = load_policy_book(settings_from_env().policy_dir)
        body = check_reservation(
            snapshot=book.at(args.jurisdiction, args.announced_on),
            category=Category(args.category),
            budget=args.budget,
            suitable_amount=args.suitable_amount,
            suitable_for_sme=not args.not_suitable,
            above_procurement_threshold=not args.below_threshold,
        )
    except (RulesError, DomainError) as exc:
        return rules_failure(exc)
    emit(body)
    return 0


def run_deduction(args: argparse.Namespace) -> int:
    from api.cli.classify import emit, rules_failure
    from api.cli.common import settings_from_env
    from procurement.errors import DomainError
    from procurement.terms.services import check_price_deduction
    from rules.errors import RulesError
    from rules.evaluation import DeductionKind
    from rules.policy import load_policy_book
    from rules.vocabulary import Category, Size

    try:
        book = load_policy_book(settings_from_env().policy_dir)
        body = check_price_deduction(
            snapshot=book.at(args.jurisdiction, args.announced_on),
            category=Category(args.category),
            quote=args.quote,
            stated_percent=args.stated_percent,
            kind=DeductionKind(args.kind),
            bidder_size=Size(args.bidder_size) if args.bidder_size else None,
            small_micro_share_percent=args.small_micro_share_percent,
            reserved=args.reserved,
        )
    except (RulesError, DomainError) as exc:
        return rules_failure(exc)
    emit(body)
    return 0
