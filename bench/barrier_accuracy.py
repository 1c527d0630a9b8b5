#!/usr/bin/env python3
"""Precision and recall of the barrier scan, per family, on real judged clauses (the measure).

Usage: .venv/bin/python bench/barrier_accuracy.py [--split test|dev|both] [--misses] [--no-context]
       .venv/bin/python bench/barrier_accuracy.py --synthetic [--misses]
(--misses lists wrongly judged clauses of dev only: test is never read while writing rules.)

Judged clauses (tests/data/barrier_cases/, see its README): each clause is scanned the way an
auditor's text is (procurement.barrier_audits.services.check_text, the audit_text path), preceded
by the heading of the section it stood in when the source says so (资格条件 / 评分办法 /
采购需求 / 合同条款), so the scanner's section context applies. Findings are mapped to families
through tests/data/barrier_cases/families.yaml. An illegal clause expects its family; a lawful one
expects nothing, so any finding on it is a false alarm of the finding's family. The clause-level
line counts a clause as flagged when it has any finding, whatever the family.

--synthetic runs the old labelled corpus (tests/data/barrier_corpus.yaml) and the paraphrases written
for issue 9 (barrier_corpus_paraphrases.yaml), kept as a regression suite: the rules were written
against them, so they are not the measure.
"""

import argparse
import inspect
from collections.abc import Sequence
from pathlib import Path

import yaml

from procurement.barrier_audits.services import check_text
from procurement.documents.services import default_scanner
from rules.barriers import BarrierScanner, ClauseKind, Requirement, scan_requirements
from rules.barriers.accuracy import OVERALL, Score, category_scores
from rules.barriers.judged_cases import Families, JudgedCase, load_cases, load_families

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
CASES = DATA / "barrier_cases"
CORPORA = (DATA / "barrier_corpus.yaml", DATA / "barrier_corpus_paraphrases.yaml")
SECTION_HEADINGS = {
    "qualification": "资格条件",
    "scoring": "评分办法",
    "requirement": "采购需求",
    "contract": "合同条款",
}
CATEGORY_WORDS = {"goods": "货物", "services": "服务", "works": "工程"}


def _category_keyword() -> str | None:
    """check_text's keyword for the project category, once the scanner takes one."""
    names = inspect.signature(check_text).parameters
    return next((n for n in ("project_category", "category") if n in names), None)


def scan_case(case: JudgedCase, scanner: BarrierScanner, *, context: bool) -> list[str]:
    """The finding categories of one clause, scanned as an auditor's text."""
    text = case.text
    if context and case.section:
        text = f"{SECTION_HEADINGS[case.section]}\n{text}"
    extra: dict[str, str] = {}
    keyword = _category_keyword()
    if context and keyword and case.category:
        extra[keyword] = case.category
    result = check_text(text, f"{case.case_id}.txt", scanner=scanner, **extra)
    return [finding.category for finding in result.findings]


def _ratio(numerator: int, denominator: int) -> str:
    """A ratio, or "-" where it is undefined (nothing flagged, nothing to find)."""
    return "-" if denominator == 0 else f"{numerator / denominator:.3f}"


def _print_scores(
    title: str, scores: dict[str, Score], counts: dict[str, tuple[int, int]] | None = None
) -> None:
    """One line per family: clauses (illegal/lawful, when known), tp, fp, fn, precision, recall."""
    print(title)
    header = ("family", "illegal", "lawful", "tp", "fp", "fn", "precision", "recall")
    print("  {:34} {:>7} {:>6} {:>4} {:>4} {:>4} {:>10} {:>8}".format(*header))
    names = set(scores) | set(counts or {})
    for family in sorted(names, key=lambda f: (f == OVERALL, f)):
        s = scores.get(family, Score())
        illegal, lawful = (counts or {}).get(family, ("-", "-")) if counts is not None else ("-", "-")
        flagged, expected = s.true_positives + s.false_positives, s.true_positives + s.false_negatives
        precision, recall = _ratio(s.true_positives, flagged), _ratio(s.true_positives, expected)
        print(
            f"  {family:34} {illegal:>7} {lawful:>6} {s.true_positives:4} {s.false_positives:4}"
            f" {s.false_negatives:4} {precision:>10} {recall:>8}"
        )


def report_split(
    name: str, cases: Sequence[JudgedCase], families: Families, *, context: bool, misses: bool
) -> None:
    scanner = default_scanner()  # with the national pack's limits (bond caps, payment days)
    per_family: list[tuple[set[str], set[str]]] = []
    clause = Score()
    for case in cases:
        categories = scan_case(case, scanner, context=context)
        found = {families.family_of_finding(c) for c in categories}
        expected = {case.family} if case.illegal else set()
        per_family.append((expected, found))
        if case.illegal and found:
            clause.true_positives += 1
        elif found:
            clause.false_positives += 1
        elif case.illegal:
            clause.false_negatives += 1
        if misses and case.split == "dev" and expected != found:  # test stays unread by rule writers
            print(
                f"  MISS {case.case_id} [{case.split}] {case.verdict}/{case.family}/{case.form}"
                f" found={sorted(categories)}: {case.text[:80]}"
            )
    illegal_total = sum(1 for c in cases if c.illegal)
    sources = len({c.source.url for c in cases})
    print(
        f"{name}: {len(cases)} clauses from {sources} source documents,"
        f" {illegal_total} illegal, {len(cases) - illegal_total} lawful look-alikes"
        f" (section context {'on' if context else 'off'})"
    )
    flagged = clause.true_positives + clause.false_positives
    print(
        f"  clause level: flagged clauses truly illegal (precision)"
        f" {_ratio(clause.true_positives, flagged)},"
        f" illegal clauses flagged (recall) {_ratio(clause.true_positives, illegal_total)}"
        f"  [tp {clause.true_positives} fp {clause.false_positives} fn {clause.false_negatives}]"
    )
    counts: dict[str, tuple[int, int]] = {}
    for case in cases:
        illegal, lawful = counts.get(case.family, (0, 0))
        counts[case.family] = (illegal + case.illegal, lawful + (not case.illegal))
    counts[OVERALL] = (illegal_total, len(cases) - illegal_total)
    _print_scores(
        "  per family (a finding counts only for its own family):", category_scores(per_family), counts
    )
    print()


def run_synthetic(misses: bool) -> None:
    items = [item for path in CORPORA for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]]
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
        if misses and expected != got:
            print(f"MISS expected={sorted(expected)} found={sorted(got)} {item['text']}")
    lawful = sum(1 for item in items if not item["expect"])
    print(f"synthetic corpus (regression suite, not the measure): {len(items)} clauses, {lawful} lawful")
    _print_scores("per category:", category_scores(cases))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--split", choices=("test", "dev", "both"), default="both")
    parser.add_argument("--misses", action="store_true", help="list the dev clauses judged wrongly")
    parser.add_argument("--no-context", action="store_true", help="scan the bare clause, no section heading")
    parser.add_argument("--synthetic", action="store_true", help="the old labelled corpus instead")
    args = parser.parse_args()
    if args.synthetic:
        run_synthetic(args.misses)
        return
    families = load_families(CASES)
    splits = ("test", "dev") if args.split == "both" else (args.split,)
    for split in splits:
        cases = load_cases(CASES, (split,))
        report_split(split, cases, families, context=not args.no_context, misses=args.misses)


if __name__ == "__main__":
    main()
