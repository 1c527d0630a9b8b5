#!/usr/bin/env python3
"""Time the regional payments report over N contracts (default 1,000,000) in PostgreSQL.

Usage: bench/report_pg.py [N] [--url URL] [--runs R] [--keep] [--schema NAME]
Creates a throwaway schema, migrates it, bulk-loads (COPY) organizations, contracts, their
events and their ``contract_obligations`` rows shaped like shared/bench/ocds_corpus.py's releases
(the obligation rows as refresh_obligations derives them: statutory payment duty for SME
suppliers, cash bonds, retention), ANALYZEs, times ``region_report`` + ``report_json`` for the
whole region R times and prints the figures, then drops the schema (unless --keep). ``--schema``
times a schema kept by an earlier run instead of loading one (and leaves it).
"""

import argparse
import io
import random
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from procurement import schema
from procurement.db import create_db_engine
from procurement.organizations.models import Role
from procurement.reports.db_report import region_report, report_json
from procurement.scope import Actor

REGIONS = ["650100", "650200", "650400", "652300", "652800", "654000", "659001"]
SCALES = ["micro", "sme", "sme", "sme", "large"]
CATEGORIES = ["goods", "goods", "goods", "services", "services", "services", "works", "works"]
PURCHASERS_PER_REGION = 500
ORG_COLUMNS = "id, name, kind, region_code, created_at, external_id"
CONTRACT_COLUMNS = (
    "id, owner_org_id, purchaser_id, region_code, external_ref, title, category, amount, currency, "
    "purchaser_type, signed_on, jurisdiction, sme_reserved, status, settlement_tied_to_audit, "
    "supplier_scale, ocid, version, created_at, updated_at"
)
EVENT_COLUMNS = "contract_id, kind, occurred_on, amount, note, recorded_by_org_id, created_at"
OBLIGATION_COLUMNS = (
    "contract_id, purchaser_id, region_code, signed_on, kind, ref, amount, arises_on, due_on, "
    "settled_on, settled_amount, approximate, policy_version, basis"
)
NOW = "2026-11-26 00:00:00+00"
NULL = "\\N"


def _d(value: date | None) -> str:
    return value.isoformat() if value is not None else NULL


def _m(value: Decimal | None) -> str:
    return str(value) if value is not None else NULL


def generate(n: int, seed: int) -> Iterator[tuple[str, list[str], list[str]]]:
    """Per contract: its contracts row, event rows and obligation rows as COPY text lines."""
    rnd = random.Random(seed)
    base = date(2024, 1, 1)
    cent = Decimal("0.01")
    for i in range(1, n + 1):
        region_index = rnd.randrange(len(REGIONS))
        region = REGIONS[region_index]
        purchaser = 2 + region_index * PURCHASERS_PER_REGION + rnd.randrange(PURCHASERS_PER_REGION)
        scale = rnd.choice(SCALES)
        amount = Decimal(rnd.choice([8_000, 45_000, 120_000, 480_000, 1_900_000, 3_600_000, 12_000_000]))
        amount = (amount * Decimal(rnd.uniform(0.6, 1.4))).quantize(cent)
        signed = base + timedelta(days=rnd.randrange(0, 700))
        prepay = rnd.choice([0, 0, 10, 20, 30, 40, 50])
        retention = rnd.choice([0, 0, 3, 5, 10])
        bond = rnd.choice([0, 2, 5, 5, 10, 15])
        form = rnd.choice(["cash", "guarantee", "insurance", "cheque"])
        rest = 100 - prepay - retention
        delivered = signed + timedelta(days=20 + rnd.randrange(0, 90))
        accepted = delivered + timedelta(days=rnd.choice([3, 5, 7, 15, 30]))
        paid_on = accepted + timedelta(days=rnd.choice([10, 20, 28, 30, 45, 60, 90, 150]))
        paid = rnd.random() < 0.9
        ocid = f"ocds-xj0001-{region}-{i:09d}"
        contract = "\t".join(
            (
                str(i), "1", str(purchaser), region, f"{ocid}-c1", "采购合同", rnd.choice(CATEGORIES),
                str(amount), "CNY", "public_body", signed.isoformat(), region, "f", "completed", "f",
                scale, ocid, "1", NOW, NOW,
            )
        )  # fmt: skip
        events = [
            f"{i}\tdelivered\t{delivered}\t{NULL}\tOCDS\t1\t{NOW}",
            f"{i}\taccepted\t{accepted}\t{NULL}\tOCDS\t1\t{NOW}",
        ]
        rest_amount = (amount * rest / 100).quantize(cent)
        if paid:
            events.append(f"{i}\tpaid\t{paid_on}\t{rest_amount}\tOCDS\t1\t{NOW}")
        common = f"{i}\t{purchaser}\t{region}\t{signed}"
        obligations = []
        if scale != "large":
            if prepay:
                pre = (amount * prepay / 100).quantize(cent)
                obligations.append(f"{common}\tpayment\t0\t{pre}\t{signed}\t{NULL}\t{NULL}\t0\tf\txj\t{{}}")
            due = accepted + timedelta(days=30)
            settled = paid_on if paid else None
            obligations.append(
                f"{common}\tpayment\t1\t{rest_amount}\t{accepted}\t{due}\t{_d(settled)}\t"
                f"{rest_amount if paid else 0}\tf\txj\t{{}}"
            )
        if bond:
            bond_amount = (amount * bond / 100).quantize(cent)
            due_bond = accepted + timedelta(days=30) if form in ("cash", "cheque") else None
            obligations.append(
                f"{common}\tbond_return\tperformance\t{bond_amount}\t{signed}\t{_d(due_bond)}\t{NULL}\t"
                f"{NULL}\tf\txj\t{{}}"
            )
        if retention:
            ret = (amount * retention / 100).quantize(cent)
            due_ret = accepted + timedelta(days=365 + 30)
            obligations.append(
                f"{common}\tretention_release\t{1 + bool(prepay)}\t{ret}\t{accepted}\t{due_ret}\t{NULL}\t"
                f"{NULL}\tf\txj\t{{}}"
            )
        yield contract, events, obligations


def load(conninfo: str, schema_name: str, n: int, seed: int) -> dict[str, int]:
    counts = {"contracts": 0, "events": 0, "obligations": 0}
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema_name}"')
        orgs = io.StringIO()
        orgs.write(f"1\t平台\tplatform\t650000\t{NOW}\t{NULL}\n")
        for r, region in enumerate(REGIONS):
            for p in range(PURCHASERS_PER_REGION):
                org_id = 2 + r * PURCHASERS_PER_REGION + p
                orgs.write(f"{org_id}\t某{region}单位{p}\tpurchaser\t{region}\t{NOW}\tCN-{region}-{p}\n")
        with conn.cursor() as cur, cur.copy(f"COPY organizations ({ORG_COLUMNS}) FROM STDIN") as copy:
            copy.write(orgs.getvalue())
        batch = 50_000
        rows = generate(n, seed)
        done = 0
        while done < n:
            c_buf, e_buf, o_buf = io.StringIO(), io.StringIO(), io.StringIO()
            for _ in range(min(batch, n - done)):
                contract, events, obligations = next(rows)
                c_buf.write(contract + "\n")
                for line in events:
                    e_buf.write(line + "\n")
                for line in obligations:
                    o_buf.write(line + "\n")
                counts["events"] += len(events)
                counts["obligations"] += len(obligations)
                done += 1
            with conn.cursor() as cur:
                for table, columns, buf in (
                    ("contracts", CONTRACT_COLUMNS, c_buf),
                    ("contract_events", EVENT_COLUMNS, e_buf),
                    ("contract_obligations", OBLIGATION_COLUMNS, o_buf),
                ):
                    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        copy.write(buf.getvalue())
            print(f"  loaded {done:,} contracts", file=sys.stderr, end="\r")
        counts["contracts"] = done
        conn.execute("ANALYZE")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--as-of", default="2026-11-26")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--schema", help="time this kept schema; load nothing, drop nothing")
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
    try:
        if not args.schema:
            schema.upgrade(scoped)
            started = time.perf_counter()
            counts = load(conninfo, schema_name, args.count, args.seed)
            loaded = time.perf_counter() - started
            print(
                f"loaded {counts['contracts']:,} contracts, {counts['events']:,} events, "
                f"{counts['obligations']:,} obligations in {loaded:.1f} s "
                f"({counts['contracts'] / loaded:,.0f} contracts/s, COPY incl. generation and ANALYZE)"
            )
        engine = create_db_engine(scoped)
        actor = Actor(api_key_id=0, organization_id=1, role=Role.AUDITOR, region_code="650000")
        as_of = date.fromisoformat(args.as_of)
        times = []
        body = {}
        for _ in range(args.runs):
            with Session(engine) as session:
                t0 = time.perf_counter()
                report = region_report(
                    session, actor, region_code="650000", period_from=None, period_to=None, as_of=as_of
                )
                body = report_json(report)
                times.append(time.perf_counter() - t0)
        engine.dispose()
        print("regional report (JSON, 650000):", ", ".join(f"{t:.2f} s" for t in times))
        print(f"best {min(times):.2f} s, median {sorted(times)[len(times) // 2]:.2f} s (target < 2 s)")
        print(f"{len(body['purchasers'])} purchasers, {len(body['regions'])} regions; total:")
        for key, value in body["total"].items():
            print(f"  {key}: {value}")
    finally:
        if not (args.keep or args.schema):
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema_name}" CASCADE')


if __name__ == "__main__":
    main()
