"""The labelled corpus: per-category precision and recall of the barrier rules are at least 0.95."""

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from rules.barriers import BarrierScanner, ClauseKind, Requirement, scan_requirements
from rules.barriers.accuracy import OVERALL, category_scores

DATA = Path(__file__).resolve().parents[1] / "data"
# the labelled corpus and the paraphrases written for issue 9's rules (same schema, one suite)
CORPORA = (DATA / "barrier_corpus.yaml", DATA / "barrier_corpus_paraphrases.yaml")
THRESHOLD = 0.95


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = []
    for corpus in CORPORA:
        data.extend(yaml.safe_load(corpus.read_text(encoding="utf-8"))["items"])
    return data


def test_the_corpus_is_large_varied_and_has_lawful_look_alikes(items: list[dict[str, Any]]) -> None:
    categories = Counter(c for item in items for c in item["expect"])
    assert len(items) >= 200
    assert len(categories) >= 12
    assert sum(1 for item in items if not item["expect"]) >= 60
    assert all(item["kind"] in {k.value for k in ClauseKind} for item in items)


def test_every_category_reaches_precision_and_recall_of_95_percent(
    items: list[dict[str, Any]],
) -> None:
    scanner = BarrierScanner()
    cases = []
    for item in items:
        requirement = Requirement(item["text"], ClauseKind(item["kind"]))
        found = scan_requirements([requirement], industry=item.get("industry"), scanner=scanner)
        cases.append((set(item["expect"]), {f.category for f in found}))
    scores = category_scores(cases)
    weak = {
        category: (round(s.precision, 3), round(s.recall, 3))
        for category, s in scores.items()
        if s.precision < THRESHOLD or s.recall < THRESHOLD
    }
    assert weak == {}
    assert len(scores) - 1 >= 12  # every category was exercised, plus OVERALL
    assert scores[OVERALL].true_positives >= 140
