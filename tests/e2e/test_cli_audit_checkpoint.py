"""``smeproc audit-log keygen / checkpoint / verify --checkpoint`` as an operator runs them: a log
truncated with its head rewound verifies by the chain alone but fails against the signed checkpoint."""

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

SMEPROC = shutil.which("smeproc", path=str(Path(sys.executable).parent)) or "smeproc"


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SMEPROC, *args], env=env, capture_output=True, text=True, timeout=120)


def test_a_truncated_and_rewound_log_fails_against_the_last_checkpoint(tmp_path: Path) -> None:
    database = tmp_path / "log.sqlite3"
    env = {
        **os.environ,
        "SMEPROC_DATABASE_URL": f"sqlite:///{database}",
        "SMEPROC_AUDIT_MAC_KEY": "e2e-mac-key",
        "SMEPROC_AUDIT_SIGNING_KEY": str(tmp_path / "signing.pem"),
        "SMEPROC_AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
    }
    assert run(env, "db", "upgrade").returncode == 0
    assert run(env, "audit-log", "keygen", "--out", str(tmp_path / "signing.pem")).returncode == 0
    assert run(env, "demo").returncode == 0
    signed = run(env, "audit-log", "checkpoint")
    assert signed.returncode == 0, signed.stdout + signed.stderr
    checkpoint = next((tmp_path / "checkpoints").glob("checkpoint-*.json"))
    with sqlite3.connect(database) as connection:
        (count,) = connection.execute("SELECT seq FROM audit_log_head").fetchone()
        keep = count - 2
        connection.execute("DELETE FROM audit_log WHERE seq > ?", (keep,))
        (last_hash,) = connection.execute("SELECT hash FROM audit_log WHERE seq = ?", (keep,)).fetchone()
        connection.execute("UPDATE audit_log_head SET seq = ?, hash = ?", (keep, last_hash))
    assert run(env, "audit-log", "verify").returncode == 0  # the chain alone cannot tell
    public_key = str(tmp_path / "signing.pem.pub")
    result = run(env, "audit-log", "verify", "--checkpoint", str(checkpoint), "--public-key", public_key)
    assert result.returncode == 1
    assert "truncated" in result.stdout
