"""The real ``smeproc worker`` beside the real server: a large OCDS import answered 202 runs in the
worker, on the embedded SQLite queue (``make run``) and on Redis (production). Without Redis the
Redis case is skipped, except with CI=true, where that is a failure."""

import json
import os
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_cli_and_server import SMEPROC, _call, _free_port, run
from tests.support.receiver import running_receiver

REDIS_URL = os.environ.get("SMEPROC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_reachable(url: str) -> bool:
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    try:
        with socket.create_connection((host, int(port or 6379)), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _queue_url(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    if not _redis_reachable(REDIS_URL):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is unreachable at {REDIS_URL} and CI=true")
        pytest.skip(f"Redis unreachable at {REDIS_URL}; set SMEPROC_TEST_REDIS_URL to test on it")
    return REDIS_URL


@pytest.fixture(scope="module", params=["sqlite", "redis"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """A migrated demo database, the server and one worker sharing a queue; (base URL, demo key).
    One per module and queue kind: starting them is most of these tests' time."""
    tmp_path = tmp_path_factory.mktemp(f"worker-{request.param}")
    env = {
        **os.environ,
        "SMEPROC_DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
        "SMEPROC_QUEUE_URL": _queue_url(request.param, tmp_path),
        # a queue of this test's own, so nobody else's worker takes its messages
        "SMEPROC_QUEUE_NAME": f"smeproc-test-{uuid.uuid4().hex[:8]}",
        "SMEPROC_IMPORT_JOB_BYTES": "4",
        "SMEPROC_WEBHOOK_ALLOW_PRIVATE": "1",  # the receiver is on this machine
    }
    assert run(env, "db", "upgrade").returncode == 0
    demo = run(env, "demo")
    key = next(line for line in demo.stdout.splitlines() if line.startswith("demo API key: "))
    port = _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    server = subprocess.Popen([SMEPROC, "serve", "--port", str(port), "--workers", "1"], env=env, **quiet)
    worker = subprocess.Popen([SMEPROC, "worker", "--threads", "1"], env=env, **quiet)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _call(f"{base}/v1/health")
                break
            except OSError:
                time.sleep(0.1)
        yield base, key.removeprefix("demo API key: ")
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            process.wait(timeout=20)


def _request(method: str, url: str, key: str, body: object = None, **headers: str) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {key}")
    request.add_header("Content-Type", "application/json")
    for name, value in headers.items():
        request.add_header(name.replace("_", "-"), value)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read() or b"null")


def test_a_platform_receives_terms_applied_signed(stack: tuple[str, str]) -> None:
    base, key = stack
    with running_receiver() as receiver:
        status, webhook = _request(
            "POST",
            f"{base}/v1/webhooks",
            key,
            {"url": receiver.url, "event_types": ["contract.terms_applied"]},
        )
        assert status == 201
        receiver.secrets.append(webhook["secret"])
        _, contracts = _call(f"{base}/v1/contracts", key)
        contract = next(c for c in contracts["items"] if c["external_ref"] == "DEMO-2025-0001")
        _, preview = _request("POST", f"{base}/v1/contracts/{contract['id']}/sme-terms", key)
        decisions = {"accepted": [a["rule_id"] for a in preview["adjustments"]], "declined": []}
        status, applied = _request(
            "POST", f"{base}/v1/contracts/{contract['id']}/sme-terms/apply", key, decisions
        )
        assert status == 200, applied
        for _ in range(100):
            if receiver.received:
                break
            time.sleep(0.1)
    (got,) = receiver.received
    assert got.verified  # standardwebhooks' Webhook(secret).verify
    assert got.payload["type"] == "contract.terms_applied"
    assert got.payload["data"]["contract_id"] == contract["id"]
    assert got.payload["data"]["accepted"] == sorted(decisions["accepted"])


def _post_lines(url: str, key: str, body: bytes) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Authorization", f"Bearer {key}")
    request.add_header("Content-Type", "application/x-ndjson")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def test_a_large_import_runs_in_the_worker(stack: tuple[str, str]) -> None:
    base, key = stack
    status, body = _post_lines(f"{base}/v1/imports/ocds", key, b'{"no": "ocid"}\n')
    assert status == 202
    job: dict[str, object] = {}
    for _ in range(200):  # the worker polls an idle SQLite queue at least every second
        _, job = _call(f"{base}{body['job']}", key)
        if job["state"] in ("succeeded", "failed"):
            break
        time.sleep(0.1)
    assert job["state"] == "succeeded", job
    assert job["attempts"] == 1
    result = job["result"]
    assert isinstance(result, dict)
    status, imported = _call(f"{base}{result['import']}", key)
    assert (status, imported["counts"]["rejected"]) == (200, 1)
