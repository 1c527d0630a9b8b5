"""The real command line and the real server, as a new user runs them (SQLite file database)."""

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SMEPROC = shutil.which("smeproc", path=str(Path(sys.executable).parent)) or "smeproc"


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SMEPROC, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    database = tmp_path / "e2e.sqlite3"
    return {**os.environ, "SMEPROC_DATABASE_URL": f"sqlite:///{database}"}


@pytest.fixture
def demo_key(env: dict[str, str]) -> str:
    assert run(env, "db", "upgrade").returncode == 0
    demo = run(env, "demo")
    assert demo.returncode == 0, demo.stderr
    line = next(line for line in demo.stdout.splitlines() if line.startswith("demo API key: "))
    return line.removeprefix("demo API key: ")


def test_demo_prints_a_key_and_the_audit_log_verifies(env: dict[str, str], demo_key: str) -> None:
    assert demo_key.startswith("smp_")
    result = run(env, "audit-log", "verify")
    assert result.returncode == 0
    assert "intact" in result.stdout


def test_audit_log_verify_exits_1_naming_an_edited_entry(env: dict[str, str], demo_key: str) -> None:
    database = env["SMEPROC_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE audit_log SET actor = 'intruder' WHERE seq = 2")
    result = run(env, "audit-log", "verify")
    assert result.returncode == 1
    assert "entry 2" in result.stdout


def test_keys_create_prints_a_working_key_once(env: dict[str, str], demo_key: str) -> None:
    result = run(env, "keys", "create", "--org", "1", "--role", "auditor")
    assert result.returncode == 0
    assert result.stdout.count("smp_") == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _call(url: str, key: str | None = None, body: Any = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, method="POST" if body is not None else "GET")
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    data = None
    if body is not None:
        request.add_header("Content-Type", "application/json")
        data = json.dumps(body).encode()
    try:
        with urllib.request.urlopen(request, data=data, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def server(env: dict[str, str], demo_key: str) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [SMEPROC, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _call(f"{base}/v1/health")
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_server_serves_health_and_the_demo_key_creates_a_contract(server: str, demo_key: str) -> None:
    status, health = _call(f"{server}/v1/health")
    assert (status, health["status"]) == (200, "ok")
    status, purchasers = _call(f"{server}/v1/contracts", demo_key)
    assert status == 200
    purchaser_id = purchasers["items"][0]["purchaser_id"]
    body = {
        "external_ref": "E2E-1",
        "purchaser_id": purchaser_id,
        "category": "services",
        "amount": "88000.00",
        "purchaser_type": "public_body",
    }
    status, created = _call(f"{server}/v1/contracts", demo_key, body)
    assert status == 201, created
    status, again = _call(f"{server}/v1/contracts/{created['id']}", demo_key)
    assert (status, again["amount"]) == (200, "88000.00")
