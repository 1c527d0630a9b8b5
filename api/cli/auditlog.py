"""``smeproc audit-log verify``: walk the hash chain; exit 1 naming the first broken entry."""

import argparse


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser("audit-log", help="审计日志 / the audit log")
    actions = parser.add_subparsers(dest="log_action", required=True)
    actions.add_parser("verify", help="verify the hash chain")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from api.cli.common import session_scope, settings_from_env
    from procurement.auditlog.services import verify

    with session_scope(settings_from_env()) as session:
        checked, broken = verify(session)
    if broken is None:
        print(f"审计日志完整：{checked}条记录 / audit log intact: {checked} entries")
        return 0
    print(f"审计日志被篡改：{broken.reason_zh} / audit log broken at entry {broken.seq}: {broken.reason_en}")
    return 1
