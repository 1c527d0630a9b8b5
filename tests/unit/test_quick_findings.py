"""The hot path's findings (``procurement.ocds.quick_findings``) are the rules' own, byte for byte:
on the generated corpus and on releases mutated the way real files go wrong or sit at an edge."""

import random
from datetime import date
from pathlib import Path

import pytest

from procurement.batch_audit import audit_file
from tests.unit.test_batch_audit import _mutations, releases, write_jsonl


def _both(path: Path, tmp_path: Path, as_of: date) -> tuple[bytes, bytes, int, int]:
    outs = []
    quick = []
    for hot in (True, False):
        out = tmp_path / f"hot-{hot}.jsonl"
        with out.open("wb") as f:
            summary = audit_file(path, as_of=as_of, workers=1, findings_out=f, hot_findings=hot)
        outs.append(out.read_bytes())
        quick.append(summary.quick)
        summary.close()
    return outs[0], outs[1], quick[0], quick[1]


@pytest.mark.parametrize("as_of", [date(2024, 6, 1), date(2025, 6, 1), date(2026, 11, 26)])
def test_hot_findings_are_the_rules_findings_on_the_corpus(tmp_path: Path, as_of: date) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", releases(500, seed=21))
    hot, full, hot_quick, full_quick = _both(path, tmp_path, as_of)
    assert hot == full
    assert hot.count(b"\n") > 100 or as_of < date(2026, 1, 1)
    # the hot path took the releases with findings too, not only those without
    assert hot_quick > full_quick


@pytest.mark.parametrize("as_of", [date(2025, 6, 1), date(2026, 11, 26)])
def test_hot_findings_are_the_rules_findings_on_mutated_releases(tmp_path: Path, as_of: date) -> None:
    rnd = random.Random(17)
    rows = [_mutations(r, rnd) for r in releases(600, seed=4)]
    path = write_jsonl(tmp_path / "m.jsonl", rows)
    hot, full, hot_quick, full_quick = _both(path, tmp_path, as_of)
    assert hot == full
    assert hot_quick > full_quick and hot.count(b"\n") > 50


def test_a_release_of_payments_in_sub_fen_amounts_takes_the_full_path(tmp_path: Path) -> None:
    """0.1 + 0.2 is 0.30000000000000004 as the file states it: the rules' Decimal sums decide."""
    rows = releases(30, seed=9)
    for r in rows:
        for t in r["contracts"][0]["implementation"]["transactions"]:
            t["value"]["amount"] = round(t["value"]["amount"] - 0.3, 2) + 0.1 + 0.2
    path = write_jsonl(tmp_path / "s.jsonl", rows)
    hot, full, _, _ = _both(path, tmp_path, date(2026, 11, 26))
    assert hot == full and hot
