"""Every row of the barrier catalogue is a rule or a stated exclusion; local rows are regional."""

import re
from pathlib import Path

from rules.barriers import load_catalogue
from rules.vocabulary import LegalForce

ROOT = Path(__file__).resolve().parents[2]
ROWS = ROOT / "tests" / "data" / "barrier_catalogue_rows.txt"
README = ROOT / "rules" / "barriers" / "README.md"


def catalogue_rows() -> list[str]:
    lines = ROWS.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def excluded_rows() -> set[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Rows not detected from text", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| ([a-z_]+) \|", section, re.M)) - {"row"}


def test_every_catalogue_row_is_a_rule_or_a_stated_exclusion() -> None:
    rows = catalogue_rows()
    assert len(rows) >= 90
    covered = {row for rule in load_catalogue().rules for row in rule.rows}
    excluded = excluded_rows()
    assert [r for r in rows if r not in covered and r not in excluded] == []
    assert not covered & excluded  # an exclusion that is also a rule would be a stale note
    assert covered | excluded <= set(rows)  # no rule names a row the catalogue does not have


def test_rows_backed_only_by_secondary_reports_are_advice() -> None:
    rules = load_catalogue().rules
    assert any(r.legal_force is LegalForce.UNCONFIRMED for r in rules)
    for rule in rules:
        if rule.confidence == "L":
            assert rule.legal_force is LegalForce.UNCONFIRMED, rule.id


def test_local_rows_are_regional_rules() -> None:
    by_row = {row: rule for rule in load_catalogue().rules for row in rule.rows}
    for row in ("bid_deposit_where_abolished", "statutory_proof_overload_local"):
        assert by_row[row].regions, row
