#!/usr/bin/env python3
"""Time the pages server-side (Falcon app in process, no network): figures, never a pass/fail.

bench/pages.py contract [--runs N]
    the officer's contract page (draft, SME terms side by side, supplier size, decisions) on a
    fresh SQLite file with the demo region; target < 100 ms.
bench/pages.py overview [--url URL] [--count N] [--schema NAME] [--keep] [--runs N]
    the auditor's region overview (region 650000, all periods, and one year) over bench/
    report_pg.py's contracts on PostgreSQL (1,000,000 by default; --schema reuses a kept one);
    target p95 < 500 ms.
"""

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from falcon import testing
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.app import create_app
from api.pages.web import SESSION_COOKIE
from config.settings import Settings
from procurement import schema
from procurement.dashboard.overview import KIND as OVERVIEW_JOB
from procurement.db import create_db_engine
from procurement.jobs.models import Job, JobState
from procurement.jobs.services import run_job
from procurement.organizations.models import Role
from procurement.organizations.services import create_api_key, create_organization
from procurement.signin.services import issue_key_link, redeem_desk_link
from rules.vocabulary import OrganizationKind


def _times(call: Callable[[], testing.Result], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        out.append((time.perf_counter() - started) * 1000)
        assert result.status_code == 200, result.text[:500]
    return out


def _report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(
        f"{name}: n={len(times)} min {ordered[0]:.1f} ms, median {statistics.median(ordered):.1f} ms, "
        f"p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"
    )


def _session_cookie(url: str, organization_id: int | None, role: Role, region: str) -> str:
    engine = create_db_engine(url)
    with Session(engine) as session:
        org_id = organization_id
        if org_id is None:
            org_id = create_organization(
                session, name="财政厅（测速）", kind=OrganizationKind.FINANCE_DEPARTMENT, region_code=region
            ).id
        key, _ = create_api_key(session, organization_id=org_id, role=role, label="bench")
        link = issue_key_link(session, api_key_id=key.id)
        token = redeem_desk_link(session, link.token).token
        session.commit()
    engine.dispose()
    return token


def contract(args: argparse.Namespace) -> None:
    from procurement.demo import load_demo

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        schema.upgrade(url)
        engine = create_db_engine(url)
        with Session(engine) as session:
            demo = load_demo(session)
            session.commit()
        engine.dispose()
        school = demo.organization_ids["乌鲁木齐市第一中学（演示）"]
        cookie = _session_cookie(url, school, Role.OFFICER, "650102")
        client = testing.TestClient(create_app(Settings(database_url=url)))
        page = lambda: client.simulate_get("/desk/contracts/1", cookies={SESSION_COOKIE: cookie})  # noqa: E731
        _times(page, 20)  # warm: templates compiled, policy caches filled
        _report("officer's contract page (SQLite, demo contract 1)", _times(page, args.runs))
        listing = lambda: client.simulate_get("/desk/", cookies={SESSION_COOKIE: cookie})  # noqa: E731
        _times(listing, 5)
        _report("officer's contract list (SQLite)", _times(listing, args.runs))


def overview(args: argparse.Namespace) -> None:
    import psycopg
    import report_pg  # bench/report_pg.py: its generator and COPY loader

    url = make_url(args.url)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    schema_name = args.schema or f"smeproc_bench_{uuid.uuid4().hex[:8]}"
    scoped = url.update_query_dict({"options": f"-csearch_path={schema_name}"}).render_as_string(
        hide_password=False
    )
    if not args.schema:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema_name}"')
    try:
        if not args.schema:
            schema.upgrade(scoped)
            started = time.perf_counter()
            counts = report_pg.load(conninfo, schema_name, args.count, 12)
            print(
                f"loaded {counts['contracts']:,} contracts in {time.perf_counter() - started:.0f} s",
                flush=True,
            )
        with psycopg.connect(conninfo, autocommit=True) as conn:  # COPY gave explicit ids
            conn.execute(f'SET search_path TO "{schema_name}"')
            conn.execute(
                "SELECT setval(pg_get_serial_sequence('organizations', 'id'), "
                "(SELECT max(id) FROM organizations))"
            )
        cookie = _session_cookie(scoped, None, Role.AUDITOR, "650000")
        engine = create_db_engine(scoped)
        factory = sessionmaker(engine, expire_on_commit=False)
        client = testing.TestClient(create_app(Settings(database_url=scoped), session_factory=factory))
        for label, query in (
            ("all periods", "?region=650000"),
            ("signed in 2025", "?from=2025-01-01&to=2025-12-31"),
        ):
            page = lambda q=query: client.simulate_get(f"/audit/{q}", cookies={SESSION_COOKIE: cookie})  # noqa: E731
            page()  # no figures yet: queues the job (no queue here: run below, as the worker would)
            with factory() as session:
                job_id = session.execute(
                    select(Job.id).where(Job.kind == OVERVIEW_JOB, Job.state == JobState.QUEUED)
                ).scalar_one()
            started = time.perf_counter()
            assert run_job(factory, job_id) is JobState.SUCCEEDED
            print(f"overview figures computed by the job, {label}: {time.perf_counter() - started:.2f} s")
            _report(
                f"region overview page 650000, {label} (PostgreSQL, figures ready)", _times(page, args.runs)
            )
        engine.dispose()
    finally:
        if not (args.keep or args.schema):
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema_name}" CASCADE')
        elif not args.schema:
            print(f"kept schema {schema_name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="which", required=True)
    c = sub.add_parser("contract")
    c.add_argument("--runs", type=int, default=200)
    c.set_defaults(func=contract)
    o = sub.add_parser("overview")
    o.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    o.add_argument("--count", type=int, default=1_000_000)
    o.add_argument("--schema")
    o.add_argument("--keep", action="store_true")
    o.add_argument("--runs", type=int, default=20)
    o.set_defaults(func=overview)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    args.func(args)


if __name__ == "__main__":
    main()
