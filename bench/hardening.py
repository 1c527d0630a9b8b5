#!/usr/bin/env python3
"""Issue 11's speed figures on SQLite, over the real server (2 workers) and the real job worker:

1. 200 concurrent contract POSTs: errors, p50/p99;
2. POSTs at the same time as an N-release OCDS import (default 20,000, ~46 MB, run by the worker in
   batches): p50/p99/max latency of the POSTs, errors, and how long the import took;
3. peak memory (max RSS) of importing the same file in one process.

Usage: bench/hardening.py [--releases 20000] [--writers 4]. Prints figures; never fails on them.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

from bench.api_load import CONTRACT, free_port  # noqa: E402


def call(url: str, key: str, body: bytes | None = None, media: str = "application/json") -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    request.add_header("Authorization", f"Bearer {key}")
    if body is not None:
        request.add_header("Content-Type", media)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def post_contract(base: str, key: str, purchaser: int, ref: str) -> tuple[int, float]:
    body = json.dumps({**CONTRACT, "external_ref": ref, "purchaser_id": purchaser}).encode()
    started = time.perf_counter()
    status, _ = call(f"{base}/v1/contracts", key, body)
    return status, time.perf_counter() - started


def corpus(path: Path, releases: int) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import ocds_corpus

    rnd = random.Random(12)
    with path.open("w", encoding="utf-8") as out:
        for i in range(releases):
            out.write(
                json.dumps(ocds_corpus.release(i, rnd), ensure_ascii=False, separators=(",", ":")) + "\n"
            )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--releases", type=int, default=20_000)
    parser.add_argument("--writers", type=int, default=4, help="threads posting during the import")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {
            **os.environ,
            "SMEPROC_DATABASE_URL": f"sqlite:///{work}/bench.sqlite3",
            "SMEPROC_QUEUE_URL": f"sqlite:///{work}/queue.sqlite3",
            "SMEPROC_MAX_UPLOAD_BYTES": str(128 * 1024 * 1024),
            "SMEPROC_RATE_LIMIT_PER_KEY": "1000000/minute",
            "SMEPROC_RATE_LIMIT_PER_ADDRESS": "1000000/minute",
        }
        smeproc = str(BIN / "smeproc")
        subprocess.run([smeproc, "db", "upgrade"], env=env, check=True, capture_output=True)
        demo = subprocess.run([smeproc, "demo"], env=env, check=True, capture_output=True, text=True).stdout
        key = next(line.split(": ", 1)[1] for line in demo.splitlines() if line.startswith("demo API key: "))
        data_file = work / "corpus.jsonl"
        corpus(data_file, args.releases)
        size_mb = data_file.stat().st_size / 1e6
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [smeproc, "serve", "--port", str(port), "--workers", "2"], env=env, stdout=subprocess.DEVNULL
        )
        worker = subprocess.Popen(
            [smeproc, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            for _ in range(100):
                try:
                    call(f"{base}/v1/health", key)
                    break
                except OSError:
                    time.sleep(0.2)
            listed = json.loads(call(f"{base}/v1/contracts?limit=1", key)[1])
            purchaser = listed["items"][0]["purchaser_id"]

            with ThreadPoolExecutor(max_workers=200) as pool:
                outcomes = list(
                    pool.map(lambda i: post_contract(base, key, purchaser, f"BURST-{i}"), range(200))
                )
            errors = sum(1 for status, _ in outcomes if status != 201)
            times = [t for _, t in outcomes]
            print(
                f"1. 200 concurrent contract POSTs (2 workers, SQLite): {errors} errors, "
                f"p50 {percentile(times, 0.5) * 1000:.0f} ms, p99 {percentile(times, 0.99) * 1000:.0f} ms"
            )

            started = time.perf_counter()
            status, answer = call(
                f"{base}/v1/imports/ocds", key, data_file.read_bytes(), "application/x-ndjson"
            )
            job = json.loads(answer)
            print(f"   import of {args.releases} releases ({size_mb:.1f} MB) answered {status}")
            job_url = f"{base}{job.get('job') or job.get('location') or '/v1/jobs/' + str(job.get('id'))}"
            stop = threading.Event()
            latencies: list[float] = []
            failures: list[int] = []

            def writer(tag: int) -> None:
                n = 0
                while not stop.is_set():
                    code, took = post_contract(base, key, purchaser, f"DURING-{tag}-{n}")
                    n += 1
                    (latencies if code == 201 else failures).append(took if code == 201 else code)

            threads = [threading.Thread(target=writer, args=(t,)) for t in range(args.writers)]
            for thread in threads:
                thread.start()
            state = "queued"
            while state in ("queued", "running"):
                time.sleep(1)
                state = json.loads(call(job_url, key)[1]).get("state", "?")
            stop.set()
            for thread in threads:
                thread.join()
            took = time.perf_counter() - started
            print(
                f"2. during the import (job {state}, {took:.0f} s): {len(latencies)} POSTs by "
                f"{args.writers} threads, {len(failures)} errors {sorted(set(failures))}, p50 "
                f"{percentile(latencies, 0.5) * 1000:.0f} ms, "
                f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, "
                f"max {max(latencies, default=0) * 1000:.0f} ms"
            )
        finally:
            server.terminate()
            worker.terminate()
            server.wait(timeout=30)
            worker.wait(timeout=30)

        probe = f"""
import resource, sys
sys.path.insert(0, {str(ROOT)!r})
from procurement.db import create_db_engine, create_session_factory, write_intent
from procurement.imports.batched import import_ocds_batched
from procurement.scope import Actor
from procurement.organizations.models import ApiKey, Role
engine = create_db_engine({env["SMEPROC_DATABASE_URL"]!r})
factory = create_session_factory(write_intent(engine))
with factory() as s:
    k = s.query(ApiKey).filter(ApiKey.role == Role.PLATFORM).first()
    actor = Actor(k.id, k.organization_id, Role.PLATFORM, k.organization.region_code)
data = open({str(data_file)!r}, "rb").read()
row = import_ocds_batched(factory, actor, data=data, media_type="application/x-ndjson")
print(row.counts["releases"], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""
        out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
        if out.returncode != 0:
            print("3. memory probe failed:", out.stderr[-500:])
        else:
            releases, rss_mb = out.stdout.split()
            print(
                f"3. re-import of the {size_mb:.1f} MB file in one process: {releases} releases, "
                f"peak RSS {rss_mb} MB"
            )
    children_cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    print(f"   load average {os.getloadavg()[0]:.1f} (2 cores shared), {children_cpu:.0f} s CPU in children")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
