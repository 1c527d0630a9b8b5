"""The real judged clauses (tests/data/barrier_cases/): schema, fixed split, families, sizes.

No accuracy threshold here: the measure is printed by bench/barrier_accuracy.py.
"""

from collections import Counter
from pathlib import Path

import pytest
import yaml

from rules.barriers.judged_cases import (
    LEVELS,
    CaseError,
    JudgedCase,
    load_cases,
    load_families,
    load_file,
    split_of,
)

ROOT = Path(__file__).resolve().parents[1] / "data" / "barrier_cases"
BARRIER_CATALOGUE = Path(__file__).resolve().parents[2] / "config" / "barriers.yaml"


@pytest.fixture(scope="module")
def cases() -> list[JudgedCase]:
    return load_cases(ROOT)


def test_every_row_names_its_source_number_or_date_level_verdict_and_family(cases: list[JudgedCase]) -> None:
    # load_cases raises CaseError on the first row that breaks the schema; check the result too
    assert cases
    for case in cases:
        assert case.source.url.startswith(("http://", "https://"))
        assert case.source.number or case.source.date
        assert case.source.level in LEVELS
        assert case.verdict in {"illegal", "lawful"}
        assert case.family and case.form and case.text and case.finding


def test_each_file_lies_in_the_split_its_url_fixes(cases: list[JudgedCase]) -> None:
    assert {c.split for c in cases} <= {"dev", "test"}
    assert all(split_of(c.source.url) == c.split for c in cases)


def test_one_file_per_source_document_and_no_clause_twice(cases: list[JudgedCase]) -> None:
    files_of_url = Counter(
        yaml.safe_load(p.read_text(encoding="utf-8"))["source"]["url"] for p in ROOT.glob("*/*.yaml")
    )
    assert [url for url, n in files_of_url.items() if n > 1] == []
    texts = Counter(c.text for c in cases)
    assert [t for t, n in texts.items() if n > 1] == []


def test_every_engine_category_counts_for_a_known_family() -> None:
    families = load_families(ROOT)
    known = set(families.of_form.values())
    rules = yaml.safe_load(BARRIER_CATALOGUE.read_text(encoding="utf-8"))["rules"]
    unmapped = {r["category"] for r in rules if families.family_of_finding(r["category"]) not in known}
    assert unmapped == set()


def test_both_splits_hold_illegal_clauses_and_lawful_look_alikes(cases: list[JudgedCase]) -> None:
    for split in ("dev", "test"):
        verdicts = Counter(c.verdict for c in cases if c.split == split)
        assert verdicts["illegal"] > 0 and verdicts["lawful"] > 0


URL = "https://example.org/decision"
SOURCE = {"url": URL, "title": "t", "issuer": "i", "date": "2024-01-01", "level": "press_analysis"}
ROW = {"text": "x", "verdict": "lawful", "family": "locality", "form": "registration_place", "finding": "f"}


def _write(tmp_path: Path, source: dict[str, str], row: dict[str, str], *, split: str | None = None) -> Path:
    folder = tmp_path / (split or split_of(URL))
    folder.mkdir(exist_ok=True)
    path = folder / "case.yaml"
    path.write_text(yaml.safe_dump({"source": source, "cases": [row]}, allow_unicode=True), encoding="utf-8")
    return path


def test_a_row_without_source_number_and_date_is_refused(tmp_path: Path) -> None:
    source = {k: v for k, v in SOURCE.items() if k != "date"}
    with pytest.raises(CaseError, match="number or its date"):
        load_file(_write(tmp_path, source, ROW), load_families(ROOT))


def test_a_row_without_verdict_or_with_an_unknown_level_is_refused(tmp_path: Path) -> None:
    row = {k: v for k, v in ROW.items() if k != "verdict"}
    with pytest.raises(CaseError, match="missing verdict"):
        load_file(_write(tmp_path, SOURCE, row), load_families(ROOT))
    with pytest.raises(CaseError, match="level="):
        load_file(_write(tmp_path, {**SOURCE, "level": "rumour"}, ROW), load_families(ROOT))


def test_a_form_outside_the_catalogue_or_in_the_wrong_family_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="belongs to family locality"):
        load_file(_write(tmp_path, SOURCE, {**ROW, "family": "performance"}), load_families(ROOT))
    with pytest.raises(CaseError, match=r"not a BARRIERS\.md form"):
        load_file(_write(tmp_path, SOURCE, {**ROW, "form": "invented_form"}), load_families(ROOT))


def test_a_file_in_the_wrong_split_is_refused(tmp_path: Path) -> None:
    wrong = "dev" if split_of(URL) == "test" else "test"
    with pytest.raises(CaseError, match="its url puts it in"):
        load_file(_write(tmp_path, SOURCE, ROW, split=wrong), load_families(ROOT))
