#!/usr/bin/env python3
"""Webhook delivery with 2 workers and a local receiver: deliveries a second, commit-to-delivery
latency, and a worker killed with SIGKILL mid-batch (events lost must be 0; duplicates counted).

Usage: bench/webhooks.py [--url PG_URL] [--redis URL] [--events N] [--rate R] [--seconds S]
Runs against PostgreSQL in a throwaway schema (dropped at the end), Redis for the job queue (a
queue name of its own), two real ``smeproc worker`` processes and bench/webhook_receiver.py on
127.0.0.1, which verifies every signature with standardwebhooks. Prints figures; never fails on time.
"""

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from procurement import schema
from procurement.db import create_db_engine, create_session_factory
from procurement.events.services import emit_event
from procurement.organizations.models import Role
from procurement.organizations.services import create_organization
from procurement.scope import Actor
from procurement.webhooks.models import DeliveryState, WebhookDelivery
from procurement.webhooks.services import create_subscription
from rules.vocabulary import OrganizationKind

HERE = Path(__file__).resolve().parent
SMEPROC = str(Path(sys.executable).parent / "smeproc")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Bench:
    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args = args
        self.schema_name = f"bench_webhooks_{uuid.uuid4().hex[:8]}"
        self.admin = create_db_engine(args.url)
        with self.admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.schema_name}"'))
        scoped = make_url(args.url).update_query_dict({"options": f"-csearch_path={self.schema_name}"})
        self.url = scoped.render_as_string(hide_password=False)
        schema.upgrade(self.url)
        self.engine = create_db_engine(self.url)
        self.factory = create_session_factory(self.engine)
        self.received_path = tmp / "received.txt"
        self.received_path.write_text("")
        self.workers: list[subprocess.Popen[bytes]] = []
        self.commits: dict[str, float] = {}  # webhook-id -> commit time
        with self.factory() as session, session.begin():
            org = create_organization(
                session, name="基准测试平台", kind=OrganizationKind.PLATFORM, region_code="650000"
            )
            self.org_id = org.id
            actor = Actor(api_key_id=0, organization_id=org.id, role=Role.PLATFORM, region_code="650000")
            port = free_port()
            subscription = create_subscription(
                session,
                actor,
                url=f"http://127.0.0.1:{port}/hook",
                event_types=["contract.terms_applied"],
                allow_private=True,
            )
        self.receiver = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "webhook_receiver.py"),
                str(port),
                subscription.secret,
                str(self.received_path),
            ],
            stdout=subprocess.PIPE,
        )
        assert self.receiver.stdout is not None
        self.receiver.stdout.readline()  # "ready"
        self.env = {
            **os.environ,
            "SMEPROC_DATABASE_URL": self.url,
            "SMEPROC_QUEUE_URL": args.redis,
            "SMEPROC_QUEUE_NAME": f"bench-{uuid.uuid4().hex[:8]}",
            "SMEPROC_WEBHOOK_ALLOW_PRIVATE": "1",
        }

    def start_worker(self) -> subprocess.Popen[bytes]:
        worker = subprocess.Popen(
            [SMEPROC, "worker", "--threads", "1"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.workers.append(worker)
        return worker

    def emit(self, count: int, per_transaction: int) -> list[str]:
        ids: list[str] = []
        for start in range(0, count, per_transaction):
            with self.factory() as session, session.begin():
                batch = [
                    emit_event(
                        session,
                        type="contract.terms_applied",
                        organization_id=self.org_id,
                        region_code="650102",
                        data={"contract_id": start + i, "external_ref": f"BENCH-{start + i}"},
                    ).id
                    for i in range(min(per_transaction, count - start))
                ]
            committed = time.time()
            for event_id in batch:
                self.commits[f"msg_{event_id}"] = committed
                ids.append(f"msg_{event_id}")
        return ids

    def arrivals(self) -> list[tuple[str, float]]:
        rows = []
        for line in self.received_path.read_text().splitlines():
            webhook_id, at = line.split()
            rows.append((webhook_id, float(at)))
        return rows

    def wait_for(self, ids: list[str], timeout: float) -> dict[str, float]:
        wanted = set(ids)
        deadline = time.time() + timeout
        while True:
            first: dict[str, float] = {}
            for webhook_id, at in self.arrivals():
                if webhook_id in wanted and webhook_id not in first:
                    first[webhook_id] = at
            if len(first) == len(wanted) or time.time() > deadline:
                return first
            time.sleep(0.25)

    def pending(self) -> list[Any]:
        with self.factory() as session:
            return [
                tuple(row)
                for row in session.execute(
                    select(
                        WebhookDelivery.id,
                        WebhookDelivery.attempts,
                        WebhookDelivery.next_attempt_at,
                        WebhookDelivery.last_error,
                    ).where(WebhookDelivery.state == DeliveryState.PENDING)
                ).all()
            ]

    def close(self) -> None:
        for process in [*self.workers, self.receiver]:
            if process.poll() is None:
                process.terminate()
        for process in [*self.workers, self.receiver]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.engine.dispose()
        with self.admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{self.schema_name}" CASCADE'))
        self.admin.dispose()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to show cost apart from machine load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 1)[0]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def throughput(bench: Bench, events: int) -> dict[str, Any]:
    """A backlog of ``events`` committed while no worker runs, then 2 workers drain it."""
    started = time.time()
    ids = bench.emit(events, per_transaction=500)
    emitted = time.time()
    bench.start_worker()
    bench.start_worker()
    first = bench.wait_for(ids, timeout=900)
    last = max(first.values()) if first else time.time()
    worker_cpu = sum(cpu_seconds(w.pid) for w in bench.workers)
    return {
        "load_average_1min": load_average(),
        "worker_cpu_ms_per_delivery": round(worker_cpu * 1000 / max(len(first), 1), 2),
        "receiver_cpu_ms_per_delivery": round(cpu_seconds(bench.receiver.pid) * 1000 / max(len(first), 1), 2),
        "events": events,
        "delivered": len(first),
        "emitted_per_second": round(events / (emitted - started), 1),
        "deliveries_per_second": round(len(first) / (last - emitted), 1),
        "drain_seconds_incl_worker_start": round(last - emitted, 2),
    }


def latency(bench: Bench, rate: int, seconds: float) -> dict[str, Any]:
    ids: list[str] = []
    per_tick = max(1, rate // 20)  # 20 commits a second
    started = time.time()
    tick = 0
    while time.time() - started < seconds:
        ids += bench.emit(per_tick, per_transaction=per_tick)
        tick += 1
        pause = started + tick / 20 - time.time()
        if pause > 0:
            time.sleep(pause)
    first = bench.wait_for(ids, timeout=120)
    delays = [first[i] - bench.commits[i] for i in ids if i in first]
    return {
        "rate_per_second": round(len(ids) / (time.time() - started), 1),
        "events": len(ids),
        "delivered": len(first),
        "p50_ms": round(statistics.median(delays) * 1000, 1),
        "p95_ms": round(percentile(delays, 95) * 1000, 1),
        "p99_ms": round(percentile(delays, 99) * 1000, 1),
        "max_ms": round(max(delays) * 1000, 1),
    }


def kill_mid_batch(bench: Bench, events: int) -> dict[str, Any]:
    """Emit ``events`` while the workers deliver; SIGKILL one as soon as deliveries flow (its
    claimed batch is in flight), restart it, and count what arrives."""
    before = len(bench.arrivals())
    ids: list[str] = []
    emitter = threading.Thread(target=lambda: ids.extend(bench.emit(events, per_transaction=100)))
    emitter.start()
    while len(bench.arrivals()) - before < 300:
        time.sleep(0.05)
    victim = bench.workers[0]
    victim.send_signal(signal.SIGKILL)
    killed_at = time.time()
    delivered_at_kill = len(bench.arrivals()) - before
    victim.wait()
    bench.workers.remove(victim)
    time.sleep(1)
    bench.start_worker()
    emitter.join()
    # the dead worker's claimed batch falls due again when its 60 s lease runs out
    first = bench.wait_for(ids, timeout=240)
    deadline = time.time() + 120
    while bench.pending() and time.time() < deadline:  # the re-sent batch settles
        time.sleep(0.5)
    wanted = set(ids)
    arrivals = [i for i, _ in bench.arrivals()[before:] if i in wanted]
    pending = bench.pending()
    return {
        "events": events,
        "delivered_before_kill": delivered_at_kill,
        "delivered": len(first),
        # not delivered and not pending any more: dropped (must be 0)
        "lost": len(wanted - set(first)) - len(pending),
        "not_yet_delivered": len(wanted - set(first)),
        "duplicates": len(arrivals) - len(set(arrivals)),
        "still_pending": pending[:5],
        "seconds_after_kill_until_all_delivered": round(
            max(first.values(), default=killed_at) - killed_at, 1
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rate", type=int, default=200, help="events a second for the latency run")
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(args, Path(tmp))
        try:
            print("throughput:", throughput(bench, args.events), flush=True)
            print("latency:", latency(bench, args.rate, args.seconds), flush=True)
            print("kill -9:", kill_mid_batch(bench, args.events // 2), flush=True)
        finally:
            bench.close()


if __name__ == "__main__":
    main()
