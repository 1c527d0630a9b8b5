#!/usr/bin/env python3
"""Precision and recall of the barrier rules per category on tests/data/barrier_corpus.yaml.

Usage: .venv/bin/python bench/barrier_accuracy.py [--misses]
"""

import argparse
from pathlib import Path

import yaml

from rules.barriers import BarrierScanner, ClauseKind, Requirement, scan_requirements
from rules.barriers.accuracy import OVERALL, category_scores

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "barrier_corpus.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--misses", action="store_true", help="list the clauses judged wrongly")
    args = parser.parse_args()
    items = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["items"]
    scanner = BarrierScanner()
    cases = []
    for item in items:
        found = scan_requirements(
            [Requirement(item["text"], ClauseKind(item["kind"]))],
            industry=item.get("industry"),
            scanner=scanner,
        )
        expected, got = set(item["expect"]), {f.category for f in found}
        cases.append((expected, got))
        if args.misses and expected != got:
            print(f"MISS expected={sorted(expected)} found={sorted(got)} {item['text']}")
    lawful = sum(1 for item in items if not item["expect"])
    print(f"corpus: {len(items)} clauses, {lawful} lawful look-alikes")
    print(f"{'category':32} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8}")
    scores = category_scores(cases)
    for category in sorted(scores, key=lambda c: (c == OVERALL, c)):
        s = scores[category]
        print(
            f"{category:32} {s.true_positives:4} {s.false_positives:4} {s.false_negatives:4}"
            f" {s.precision:10.3f} {s.recall:8.3f}"
        )


if __name__ == "__main__":
    main()
