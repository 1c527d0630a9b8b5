"""``smeproc demo``: load the demo region and print a platform key for it."""

import argparse


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser("demo", help="演示数据 / load demo data and print a demo key")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from api.cli.common import session_scope, settings_from_env
    from procurement.demo import load_demo

    with session_scope(settings_from_env()) as session:
        demo = load_demo(session)
    for name, org_id in demo.organization_ids.items():
        print(f"organization {org_id}: {name}")
    print(f"demo API key: {demo.platform_key}")
    return 0
