#!/usr/bin/env python3
"""Load the real server with wrk: POST /v1/contracts and GET /v1/contracts/{id} (issue 2 targets),
POST /v1/checks/terms against a bare Falcon endpoint when that route exists (issue 3).

Usage: bench/api_load.py [--database-url URL] [--seconds 10] [--connections 16] [--workers 2] [--runs 3]
Default database: a fresh SQLite file; pass the PostgreSQL URL to measure it too (a throwaway schema
is used and dropped). Needs wrk (Debian package ``wrk``). Prints figures; never fails on them.
Each endpoint gets a short warm-up, then ``--runs`` measured runs; the load average is printed, and
the server's CPU time per request, which other work on the machine disturbs less than requests/s.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent
CONTRACT = {
    "category": "goods",
    "amount": "1000000.00",
    "purchaser_type": "public_body",
    "signed_on": "2025-08-01",
    "status": "signed",
    "acceptance_period_days": 15,
    "payment_terms": [
        {"kind": "final", "percent": "90", "trigger": "acceptance", "days": 60},
        {"kind": "retention", "percent": "10", "trigger": "warranty_end", "days": 30, "held_months": 12},
    ],
    "bonds": [{"kind": "performance", "percent": "10", "forms": ["cash"]}],
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def database(url: str | None) -> Iterator[str]:
    if url is None or url.startswith("sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            yield url or f"sqlite:///{tmp}/bench.sqlite3"
        return
    import psycopg

    name = f"smeproc_bench_{uuid.uuid4().hex[:8]}"
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{name}"
    finally:
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{name}" CASCADE')


def smeproc(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [str(BIN / "smeproc"), *args], env=env, check=True, capture_output=True, text=True
    ).stdout


@contextmanager
def server(env: dict[str, str], workers: int, command: list[str] | None = None) -> Iterator[str]:
    port = free_port()
    command = command or [str(BIN / "smeproc"), "serve", "--port", str(port), "--workers", str(workers)]
    command = [part.replace("{port}", str(port)) for part in command]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/v1/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def wrk(url: str, seconds: int, connections: int, script: str | None = None) -> dict[str, float]:
    args = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    if script:
        args[1:1] = ["-s", lua.name]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    os.unlink(lua.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": rps,
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
        "errors": float(errors.group(1)) if errors else 0.0,
        "socket_errors": float(sum(int(g) for g in sockets.groups())) if sockets else 0.0,
    }


def lua_post(path: str, key: str, body: dict[str, object], unique_field: str | None) -> str:
    """A wrk script posting ``body``; ``unique_field`` gets a value unique to each request."""
    if unique_field:
        body = {**body, unique_field: "__UNIQUE__"}
    payload = json.dumps(body, ensure_ascii=False)
    return textwrap.dedent(
        f"""
        local counter = 0
        local threads = 0
        -- runs in the main state; thread_id becomes a global in each thread's own state
        function setup(thread) threads = threads + 1; thread:set("thread_id", threads) end
        function init(args) prefix = "B" .. thread_id .. "-" .. os.time() end
        wrk.method = "POST"
        wrk.headers["Authorization"] = "Bearer {key}"
        wrk.headers["Content-Type"] = "application/json"
        local template = [==[{payload}]==]
        request = function()
          counter = counter + 1
          local body = string.gsub(template, "__UNIQUE__", prefix .. "-" .. counter)
          return wrk.format(nil, "{path}", nil, body)
        end
        """
    )


def lua_get(key: str) -> str:
    return f'wrk.headers["Authorization"] = "Bearer {key}"\n'


def report(
    label: str, figures: dict[str, float], target_rps: float | None = None, target_p99: float | None = None
) -> None:
    verdict = ""
    if target_rps is not None and target_p99 is not None:
        ok = figures["rps"] >= target_rps and figures["p99_ms"] < target_p99 and not figures["errors"]
        verdict = f"  target >= {target_rps:.0f}/s, p99 < {target_p99:.0f} ms: {'met' if ok else 'NOT met'}"
    cpu = f"  server CPU {figures['cpu_ms']:.2f} ms/req" if "cpu_ms" in figures else ""
    print(
        f"{label:<44} {figures['rps']:>9.0f} req/s  p99 {figures['p99_ms']:>7.2f} ms  "
        f"errors {figures['errors']:.0f}+{figures['socket_errors']:.0f}{cpu}{verdict}",
        flush=True,
    )


def server_cpu_seconds(port: str) -> float:
    """User + system CPU of the server's processes (arbiter and workers), from /proc."""
    pids = subprocess.run(["pgrep", "-f", f"serve --port {port} "], capture_output=True, text=True).stdout
    total = 0
    for pid in pids.split():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def measure(label: str, base: str, run: Callable[[int], dict[str, float]], runs: int, seconds: int) -> None:
    run(max(1, seconds // 3))  # warm-up: connections, caches, prepared statements
    port = base.rsplit(":", 1)[1]
    for index in range(runs):
        cpu = server_cpu_seconds(port)
        figures = run(seconds)
        cpu = server_cpu_seconds(port) - cpu
        figures["cpu_ms"] = 1000 * cpu / max(1.0, figures["rps"] * seconds)
        target = TARGETS[label]
        report(f"{label} (run {index + 1})", figures, *target)


TARGETS = {"POST /v1/contracts": (1000.0, 20.0), "GET /v1/contracts/{id}": (3000.0, 20.0)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2
    with database(args.database_url) as url:
        # one key from one address at full speed: lift the rate limits, which would measure themselves
        env = {
            **os.environ,
            "SMEPROC_DATABASE_URL": url,
            "SMEPROC_RATE_LIMIT_PER_KEY": "1000000/minute",
            "SMEPROC_RATE_LIMIT_PER_ADDRESS": "1000000/minute",
        }
        smeproc(env, "db", "upgrade")
        key = next(
            line.split(": ", 1)[1]
            for line in smeproc(env, "demo").splitlines()
            if line.startswith("demo API key")
        )
        backend = "PostgreSQL" if "postgresql" in url else "SQLite"
        setup = f"{args.workers} workers, {backend}, wrk {args.connections} connections, {args.seconds} s"
        print(f"smeproc serve: {setup}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        with server(env, args.workers) as base:
            listing = json.loads(
                urllib.request.urlopen(
                    urllib.request.Request(f"{base}/v1/contracts", headers={"Authorization": f"Bearer {key}"})
                ).read()
            )
            purchaser_id = listing["items"][0]["purchaser_id"]
            body = {**CONTRACT, "purchaser_id": purchaser_id}
            post_script = lua_post("/v1/contracts", key, body, "external_ref")
            measure(
                "POST /v1/contracts",
                base,
                lambda seconds: wrk(f"{base}/v1/contracts", seconds, args.connections, post_script),
                args.runs,
                args.seconds,
            )
            measure(
                "GET /v1/contracts/{id}",
                base,
                lambda seconds: wrk(f"{base}/v1/contracts/1", seconds, args.connections, lua_get(key)),
                args.runs,
                args.seconds,
            )
    print(f"load average afterwards {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
