"""``smeproc db upgrade|downgrade|check``: the Alembic revisions on the configured database."""

import argparse


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser("db", help="数据库迁移 / database migrations")
    actions = parser.add_subparsers(dest="db_action", required=True)
    up = actions.add_parser("upgrade", help="upgrade to a revision (default: head)")
    up.add_argument("--to", default="head")
    down = actions.add_parser("downgrade", help="downgrade to a revision (default: base)")
    down.add_argument("--to", default="base")
    actions.add_parser("check", help="fail when the models drifted from the revisions")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from api.cli.common import settings_from_env
    from procurement import schema

    url = settings_from_env().database_url
    if args.db_action == "upgrade":
        schema.upgrade(url, args.to)
    elif args.db_action == "downgrade":
        schema.downgrade(url, args.to)
    else:
        schema.check(url)
    return 0
