"""``smeproc db upgrade|downgrade|check``: the Alembic revisions on the configured database;
``smeproc db rederive``: the derived rows of contracts again after the policy packs changed."""

import argparse


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser("db", help="数据库迁移 / database migrations")
    actions = parser.add_subparsers(dest="db_action", required=True)
    up = actions.add_parser("upgrade", help="upgrade to a revision (default: head)")
    up.add_argument("--to", default="head")
    down = actions.add_parser("downgrade", help="downgrade to a revision (default: base)")
    down.add_argument("--to", default="base")
    actions.add_parser("check", help="fail when the models drifted from the revisions")
    again = actions.add_parser(
        "rederive",
        help="重新计算合同的付款义务与审计行（政策包变更后）/ derive contracts' obligations and audit rows "
        "again after a policy pack changed",
    )
    again.add_argument("--all", action="store_true", help="every contract, not only the stale ones")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from api.cli.common import settings_from_env
    from procurement import schema

    url = settings_from_env().database_url
    if args.db_action == "upgrade":
        schema.upgrade(url, args.to)
    elif args.db_action == "downgrade":
        schema.downgrade(url, args.to)
    elif args.db_action == "rederive":
        return _rederive(args)
    else:
        schema.check(url)
    return 0


def _rederive(args: argparse.Namespace) -> int:
    from collections.abc import Iterator
    from contextlib import contextmanager

    from sqlalchemy.orm import Session

    from api.cli.common import settings_from_env
    from procurement.db import begin_write, create_db_engine, create_session_factory
    from procurement.finance.rederive import rederive

    engine = create_db_engine(settings_from_env().database_url)
    factory = create_session_factory(engine)

    @contextmanager
    def begin() -> Iterator[Session]:
        with factory() as session, session.begin():
            begin_write(session)  # SQLite: the write gate first, as every writer takes it
            yield session

    def progress(contracts: int, rows: int) -> None:
        print(
            f"已重新计算 {contracts} 份合同，{rows} 条义务 / {contracts} contracts, {rows} obligations",
            flush=True,
        )

    try:
        contracts, rows = rederive(begin, everything=args.all, progress=progress)
    finally:
        engine.dispose()
    print(f"完成：{contracts} 份合同 / done: {contracts} contracts derived again, {rows} obligation rows")
    return 0
