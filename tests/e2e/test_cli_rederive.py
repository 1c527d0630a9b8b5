"""``smeproc db rederive`` as an operator runs it after a policy pack changed: the stale contracts
are derived again and counted; a second run finds none."""

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

SMEPROC = shutil.which("smeproc", path=str(Path(sys.executable).parent)) or "smeproc"


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SMEPROC, *args], env=env, capture_output=True, text=True, timeout=120)


def test_rederive_refreshes_the_stale_contracts_once(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    env = {**os.environ, "SMEPROC_DATABASE_URL": f"sqlite:///{database}"}
    assert run(env, "db", "upgrade").returncode == 0
    assert run(env, "demo").returncode == 0
    with sqlite3.connect(database) as connection:
        (contracts,) = connection.execute("SELECT count(*) FROM contracts").fetchone()
        connection.execute("UPDATE contract_audits SET book = 'packs of last year'")
    assert contracts > 0
    first = run(env, "db", "rederive")
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"done: {contracts} contracts derived again" in first.stdout
    second = run(env, "db", "rederive")
    assert "done: 0 contracts derived again" in second.stdout
    with sqlite3.connect(database) as connection:
        books = {b for (b,) in connection.execute("SELECT book FROM contract_audits")}
    assert len(books) == 1 and "packs of last year" not in books
