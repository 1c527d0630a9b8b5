"""Upgrade, check for drift, downgrade to base and upgrade again on one database (tox ``migrations``).

Usage: python -m tests.migration_roundtrip URL. On PostgreSQL it works in a throwaway schema.
"""

import os
import sys
import uuid

from sqlalchemy import text
from sqlalchemy.engine import make_url

from procurement import schema
from procurement.db import create_db_engine


def roundtrip(url: str) -> None:
    schema.upgrade(url)
    schema.check(url)
    schema.downgrade(url, "base")
    schema.upgrade(url)
    schema.check(url)


def main(url: str) -> int:
    if make_url(url).get_backend_name() == "sqlite":
        roundtrip(url)
        print(f"migrations round trip passed on {url}")
        return 0
    admin = create_db_engine(url)
    try:
        with admin.begin() as connection:
            name = f"smeproc_mig_{uuid.uuid4().hex[:8]}"
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
    except Exception as exc:  # unreachable server
        admin.dispose()
        if os.environ.get("CI") == "true":
            print(f"PostgreSQL unreachable at {url}: {exc}", file=sys.stderr)
            return 1
        print(f"skipped: PostgreSQL unreachable at {url}")
        return 0
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={name}"})
    try:
        roundtrip(scoped.render_as_string(hide_password=False))
        print(f"migrations round trip passed on PostgreSQL (schema {name})")
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
