#!/usr/bin/env python3
"""Time the set-based finance audit run over N contracts (default 1,000,000) in PostgreSQL, twice.

Usage: bench/audit_run_set_pg.py [N] [--url URL] [--keep] [--schema NAME] [--reset] [--check K]
Loads N contracts with bench/report_pg.py's loader in its ``derive`` mode (COPY: contracts, their
terms, bonds, events, and the obligation and ``contract_audits`` rows the rules derive), then
executes the same audit run of region 650000 twice as the worker does (``execute_audit_run``,
committing after every chunk) and prints, per run, the wall time, contracts a second, what it
found and wrote, how many contracts it audited one by one, and the load average. The second run
must open no finding; it takes the contracts nothing changed in as unchanged (``procurement.finance.
rerun``: nothing written for them). ``--check K`` first audits K contracts both ways (set-based and
one by one) and prints whether they agree. Drops the schema unless --keep; ``--schema`` reuses a
kept one (``--reset`` first deletes its findings, runs and events and the runs' marks, so that run 1
is a first run again).
"""

import argparse
import os
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import psycopg
from sqlalchemy import func, select, true
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report_pg import load

from procurement import schema
from procurement.db import create_db_engine
from procurement.finance.audit_runs import execute_audit_run, start_audit_run
from procurement.finance.obligations import default_policy_at
from procurement.finance.set_audit import Tally, audit_chunk, audit_one_by_one
from procurement.findings.models import StoredFinding
from procurement.findings.upsert import jsonable
from procurement.organizations.models import Organization, Role
from procurement.scope import Actor
from rules.vocabulary import OrganizationKind


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def check(session: Session, k: int, as_of: date) -> None:
    """Audit the first k contracts set-based and one by one; print whether the findings agree."""
    ids = list(session.scalars(select(func.generate_series(1, k))))
    policy_at = default_policy_at()
    one, many = Tally(), Tally()
    t0 = time.perf_counter()
    expected = {
        s.key: (s.finding.message_zh, jsonable(s.finding.evidence))
        for s in audit_one_by_one(session, ids, policy_at, as_of, one)
    }
    t1 = time.perf_counter()
    found = {
        s.key: (s.finding.message_zh, jsonable(s.finding.evidence))
        for s in audit_chunk(session, true(), ids, policy_at, as_of, many)
    }
    t2 = time.perf_counter()
    same = found == expected and many.coverage == one.coverage
    print(
        f"check on {k:,} contracts: set-based {'==' if same else '!='} one by one "
        f"({len(found):,} findings; one by one {t1 - t0:.1f} s, set-based {t2 - t1:.2f} s, "
        f"{many.one_by_one} of them one by one)"
    )
    if not same:
        missing = expected.keys() - found.keys()
        extra = found.keys() - expected.keys()
        differ = [key for key in expected.keys() & found.keys() if expected[key] != found[key]]
        print(f"  missing {len(missing)}, extra {len(extra)}, differing {len(differ)}: {sorted(differ)[:3]}")
        print(f"  coverage one by one {one.coverage}\n  coverage set-based {many.coverage}")
    session.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--as-of", default="2026-11-26")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--schema", help="run on this kept schema; load nothing, drop nothing")
    parser.add_argument("--check", type=int, default=2000, help="contracts to audit both ways first")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--reset", action="store_true", help="with --schema: forget earlier runs")
    args = parser.parse_args()
    schema_name = args.schema or f"smeproc_bench_{uuid.uuid4().hex[:8]}"
    url = make_url(args.url)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    if not args.schema:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema_name}"')
    scoped = url.update_query_dict({"options": f"-csearch_path={schema_name}"}).render_as_string(
        hide_password=False
    )
    as_of = date.fromisoformat(args.as_of)
    try:
        if not args.schema:
            schema.upgrade(scoped)
            started = time.perf_counter()
            counts = load(conninfo, schema_name, args.count, args.seed, derive=True)
            print(
                f"loaded {counts['contracts']:,} contracts, {counts['events']:,} events, "
                f"{counts['obligations']:,} obligations (derived) in {time.perf_counter() - started:.0f} s"
                f" into schema {schema_name}"
            )
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'SET search_path TO "{schema_name}"')
                for table in ("organizations", "contracts"):  # COPY gave ids: move the sequences on
                    conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                    )
        if args.schema and args.reset:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'SET search_path TO "{schema_name}"')
                conn.execute("TRUNCATE findings, finding_transitions, outbox_events, audit_runs CASCADE")
                conn.execute("UPDATE contract_audits SET audited_run_id = NULL")
                conn.execute("VACUUM ANALYZE contract_audits")
        engine = create_db_engine(scoped)
        with Session(engine) as session, session.begin():
            finance = session.scalar(
                select(Organization).where(Organization.kind == OrganizationKind.FINANCE_DEPARTMENT)
            )
            if finance is None:
                finance = Organization(
                    name="财政厅", kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000"
                )
                session.add(finance)
                session.flush()
            auditor = Actor(0, finance.id, Role.AUDITOR, "650000")
        if args.check:
            with Session(engine) as session:
                check(session, min(args.check, args.count), as_of)
        for attempt in range(1, args.runs + 1):
            with Session(engine) as session:
                run = start_audit_run(
                    session, auditor, period_from=date(2000, 1, 1), period_to=date(2100, 1, 1), as_of=as_of
                )
                session.commit()
                before = load_average()
                t0 = time.perf_counter()

                def progress(
                    done: int, total: int, session: Session = session, n: int = attempt, t0: float = t0
                ) -> None:
                    session.commit()  # as the job does: each chunk's findings and the counters
                    print(
                        f"  run {n}: {done:,}/{total:,} {time.perf_counter() - t0:.0f} s",
                        file=sys.stderr,
                        end="\r",
                    )

                run = execute_audit_run(session, run.id, progress=progress)
                session.commit()
                seconds = time.perf_counter() - t0
                stored = session.scalar(select(func.count()).select_from(StoredFinding))
                summary = run.summary
            found = sum(summary["findings"].values())
            print(
                f"run {attempt}: {summary['contracts']:,} contracts in {seconds:.1f} s "
                f"({summary['contracts'] / seconds:,.0f} contracts/s), {summary['audited_one_by_one']:,} "
                f"one by one; findings {found:,} {summary['findings']} {summary['by_legal_force']}; "
                f"written {summary['written']}; stored findings {stored:,}; "
                f"load average before {before}, after {load_average()}"
            )
        if args.runs:
            print("coverage:", summary["coverage"])
        engine.dispose()
    finally:
        if not (args.keep or args.schema):
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema_name}" CASCADE')


if __name__ == "__main__":
    main()
