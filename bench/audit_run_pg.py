#!/usr/bin/env python3
"""Time a finance audit run over N imported contracts in PostgreSQL, twice (the second run must
create no finding).

Usage: bench/audit_run_pg.py [N] [--url URL] [--keep]
Creates a throwaway schema, migrates it, imports N releases of shared/bench/ocds_corpus.py through
the OCDS import (the real pipeline: contracts, terms, bonds, events, obligations), then executes the
same audit run of region 650000 twice as the worker does (``execute_audit_run``, committing every
batch) and prints, for each run, the wall time, contracts a second and what it wrote; then drops the
schema (unless --keep).
"""

import argparse
import importlib.util
import random
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import orjson
import psycopg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from procurement import schema
from procurement.db import create_db_engine
from procurement.finance.audit_runs import execute_audit_run, start_audit_run
from procurement.findings.models import StoredFinding
from procurement.imports.services import import_ocds
from procurement.organizations.models import Organization, Role
from procurement.scope import Actor
from rules.vocabulary import OrganizationKind

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT.parent / "shared" / "bench" / "ocds_corpus.py"
IMPORT_BATCH = 2000


def corpus(n: int, seed: int) -> list[bytes]:
    spec = importlib.util.spec_from_file_location("ocds_corpus", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rnd = random.Random(seed)
    return [orjson.dumps(module.release(i, rnd)) for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=20_000)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--as-of", default="2026-11-26")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    schema_name = f"smeproc_bench_{uuid.uuid4().hex[:8]}"
    url = make_url(args.url)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema_name}"')
    scoped = url.update_query_dict({"options": f"-csearch_path={schema_name}"}).render_as_string(
        hide_password=False
    )
    try:
        schema.upgrade(scoped)
        engine = create_db_engine(scoped)
        with Session(engine) as session, session.begin():
            platform = Organization(name="平台", kind=OrganizationKind.PLATFORM, region_code="650000")
            finance = Organization(
                name="财政厅", kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000"
            )
            session.add_all([platform, finance])
            session.flush()
            importer = Actor(0, platform.id, Role.PLATFORM, "650000")
            auditor = Actor(0, finance.id, Role.AUDITOR, "650000")
        lines = corpus(args.count, args.seed)
        started = time.perf_counter()
        for start in range(0, len(lines), IMPORT_BATCH):
            with Session(engine) as session, session.begin():
                data = b"\n".join(lines[start : start + IMPORT_BATCH])
                import_ocds(session, importer, data=data, media_type="application/x-ndjson")
            print(f"  imported {min(start + IMPORT_BATCH, len(lines)):,}", file=sys.stderr, end="\r")
        print(f"imported {len(lines):,} releases in {time.perf_counter() - started:.1f} s")
        as_of = date.fromisoformat(args.as_of)
        for attempt in (1, 2):
            with Session(engine) as session:
                run = start_audit_run(
                    session, auditor, period_from=date(2000, 1, 1), period_to=date(2100, 1, 1), as_of=as_of
                )
                session.commit()
                t0 = time.perf_counter()

                def progress(done: int, total: int, session: Session = session, n: int = attempt) -> None:
                    session.commit()  # as the job does: each batch's findings and the counters
                    print(f"  run {n}: {done:,}/{total:,}", file=sys.stderr, end="\r")

                run = execute_audit_run(session, run.id, progress=progress)
                session.commit()
                seconds = time.perf_counter() - t0
                stored = session.scalar(select(func.count()).select_from(StoredFinding))
                summary = run.summary
            found = sum(summary["findings"].values())
            print(
                f"run {attempt}: {summary['contracts']:,} contracts in {seconds:.1f} s "
                f"({summary['contracts'] / seconds:,.0f} contracts/s); findings {found:,} "
                f"{summary['by_legal_force']}; written {summary['written']}; stored findings {stored:,}"
            )
        engine.dispose()
    finally:
        if not args.keep:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema_name}" CASCADE')


if __name__ == "__main__":
    main()
