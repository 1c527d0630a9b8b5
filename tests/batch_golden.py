"""Inputs and outputs of the batch audit pinned by golden files (``tests/data/batch_audit/``).

The golden files were written by the batch audit as it was before the hot path wrote findings
itself (``python -m tests.batch_golden --write`` run in a checkout of main at b75ae78, where that
audit is unchanged); run in this tree, it writes them with every finding built by the full path
(``hot_findings=False``: the mapping and the rules), for a rule or a pack that changed on purpose.
Whatever makes the audit faster must still write these findings byte for byte. The inputs are made
here, deterministically, from the project's generator and the real OCDS samples, plus releases
made for the legal edges: a bond
of exactly the 10% cap in rounded amounts and one fen over it, a works retention of exactly 3% and
one fen over, a contract in USD, a cancelled one, a draft, a release of two contracts (the full
path), and a file that records no payments at all (``not_applicable``, not overdue payments).
"""

import argparse
import copy
import inspect
import random
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from procurement.batch_audit import AuditSummary, audit_file
from tests.data_files import OCDS_SAMPLES, ROOT, ocds_corpus_module

GOLDEN = ROOT / "tests" / "data" / "batch_audit"
AS_OF = date(2026, 11, 26)


def _generated(n: int, seed: int) -> list[dict[str, Any]]:
    module = ocds_corpus_module()
    rnd = random.Random(seed)
    return [module.release(i, rnd) for i in range(n)]


def _edge(base: dict[str, Any], ocid: str, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    release = copy.deepcopy(base)
    release["ocid"] = ocid
    release["contracts"][0]["id"] = f"{ocid}-c1"
    change(release["contracts"][0])
    return release


def _bond(amount: float, bond: float) -> Callable[[dict[str, Any]], None]:
    def change(c: dict[str, Any]) -> None:
        c["value"]["amount"] = amount
        for m in c["milestones"]:  # the terms stay within the contract amount
            m["value"]["amount"] = round(amount * 0.5, 2) if m["code"] == "postpayment" else 0.0
        c["guarantees"] = [
            {"id": "g1", "type": "performanceBond", "form": "guarantee", "value": {"amount": bond}}
        ]
        c["implementation"]["transactions"] = []

    return change


def _retention(amount: float, retention: float) -> Callable[[dict[str, Any]], None]:
    def change(c: dict[str, Any]) -> None:
        c["value"]["amount"] = amount
        c["guarantees"] = []
        c["milestones"] = [
            {"id": "final", "code": "postpayment", "value": {"amount": round(amount * 0.9, 2)}},
            {
                "id": "retention",
                "code": "retention",
                "dueAfterDate": "2026-06-30T00:00:00+08:00",
                "value": {"amount": retention},
            },
        ]
        c["implementation"]["transactions"] = []

    return change


def generated_rows() -> list[dict[str, Any]]:
    """160 generated releases, then the legal edges (named by their ocid)."""
    rows = _generated(160, seed=7)
    goods = next(r for r in rows if r["tender"]["mainProcurementCategory"] == "goods")
    works = next(r for r in rows if r["tender"]["mainProcurementCategory"] == "works")
    works = copy.deepcopy(works)
    works["parties"][1]["details"]["scale"] = "sme"
    edges = [
        # 10% of 8,543,210.99 is 854,321.099: stated 854,321.10 it is the cap, not over it
        _edge(goods, "edge-bond-exactly-cap", _bond(8543210.99, 854321.10)),
        _edge(goods, "edge-bond-one-fen-over", _bond(8543210.99, 854321.11)),
        _edge(goods, "edge-bond-one-fen-under", _bond(8543210.99, 854321.09)),
        # 3% of 1,234,567.89 is 37,037.0367: stated 37,037.04 it is the cap, not over it
        _edge(works, "edge-retention-exactly-cap", _retention(1234567.89, 37037.04)),
        _edge(works, "edge-retention-one-fen-over", _retention(1234567.89, 37037.05)),
        _edge(goods, "edge-usd", lambda c: c["value"].__setitem__("currency", "USD")),
        _edge(goods, "edge-cancelled", lambda c: c.__setitem__("status", "cancelled")),
        _edge(goods, "edge-draft", lambda c: c.pop("dateSigned")),
    ]
    two = copy.deepcopy(goods)
    two["ocid"] = "edge-two-contracts"
    two["contracts"].append(dict(copy.deepcopy(two["contracts"][0]), id="edge-two-contracts-c2"))
    return [*rows, *edges, two]


def unpaid_rows() -> list[dict[str, Any]]:
    """A file that records no payment anywhere: payments are not_applicable, never overdue."""
    rows = _generated(40, seed=11)
    for release in rows:
        release["contracts"][0]["implementation"].pop("transactions", None)
    return rows


def write_inputs(folder: Path) -> dict[str, Path]:
    """The inputs by name: two JSON-lines files and every real sample (packages and releases)."""
    inputs: dict[str, Path] = {}
    for name, rows in (("generated", generated_rows()), ("unpaid", unpaid_rows())):
        path = folder / f"{name}.jsonl"
        path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
        inputs[name] = path
    for sample in sorted(OCDS_SAMPLES.glob("*.json")):
        inputs[sample.stem] = sample
    return inputs


def summary_of(summary: AuditSummary) -> dict[str, Any]:
    """What the audit counted, as plain JSON (sorted, so the file is stable)."""
    return {
        "lines": summary.lines,
        "releases": summary.releases,
        "contracts": summary.contracts,
        "findings": dict(sorted(summary.findings.items())),
        "by_force": sorted([rule, force, n] for (rule, force), n in summary.by_force.items()),
        "coverage": {rule: dict(sorted(c.items())) for rule, c in sorted(summary.coverage.items()) if c},
        "unrecorded": sorted(k.value for k in summary.unrecorded),
        "left_out": sorted(
            [reason, currency, n, summary.left_out_fen[(reason, currency)]]
            for (reason, currency), n in summary.left_out.items()
        ),
        "errors": [list(e) for e in summary.errors],
    }


def run(path: Path, out: Path, **options: Any) -> tuple[bytes, dict[str, Any]]:
    """The findings file's bytes and the summary of one audit of ``path``."""
    with out.open("wb") as f:
        summary = audit_file(path, as_of=AS_OF, findings_out=f, **options)
    try:
        return out.read_bytes(), summary_of(summary)
    finally:
        summary.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the golden files (review the diff!)")
    args = parser.parse_args()
    import tempfile

    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in write_inputs(Path(tmp)).items():
            # the full path builds every finding: the rules' own output, whatever the hot path does
            # (an audit_file older than the option always did)
            old = "hot_findings" not in inspect.signature(audit_file).parameters
            options = {} if old else {"hot_findings": False}
            findings, summary = run(path, Path(tmp) / f"{name}.out", workers=1, **options)
            lines = len(findings.splitlines())
            print(f"{name}: {lines} findings, {summary['contracts']} contracts")
            if args.write:
                (GOLDEN / f"{name}.findings.jsonl").write_bytes(findings)
                (GOLDEN / f"{name}.summary.json").write_bytes(
                    orjson.dumps(summary, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
                )


if __name__ == "__main__":
    main()
