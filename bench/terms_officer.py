#!/usr/bin/env python3
"""The officer's flow over the real server (issue 8 targets): SME terms preview and apply with 16
connections on SQLite (p99 < 50 ms each), and the Word supplement of a 10-instalment contract
(< 200 ms).

Usage: bench/terms_officer.py [--database-url URL] [--contracts 640] [--connections 16] [--workers 2]
Each contract is issue 8's example (1,200,000 yuan of goods from a small enterprise); every
connection previews its share of them, then applies each with every adjustment accepted (a real
apply: new terms, a new version, a stored result, an audit-log entry). Latencies are measured by the
client per request. Prints figures; never fails on them.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_load import database, server, smeproc

EXAMPLE = {
    "category": "goods",
    "amount": "1200000.00",
    "purchaser_type": "public_body",
    "announced_on": "2025-07-01",
    "signed_on": "2025-08-01",
    "status": "signed",
    "payment_terms": [
        {"kind": "prepayment", "percent": "10", "trigger": "signing", "days": 30},
        {"kind": "final", "percent": "85", "trigger": "acceptance", "days": 60},
        {"kind": "retention", "percent": "5", "trigger": "acceptance", "days": 730},
    ],
    "bonds": [{"kind": "performance", "percent": "10", "forms": ["cash"]}],
}
# already at the 40% prepayment target, so the decided contract keeps all 10 instalments
TEN_INSTALMENTS = [
    {"kind": "prepayment", "percent": "40", "trigger": "signing", "days": 30},
    *[{"kind": "progress", "percent": "6", "trigger": "delivery", "days": 20 + i} for i in range(7)],
    {"kind": "final", "percent": "13", "trigger": "acceptance", "days": 60},
    {"kind": "retention", "percent": "5", "trigger": "warranty_end", "days": 60},
]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Client:
    """One keep-alive connection, as a platform's HTTP client holds one."""

    def __init__(self, base: str, key: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self._connection = http.client.HTTPConnection(host, int(port), timeout=60)
        self._headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> tuple[int, bytes, float]:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        started = time.perf_counter()
        self._connection.request(method, path, body=data, headers={**self._headers, **headers})
        response = self._connection.getresponse()
        payload = response.read()
        return response.status, payload, (time.perf_counter() - started) * 1000


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_parallel(
    base: str, key: str, connections: int, items: list[Any], work: Callable[[Client, Any], float]
) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def worker(share: list[Any]) -> None:
        nonlocal errors
        client = Client(base, key)
        for item in share:
            try:
                elapsed = work(client, item)
            except RuntimeError:
                with lock:
                    errors += 1
                continue
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=worker, args=(items[i::connections],)) for i in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started, errors


def report(label: str, latencies: list[float], seconds: float, errors: int, target_ms: float) -> None:
    p99 = percentile(latencies, 0.99)
    print(
        f"{label:<34} n={len(latencies):>5}  {len(latencies) / seconds:>7.0f} req/s  "
        f"p50 {statistics.median(latencies):>6.1f} ms  p99 {p99:>6.1f} ms  errors {errors}  "
        f"target p99 < {target_ms:.0f} ms: {'met' if p99 < target_ms and not errors else 'NOT met'}",
        flush=True,
    )


def build_only(applied: dict[str, Any], purchaser_id: int) -> None:
    """The .docx build alone, in this process (no HTTP, no database): what the server spends on it."""
    from datetime import date
    from decimal import Decimal

    from procurement.terms.supplement import SupplementData, supplement_docx

    data = SupplementData(
        purchaser_name=f"采购人 {purchaser_id}",
        supplier_name="乌鲁木齐某小型设备有限公司",
        contract_ref="BENCH-DOCX",
        contract_title="",
        amount=Decimal(EXAMPLE["amount"]),  # type: ignore[arg-type]
        signed_on=date(2025, 8, 1),
        clauses=applied["clauses"],
        adjustments=applied["adjustments"],
        accepted=applied["accepted"],
        declined=applied["declined"],
        policy_pack=applied["policy_pack"],
        policy_version=applied["policy_version"],
    )
    timings = []
    for _ in range(30):
        started = time.perf_counter()
        supplement_docx(data)
        timings.append((time.perf_counter() - started) * 1000)
    report("supplement_docx() in process", timings[5:], sum(timings[5:]) / 1000, 0, 200)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--contracts", type=int, default=640)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with database(args.database_url) as url:
        env = {**os.environ, "SMEPROC_DATABASE_URL": url}
        smeproc(env, "db", "upgrade")
        key = next(
            line.split(": ", 1)[1]
            for line in smeproc(env, "demo").splitlines()
            if line.startswith("demo API key")
        )
        backend = "PostgreSQL" if "postgresql" in url else "SQLite"
        print(
            f"smeproc serve: {args.workers} workers, {backend}, {args.connections} connections, "
            f"{args.contracts} contracts; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
        )
        with server(env, args.workers) as base:
            setup = Client(base, key)
            listing = json.loads(setup.call("GET", "/v1/contracts")[1])
            purchaser_id = listing["items"][0]["purchaser_id"]
            supplier = {"name": "乌鲁木齐某小型设备有限公司", "industry": "工业", "employees": 50}
            status, payload, _ = setup.call("POST", "/v1/suppliers", {**supplier, "revenue_wan": "800"})
            assert status == 201, payload
            supplier_id = json.loads(payload)["id"]
            ids = []
            for i in range(args.contracts):
                body = {**EXAMPLE, "external_ref": f"BENCH-{i}", "purchaser_id": purchaser_id}
                status, payload, _ = setup.call("POST", "/v1/contracts", {**body, "supplier_id": supplier_id})
                assert status == 201, payload
                ids.append(json.loads(payload)["id"])
            previews: dict[int, list[str]] = {}

            def preview(client: Client, contract_id: int) -> float:
                status, payload, elapsed = client.call("POST", f"/v1/contracts/{contract_id}/sme-terms")
                if status != 200:
                    raise RuntimeError(payload)
                previews[contract_id] = sorted({a["rule_id"] for a in json.loads(payload)["adjustments"]})
                return elapsed

            def apply(client: Client, contract_id: int) -> float:
                body = {"accepted": previews[contract_id], "declined": []}
                status, payload, elapsed = client.call(
                    "POST", f"/v1/contracts/{contract_id}/sme-terms/apply", body, **{"If-Match": '"1"'}
                )
                if status != 200:
                    raise RuntimeError(payload)
                return elapsed

            run_parallel(base, key, args.connections, ids[: args.connections], preview)  # warm-up
            report("POST /sme-terms (preview)", *run_parallel(base, key, args.connections, ids, preview), 50)
            report("POST /sme-terms/apply", *run_parallel(base, key, args.connections, ids, apply), 50)

            setup = Client(base, key)  # the first one idled through the load and was closed
            body = {**EXAMPLE, "external_ref": "BENCH-DOCX", "purchaser_id": purchaser_id}
            body.update(supplier_id=supplier_id, payment_terms=TEN_INSTALMENTS)
            status, payload, _ = setup.call("POST", "/v1/contracts", body)
            docx_id = json.loads(payload)["id"]
            offered = json.loads(setup.call("POST", f"/v1/contracts/{docx_id}/sme-terms")[1])
            decisions = {"accepted": sorted({a["rule_id"] for a in offered["adjustments"]}), "declined": []}
            applied = json.loads(setup.call("POST", f"/v1/contracts/{docx_id}/sme-terms/apply", decisions)[1])
            timings = []
            for _ in range(60):
                status, payload, elapsed = setup.call(
                    "GET", f"/v1/contracts/{docx_id}/sme-terms/supplement", Accept=DOCX
                )
                assert status == 200, payload
                timings.append(elapsed)
            instalments = sum(1 for c in applied["clauses"] if c["ref"].startswith("payment_terms"))
            label = f"GET supplement ({instalments} instalments)"
            report(label, timings[10:], sum(timings[10:]) / 1000, 0, 200)
            print(f"  supplement size {len(payload)} bytes")
            build_only(applied, purchaser_id)
    print(f"load average afterwards {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
