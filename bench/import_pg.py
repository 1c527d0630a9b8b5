#!/usr/bin/env python3
"""Time the OCDS import of N releases (default 20,000) and ``rederive`` of all of them in PostgreSQL.

Usage: bench/import_pg.py [N] [--url URL] [--seed S] [--batch B]
Creates a throwaway schema, migrates it, imports N releases of shared/bench/ocds_corpus.py through
``import_ocds`` (B releases a transaction, as bench/audit_run_pg.py does), then derives every
contract again as ``smeproc db rederive --everything`` does, and prints for each the wall time,
contracts a second, this process's CPU time (the figure that holds on a busy machine), the share
of the wall time spent deriving (``refresh_obligations``: obligations and the
``contract_audits`` row) and the load average. Drops the schema.
"""

import argparse
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from procurement import schema
from procurement.db import create_db_engine
from procurement.finance import obligations, rederive
from procurement.imports import services
from procurement.organizations.models import Organization, Role
from procurement.scope import Actor
from rules.vocabulary import OrganizationKind

sys.path.insert(0, str(Path(__file__).resolve().parent))
from audit_run_pg import corpus
from audit_run_set_pg import load_average


class Deriving:
    """``refresh_obligations`` as the import and ``rederive`` call it, timed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.original = obligations.refresh_obligations

    def __call__(self, *args: Any, **kwargs: Any) -> int:
        t0 = time.perf_counter()
        try:
            return self.original(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=20_000)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args()
    schema_name = f"smeproc_bench_{uuid.uuid4().hex[:8]}"
    url = make_url(args.url)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema_name}"')
    scoped = url.update_query_dict({"options": f"-csearch_path={schema_name}"}).render_as_string(
        hide_password=False
    )
    timer = Deriving()
    services.refresh_obligations = timer
    rederive.refresh_obligations = timer
    try:
        schema.upgrade(scoped)
        engine = create_db_engine(scoped)
        with Session(engine) as session, session.begin():
            platform = Organization(name="平台", kind=OrganizationKind.PLATFORM, region_code="650000")
            session.add(platform)
            session.flush()
            importer = Actor(0, platform.id, Role.PLATFORM, "650000")
        lines = corpus(args.count, args.seed)
        obligations.default_policy_at()  # the packs load once, outside the timing
        before = load_average()
        started, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(lines), args.batch):
            with Session(engine) as session, session.begin():
                data = b"\n".join(lines[start : start + args.batch])
                services.import_ocds(session, importer, data=data, media_type="application/x-ndjson")
            print(f"  imported {min(start + args.batch, len(lines)):,}", file=sys.stderr, end="\r")
        seconds = time.perf_counter() - started
        print(
            f"import: {len(lines):,} releases in {seconds:.1f} s ({len(lines) / seconds:,.0f}/s, "
            f"{time.process_time() - cpu:.1f} s of this process's CPU), "
            f"deriving {timer.seconds:.1f} s ({timer.seconds / seconds:.0%}); "
            f"load average before {before}, after {load_average()}"
        )

        @contextmanager
        def begin() -> Iterator[Session]:
            with Session(engine) as session, session.begin():
                yield session

        timer.seconds = 0.0
        before = load_average()
        started, cpu = time.perf_counter(), time.process_time()
        contracts, rows = rederive.rederive(begin, everything=True)
        seconds = time.perf_counter() - started
        print(
            f"rederive --everything: {contracts:,} contracts, {rows:,} obligation rows in "
            f"{seconds:.1f} s ({contracts / seconds:,.0f}/s, {time.process_time() - cpu:.1f} s CPU), "
            f"deriving {timer.seconds:.1f} s "
            f"({timer.seconds / seconds:.0%}); "
            f"load average before {before}, after {load_average()}"
        )
        engine.dispose()
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema_name}" CASCADE')


if __name__ == "__main__":
    main()
