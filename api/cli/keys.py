"""``smeproc keys create --org ID --role ROLE``: a new API key, printed once."""

import argparse


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser("keys", help="API密钥 / API keys")
    actions = parser.add_subparsers(dest="keys_action", required=True)
    create = actions.add_parser("create", help="create a key (shown once)")
    create.add_argument("--org", type=int, required=True, help="organization id")
    create.add_argument("--role", choices=["officer", "platform", "auditor", "admin"], required=True)
    create.add_argument("--label", default="")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from api.cli.common import session_scope, settings_from_env
    from procurement.organizations.models import Role
    from procurement.organizations.services import create_api_key

    with session_scope(settings_from_env()) as session:
        row, key = create_api_key(session, organization_id=args.org, role=Role(args.role), label=args.label)
        print(f"key id {row.id}, role {row.role.value}, organization {row.organization_id}")
    print(f"API key (shown once / 仅显示一次): {key}")
    return 0
