"""``smeproc demo [--links URL]``: load the demo region and print a platform key for it; with
``--links``, one-time sign-in links for the officer's desk and the auditor's dashboard too."""

import argparse

DEMO_OFFICER = "演示经办人"
SCHOOL = "乌鲁木齐市第一中学（演示）"
FINANCE = "新疆维吾尔自治区财政厅（演示）"


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser("demo", help="演示数据 / load demo data and print a demo key")
    parser.add_argument(
        "--links",
        metavar="URL",
        help="the service's base URL (http://127.0.0.1:8000): print one-time desk and dashboard links",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from api.cli.common import session_scope, settings_from_env
    from procurement.demo import load_demo
    from procurement.organizations.models import Role
    from procurement.organizations.services import authenticate, create_api_key
    from procurement.signin.services import DESK_LINK_MAX_MINUTES, issue_desk_link, issue_key_link

    with session_scope(settings_from_env()) as session:
        demo = load_demo(session)
        links: list[tuple[str, str]] = []
        if args.links:
            base = args.links.rstrip("/")
            platform = authenticate(session, demo.platform_key)
            desk = issue_desk_link(
                session,
                platform,
                purchaser_id=demo.organization_ids[SCHOOL],
                person_name=DEMO_OFFICER,
                valid_minutes=DESK_LINK_MAX_MINUTES,
            )
            row, auditor_key = create_api_key(
                session, organization_id=demo.organization_ids[FINANCE], role=Role.AUDITOR, label="demo"
            )
            dashboard = issue_key_link(session, api_key_id=row.id, person_name="演示审计员")
            links = [
                ("officer's desk / 经办人工作台", f"{base}/desk/link/{desk.token}"),
                ("auditor's dashboard / 财政审计看板", f"{base}/signin/link/{dashboard.token}"),
                ("auditor API key (sign-in form) / 审计密钥", auditor_key),
            ]
    for name, org_id in demo.organization_ids.items():
        print(f"organization {org_id}: {name}")
    print(f"demo API key: {demo.platform_key}")
    for title, value in links:
        print(f"{title}: {value}")
    if links:
        print(
            f"(the links work once, within {DESK_LINK_MAX_MINUTES} minutes; sign in again at {base}/signin)"
        )
    return 0
