"""The batch audit: the hot path agrees with the rules, output order is stable, bad lines are named."""

import importlib.util
import random
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest

from procurement.batch_audit import audit_file
from procurement.ocds.mapping import map_release
from procurement.ocds.quick import Quick
from procurement.reports.stats import figures_of
from rules.audits import TERMS_MANDATORY, audit_contract, cached_policy_at
from rules.policy import load_policy_book

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "bench" / "ocds_corpus.py"
POLICY = cached_policy_at(load_policy_book())


def corpus_module() -> ModuleType:
    if not CORPUS.is_file():
        pytest.skip("shared/bench/ocds_corpus.py not present")
    spec = importlib.util.spec_from_file_location("ocds_corpus", CORPUS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def releases(n: int, seed: int = 7) -> list[dict[str, Any]]:
    module = corpus_module()
    rnd = random.Random(seed)
    return [module.release(i, rnd) for i in range(n)]


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


@pytest.mark.parametrize("as_of", [date(2024, 6, 1), date(2025, 6, 1), date(2026, 11, 26)])
def test_hot_path_agrees_with_the_rules_on_the_corpus(as_of: date) -> None:
    quick = Quick(POLICY, as_of, build_facts=True)
    for release in releases(400):
        result = quick.audit(release)
        assert result is not None
        mapped = map_release(release)
        contract = mapped.contracts[0]
        audit = audit_contract(contract.facts, POLICY, as_of)
        coverage = tuple((k, v) for k, v in audit.coverage.items() if k != TERMS_MANDATORY)
        assert result.coverage == coverage, release["ocid"]
        performance = [f.rule_id for f in audit.findings if not f.rule_id.startswith("terms.")]
        assert Counter(result.hits) == Counter(performance), release["ocid"]
        assert mapped.buyer is not None
        figures = figures_of(
            audit,
            purchaser=mapped.buyer.id,
            purchaser_name=mapped.buyer.name,
            region=mapped.region or "",
            amount=contract.facts.amount,
            scale=contract.scale,
            as_of=as_of,
        )
        assert result.figures == figures, release["ocid"]
        assert result.facts == replace(contract.facts, events=())


def test_release_outside_the_common_shape_takes_the_full_path() -> None:
    release = releases(1)[0]
    release["contracts"].append(dict(release["contracts"][0], id="c2"))
    assert Quick(POLICY, date(2026, 1, 1)).audit(release) is None


def test_findings_file_is_identical_whatever_the_workers_and_chunks(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", releases(300))
    outputs = []
    for workers, chunk in ((1, 1 << 20), (2, 4096)):
        out = tmp_path / f"f{workers}.jsonl"
        with out.open("wb") as f:
            summary = audit_file(
                path, as_of=date(2026, 1, 1), workers=workers, findings_out=f, chunk_bytes=chunk
            )
        outputs.append((out.read_bytes(), summary.findings, summary.stats.overall()))
        assert summary.lines == 300 and summary.contracts == 300
    assert outputs[0] == outputs[1]
    lines = [orjson.loads(x)["line"] for x in outputs[0][0].splitlines()]
    assert lines == sorted(lines) and lines[0] >= 1


def test_counts_agree_with_and_without_a_findings_file(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", releases(200))
    with (tmp_path / "f.jsonl").open("wb") as f:
        full = audit_file(path, as_of=date(2026, 1, 1), workers=1, findings_out=f)
    quick = audit_file(path, as_of=date(2026, 1, 1), workers=1)
    assert quick.findings == full.findings
    assert quick.coverage == full.coverage
    assert quick.stats.overall() == full.stats.overall()
    assert sum(full.findings.values()) == len((tmp_path / "f.jsonl").read_bytes().splitlines())


def test_bad_lines_are_named_by_line_number_and_the_rest_is_audited(tmp_path: Path) -> None:
    good = releases(3)
    paid_early = releases(1, seed=99)[0]
    paid_early["contracts"][0]["implementation"]["transactions"] = [
        {"date": "2020-01-01T00:00:00+08:00", "value": {"amount": 1.0, "currency": "CNY"}}
    ]
    path = tmp_path / "m.jsonl"
    path.write_bytes(
        orjson.dumps(good[0])
        + b"\n{not json\n"
        + orjson.dumps(good[1])
        + b"\n"
        + orjson.dumps(paid_early)
        + b"\n[1]\n"
        + orjson.dumps(good[2])
        + b"\n"
    )
    summary = audit_file(path, as_of=date(2026, 1, 1), workers=2, chunk_bytes=1024)
    where = [w for w, _ in summary.errors]
    assert where == ["line 2", "line 4", "line 5"]
    assert "早于合同签订日期" in summary.errors[1][1] and paid_early["ocid"] in summary.errors[1][1]
    assert summary.contracts == 3


def test_release_package_is_audited_in_one_process(tmp_path: Path) -> None:
    path = tmp_path / "pkg.json"
    path.write_bytes(orjson.dumps({"releases": releases(5)}, option=orjson.OPT_INDENT_2))
    found: list[dict[str, Any]] = []
    summary = audit_file(path, as_of=date(2026, 1, 1), on_finding=found.append)
    assert summary.releases == 5 and summary.contracts == 5
    assert len(found) == sum(summary.findings.values())
    assert all(f["where"].startswith("releases[") for f in found)


def test_without_terms_the_performance_findings_are_unchanged(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", releases(100))
    every = audit_file(path, as_of=date(2026, 1, 1), workers=1)
    lean = audit_file(path, as_of=date(2026, 1, 1), workers=1, terms=False)
    assert lean.coverage[TERMS_MANDATORY] == Counter({"not_requested": 100})
    assert not any(rule.startswith("terms.") for rule in lean.findings)
    assert lean.findings == Counter({k: v for k, v in every.findings.items() if not k.startswith("terms.")})
