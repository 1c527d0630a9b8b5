"""``smeproc audit`` as a real process: summary on stdout, bad lines on stderr, files written."""

import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.e2e

# the lead registers the command in api.cli; until then this builds the same parser around it
BOOT = (
    "import argparse, sys\n"
    "from api.cli import audit\n"
    "p = argparse.ArgumentParser(prog='smeproc')\n"
    "audit.register(p.add_subparsers(dest='command', required=True))\n"
    "a = p.parse_args(sys.argv[1:])\n"
    "sys.exit(a.func(a))\n"
)


def smeproc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BOOT, *args], capture_output=True, text=True, timeout=120)


def release(i: int, *, paid_on: str, scale: str = "small") -> dict[str, object]:
    return {
        "ocid": f"ocds-e2e-{i}",
        "buyer": {"id": "B1", "name": "某学校"},
        "parties": [
            {"id": "B1", "name": "某学校", "roles": ["buyer"], "address": {"region": "650100"}},
            {"id": "S1", "name": "某公司", "roles": ["supplier"], "details": {"scale": scale}},
        ],
        "tender": {"mainProcurementCategory": "goods"},
        "awards": [{"id": "a1", "suppliers": [{"id": "S1"}]}],
        "contracts": [
            {
                "id": "c1",
                "awardID": "a1",
                "dateSigned": "2025-06-02T00:00:00+08:00",
                "value": {"amount": 10000.0, "currency": "CNY"},
                "milestones": [{"code": "postpayment", "value": {"amount": 10000.0}}],
                "implementation": {
                    "milestones": [
                        {"type": "assessment", "status": "met", "dateMet": "2025-07-01T00:00:00+08:00"},
                    ],
                    "transactions": [{"date": paid_on, "value": {"amount": 10000.0}}],
                },
            }
        ],
    }


def test_audit_writes_findings_summary_and_workbook(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_bytes(
        orjson.dumps(release(1, paid_on="2025-07-31T00:00:00+08:00"))  # day 30: on time
        + b"\n"
        + orjson.dumps(release(2, paid_on="2025-08-01T00:00:00+08:00"))  # day 31: late
        + b"\n{broken\n"
    )
    findings, report = tmp_path / "f.jsonl", tmp_path / "r.xlsx"
    done = smeproc(
        "audit", str(data), "--as-of", "2026-01-01", "--jsonl", str(findings), "--xlsx", str(report)
    )
    assert done.returncode == 1, done.stderr
    assert "line 3" in done.stderr and "invalid JSON" in done.stderr
    assert "payment.overdue" in done.stdout and "规则覆盖 Coverage" in done.stdout
    assert "\r" not in done.stderr  # no progress bar when stderr is not a terminal
    rows = [orjson.loads(x) for x in findings.read_bytes().splitlines()]
    assert [(r["line"], r["rule_id"], r["evidence"]["days_late"]) for r in rows] == [
        (2, "payment.overdue", 1)
    ]
    book = load_workbook(report, read_only=True)
    assert book.sheetnames[0] == "汇总 Summary"
    sheet = book["逾期付款 payment.overdue"]
    header, english, first = list(sheet.iter_rows(min_row=1, max_row=3, values_only=True))
    assert header[0] == "行号" and english[0] == "Line" and first[0] == 2


def test_clean_file_exits_zero(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_bytes(orjson.dumps(release(1, paid_on="2025-07-10T00:00:00+08:00")) + b"\n")
    done = smeproc("audit", str(data), "--as-of", "2026-01-01")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "（无 none）" in done.stdout


def test_missing_file_exits_two(tmp_path: Path) -> None:
    done = smeproc("audit", str(tmp_path / "nope.jsonl"))
    assert done.returncode == 2 and "no such file" in done.stderr
