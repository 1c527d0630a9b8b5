#!/usr/bin/env python3
"""Export N contracts (default 100,000) as OCDS releases and show that memory stays flat.

Usage: bench/ocds_export.py [N] [--url PG_URL]
Loads N contracts (two payment terms, a bond and two events each) into a throwaway PostgreSQL
schema, then streams ``export_releases`` through orjson to /dev/null twice — over about the first
tenth and over all N — printing releases a second and the process's peak RSS (ru_maxrss) after
each: constant memory means the peak does not grow with N. Then the same over HTTP (``smeproc
serve`` and GET /v1/ocds/releases), with the server's peak RSS.
"""

import argparse
import os
import random
import resource
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import orjson
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from procurement import schema
from procurement.contracts.models import BondRow, Contract, ContractEvent, PaymentTermRow
from procurement.db import create_db_engine, create_session_factory
from procurement.ocds.export import export_releases
from procurement.organizations.models import Organization, Role
from procurement.organizations.services import create_api_key
from procurement.scope import Actor
from procurement.suppliers.models import Supplier

CHUNK = 5000


def load(factory: object, n: int) -> tuple[int, str]:
    rnd = random.Random(7)
    with factory() as session, session.begin():  # type: ignore[operator]
        platform = Organization(name="基准平台", kind="platform", region_code="650000")
        session.add(platform)
        session.flush()
        buyers = [Organization(name=f"采购人{i}", kind="purchaser", region_code="650102") for i in range(100)]
        session.add_all(buyers)
        session.flush()
        suppliers = [
            Supplier(owner_org_id=platform.id, region_code="650000", name=f"供应商{i}", declared_size="small")
            for i in range(1000)
        ]
        session.add_all(suppliers)
        session.flush()
        _, key = create_api_key(session, organization_id=platform.id, role=Role.PLATFORM)
        buyer_ids = [b.id for b in buyers]
        supplier_ids = [s.id for s in suppliers]
        platform_id = platform.id
    for start in range(0, n, CHUNK):
        with factory() as session, session.begin():  # type: ignore[operator]
            rows = []
            for i in range(start, min(n, start + CHUNK)):
                signed = date(2025, 1, 1) + timedelta(days=rnd.randrange(300))
                rows.append(
                    {
                        "owner_org_id": platform_id,
                        "purchaser_id": rnd.choice(buyer_ids),
                        "supplier_id": rnd.choice(supplier_ids),
                        "region_code": "650102",
                        "external_ref": f"BENCH-{i}",
                        "title": f"办公设备采购{i}",
                        "category": "goods",
                        "amount": Decimal(rnd.randrange(10_000, 5_000_000)) + Decimal("0.50"),
                        "currency": "CNY",
                        "purchaser_type": "public_body",
                        "signed_on": signed,
                        "jurisdiction": "650102",
                        "status": "signed",
                        "supplier_scale": rnd.choice(["micro", "small", "medium", "large"]),
                        "version": 1,
                    }
                )
            ids = list(session.execute(insert(Contract).returning(Contract.id), rows).scalars())
            terms, bonds, events = [], [], []
            for contract_id, row in zip(ids, rows, strict=True):
                terms += [
                    {"contract_id": contract_id, "position": 0, "kind": "final", "percent": Decimal(90),
                     "trigger": "acceptance", "days": 30, "day_type": "calendar", "days_agreed": True},
                    {"contract_id": contract_id, "position": 1, "kind": "retention", "percent": Decimal(10),
                     "trigger": "warranty_end", "days": 30, "day_type": "calendar", "held_months": 12,
                     "days_agreed": True},
                ]  # fmt: skip
                bonds.append(
                    {"contract_id": contract_id, "position": 0, "kind": "performance", "percent": Decimal(5),
                     "forms": ["bank_guarantee"]}
                )  # fmt: skip
                for kind, days in (("delivered", 20), ("accepted", 30)):
                    on = row["signed_on"] + timedelta(days)
                    events.append(
                        {"contract_id": contract_id, "kind": kind, "occurred_on": on,
                         "recorded_by_org_id": platform_id, "note": ""}
                    )  # fmt: skip
            session.execute(insert(PaymentTermRow), terms)
            session.execute(insert(BondRow), bonds)
            session.execute(insert(ContractEvent), events)
    return platform_id, key


def export_in_process(factory: object, actor: Actor, limit_to: date | None) -> tuple[int, float, float]:
    """Releases written, seconds, and the process's peak RSS in MiB after the run (it only grows:
    a run over all N that leaves it where the run over a tenth left it used no more memory)."""
    started = time.perf_counter()
    count = 0
    with open(os.devnull, "wb") as sink, factory() as session:  # type: ignore[operator]
        for release in export_releases(session, actor, signed_to=limit_to):
            sink.write(orjson.dumps(release) + b"\n")
            count += 1
    elapsed = time.perf_counter() - started
    return count, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def vm_hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def export_over_http(url: str, key: str, port: int) -> None:
    env = {**os.environ, "SMEPROC_DATABASE_URL": url}
    smeproc = str(Path(sys.executable).parent / "smeproc")
    server = subprocess.Popen(
        [smeproc, "serve", "--port", str(port), "--workers", "1"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        children = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
        ).stdout.split()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/ocds/releases")
        request.add_header("Authorization", f"Bearer {key}")
        started = time.perf_counter()
        size = 0
        with urllib.request.urlopen(request, timeout=3600) as response:
            while chunk := response.read(1 << 20):
                size += len(chunk)
        elapsed = time.perf_counter() - started
        peak = max((vm_hwm_mib(int(pid)) for pid in children), default=0.0)
        # the body is counted, not parsed: the point is that neither side holds it whole
        print(
            f"HTTP: {size / 2**20:.1f} MiB release package in {elapsed:.1f} s "
            f"({size / 2**20 / elapsed:.1f} MiB/s); server worker peak RSS {peak:.0f} MiB"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    name = f"bench_ocds_export_{uuid.uuid4().hex[:8]}"
    admin = create_db_engine(args.url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    url = (
        make_url(args.url)
        .update_query_dict({"options": f"-csearch_path={name}"})
        .render_as_string(hide_password=False)
    )
    try:
        schema.upgrade(url)
        engine = create_db_engine(url)
        factory = create_session_factory(engine)
        started = time.perf_counter()
        platform_id, key = load(factory, args.n)
        print(f"loaded {args.n} contracts in {time.perf_counter() - started:.1f} s")
        actor = Actor(api_key_id=0, organization_id=platform_id, role=Role.PLATFORM, region_code="650000")
        for label, limit in (("first tenth", date(2025, 1, 30)), ("all", None)):
            count, elapsed, rss = export_in_process(factory, actor, limit)
            print(
                f"{label}: {count} releases in {elapsed:.1f} s ({count / elapsed:.0f}/s); "
                f"process peak RSS so far {rss:.0f} MiB"
            )
        engine.dispose()
        export_over_http(url, key, args.port)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
