"""The batch audit's findings file and counts, pinned against the golden files of
``tests/data/batch_audit`` (written before the hot path wrote findings itself; see
``tests.batch_golden``): byte for byte, whatever the number of workers and the chunk size."""

from pathlib import Path

import orjson
import pytest

from tests.batch_golden import GOLDEN, run, write_inputs


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_inputs(tmp_path_factory.mktemp("golden"))


NAMES = [p.name.removesuffix(".summary.json") for p in sorted(GOLDEN.glob("*.summary.json"))]


@pytest.mark.parametrize("workers,chunk", [(1, 1 << 22), (2, 8192)])
@pytest.mark.parametrize("name", NAMES)
def test_findings_and_counts_are_the_golden_ones(
    inputs: dict[str, Path], tmp_path: Path, name: str, workers: int, chunk: int
) -> None:
    findings, summary = run(inputs[name], tmp_path / "out.jsonl", workers=workers, chunk_bytes=chunk)
    golden = (GOLDEN / f"{name}.findings.jsonl").read_bytes()
    if findings != golden:  # field by field first: the difference a reader can act on
        got = [orjson.loads(x) for x in findings.splitlines()]
        want = [orjson.loads(x) for x in golden.splitlines()]
        assert got == want
    assert findings == golden
    assert summary == orjson.loads((GOLDEN / f"{name}.summary.json").read_bytes())


def test_the_golden_files_hold_the_legal_edges() -> None:
    """What the golden files pin, said plainly: exactly the cap is no breach, one fen over is;
    a file without payments has no overdue payment; other currencies are kept apart."""
    rows = [orjson.loads(x) for x in (GOLDEN / "generated.findings.jsonl").read_bytes().splitlines()]
    rules = {(r["ocid"], r["rule_id"]) for r in rows}
    assert ("edge-bond-one-fen-over", "terms.bond.over_cap") in rules
    assert ("edge-bond-exactly-cap", "terms.bond.over_cap") not in rules
    assert ("edge-bond-one-fen-under", "terms.bond.over_cap") not in rules
    assert ("edge-retention-one-fen-over", "terms.retention.works_over_cap") in rules
    assert ("edge-retention-exactly-cap", "terms.retention.works_over_cap") not in rules
    summary = orjson.loads((GOLDEN / "generated.summary.json").read_bytes())
    assert ["currency", "USD", 1, 11751344] in summary["left_out"]
    unpaid = orjson.loads((GOLDEN / "unpaid.summary.json").read_bytes())
    assert "payment.overdue" not in unpaid["findings"]
    assert unpaid["coverage"]["payment.overdue"]["not_applicable:source_records_no_payments"] > 0
    assert unpaid["unrecorded"] == ["paid"]
