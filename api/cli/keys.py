"""``smeproc keys``: ``create`` a key (printed once), ``list`` keys with their last use, ``revoke`` one,
or ``expire`` it at a time (``--never`` clears the expiry)."""

import argparse
from datetime import UTC, datetime


def _moment(text: str) -> datetime:
    """An ISO date or date-time; without a zone it is taken as UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser("keys", help="API密钥 / API keys")
    actions = parser.add_subparsers(dest="keys_action", required=True)
    create = actions.add_parser("create", help="create a key (shown once)")
    create.add_argument("--org", type=int, required=True, help="organization id")
    create.add_argument("--role", choices=["officer", "platform", "auditor", "admin"], required=True)
    create.add_argument("--label", default="")
    create.add_argument("--expires", type=_moment, help="ISO date or date-time (UTC unless zoned)")
    listing = actions.add_parser("list", help="keys with revocation, expiry and last use")
    listing.add_argument("--org", type=int)
    revoke = actions.add_parser("revoke", help="revoke a key for good")
    revoke.add_argument("key_id", type=int)
    expire = actions.add_parser("expire", help="set or clear a key's expiry")
    expire.add_argument("key_id", type=int)
    when = expire.add_mutually_exclusive_group(required=True)
    when.add_argument("--at", type=_moment)
    when.add_argument("--never", action="store_true")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from api.cli.common import session_scope, settings_from_env
    from procurement.organizations import keys
    from procurement.organizations.models import ApiKey, Role
    from procurement.organizations.services import create_api_key

    with session_scope(settings_from_env()) as session:
        if args.keys_action == "create":
            row, key = create_api_key(
                session,
                organization_id=args.org,
                role=Role(args.role),
                label=args.label,
                expires_at=args.expires,
            )
            print(f"key id {row.id}, role {row.role.value}, organization {row.organization_id}")
            print(f"API key (shown once / 仅显示一次): {key}")
            return 0
        if args.keys_action == "list":
            query = session.query(ApiKey).order_by(ApiKey.id)
            if args.org is not None:
                query = query.filter(ApiKey.organization_id == args.org)
            print("id\torg\trole\tprefix\trevoked_at\texpires_at\tlast_used_at\tlabel")
            for row in query:
                print(
                    f"{row.id}\t{row.organization_id}\t{row.role.value}\t{row.prefix}\t"
                    f"{row.revoked_at or '-'}\t{row.expires_at or '-'}\t"
                    f"{row.last_used_at or '-'}\t{row.label}"
                )
            return 0
        row = keys.find_key(session, args.key_id)
        if args.keys_action == "revoke":
            keys.change_key(session, "cli", row, revoke=True)
            print(f"已吊销 / revoked: key {row.id} (smp_{row.prefix}_...)")
        else:
            keys.change_key(session, "cli", row, expires_at=args.at, clear_expiry=args.never)
            print(f"有效期 / expires: key {row.id} -> {row.expires_at or 'never'}")
    return 0
