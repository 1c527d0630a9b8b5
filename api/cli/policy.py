"""``smeproc policy list`` and ``smeproc policy show JURISDICTION [--on DATE]``: the policy packs.

Prints JSON; exit 2 on an unknown jurisdiction or a date no pack covers.
"""

import argparse

from api.cli.classify import iso_date


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser("policy", help="政策包与参数 / policy packs and their parameters")
    actions = parser.add_subparsers(dest="policy_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="政策包及有效期 / packs, versions and coverage")
    listing.set_defaults(func=run)
    show = actions.add_parser("show", help="某日有效的参数 / parameters in force on a date")
    show.add_argument("jurisdiction", help="政策包编号或六位行政区划代码 / pack id or region code")
    show.add_argument("--on", type=iso_date, help="YYYY-MM-DD (default today, Beijing)")
    show.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from api.cli.classify import emit, rules_failure
    from api.cli.common import settings_from_env
    from procurement.terms.services import policy_in_force, policy_packs, today_in_china
    from rules.errors import RulesError
    from rules.policy import load_policy_book

    try:
        book = load_policy_book(settings_from_env().policy_dir)
        if args.policy_command == "list":
            emit(policy_packs(book))
        else:
            emit(policy_in_force(book, args.jurisdiction, args.on or today_in_china()))
    except RulesError as exc:
        return rules_failure(exc)
    return 0
