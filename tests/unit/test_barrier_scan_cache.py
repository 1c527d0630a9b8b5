"""The scanner remembers the verdict on a clause it has judged (tender documents repeat their
boilerplate); remembering must never change a finding. Each test compares a scanner that remembers
with one that judges every clause afresh (``clause_cache=0``), on text from tests/tender_text.py."""

import hashlib
import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.barrier_audits.services import check_text
from procurement.documents.services import scanner_for
from rules.barriers import BarrierScanner, load_catalogue
from tests.tender_text import clauses, tender_text


@cache
def _scanners() -> tuple[BarrierScanner, BarrierScanner]:
    remembering = scanner_for(date(2026, 12, 1))
    fresh = BarrierScanner(
        remembering.catalogue,
        size_table=remembering.size_table,
        parameters=remembering.parameters,
        clause_cache=0,
    )
    return remembering, fresh


def _findings(text: str, scanner: BarrierScanner, **kwargs: Any) -> list[str]:
    result = check_text(text, "tender.txt", scanner=scanner, **kwargs)
    return [json.dumps(f.as_dict(), ensure_ascii=False, sort_keys=True, default=str) for f in result.findings]


def test_a_generated_tender_gives_the_same_findings_remembered_or_not() -> None:
    remembering, fresh = _scanners()
    remembering.forget()
    text = tender_text(3000)
    expected = _findings(text, fresh)
    assert len(expected) > 300  # the text is full of barriers: the comparison means something
    cold = _findings(text, remembering)
    warm = _findings(text, remembering)  # every clause a remembered one now
    assert cold == expected
    assert warm == expected


# The findings of main a768b7d's scanner (before clause verdicts were remembered) on tender_text(3000)
# with the pinned catalogue: their number and the SHA-256 of their JSON lines.
PINNED = (2389, "598a3177157509e1e69a1655032331a36ed937220b31f9fd46e85a8fbf98653d")


def test_the_findings_on_a_fixed_document_are_those_of_the_engine_before() -> None:
    """Pinned to a fixed copy of the catalogue (tests/data/barriers_pinned.yaml), so a change to
    the engine that moves an offset, drops a value or alters a message fails here."""
    base, _fresh = _scanners()
    catalogue = load_catalogue(Path(__file__).parents[1] / "data" / "barriers_pinned.yaml")
    scanner = BarrierScanner(catalogue, size_table=base.size_table, parameters=base.parameters)
    lines = _findings(tender_text(3000), scanner)
    assert (len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()) == PINNED
    assert lines == _findings(tender_text(3000), scanner)  # and again, from remembered verdicts


def test_context_is_part_of_what_is_remembered() -> None:
    """The same clause under another heading, industry or region is judged again, not replayed."""
    remembering, fresh = _scanners()
    clause = "投标人须具有有效的ISO9001质量管理体系认证证书。注册资本不低于5000万元。营业收入不少于5亿元。\n"
    texts = [
        "第一章 供应商资格要求\n" + clause,
        "第二章 评分标准\n" + clause,
        "所属行业为工业。\n" + clause,
        "所属行业为软件和信息技术服务业。\n" + clause,
    ]
    for text in texts:
        for region in (None, "650100"):
            assert _findings(text, remembering, region=region) == _findings(text, fresh, region=region)
    # the clause is found with its own offsets in each document, not the first one's
    starts = {json.loads(_findings(t, remembering)[0])["evidence"]["start"] for t in texts}
    assert len(starts) > 1


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(range(len(clauses()))), min_size=1, max_size=40), st.booleans())
def test_any_arrangement_of_clauses_gives_the_same_findings(picks: list[int], one_line: bool) -> None:
    remembering, fresh = _scanners()
    pool = clauses()
    text = ("" if one_line else "\n").join(pool[i] for i in picks) + "\n"
    assert _findings(text, remembering) == _findings(text, fresh)


def test_the_memory_is_bounded() -> None:
    remembering, fresh = _scanners()
    small = BarrierScanner(
        remembering.catalogue,
        size_table=remembering.size_table,
        parameters=remembering.parameters,
        clause_cache=50,
    )
    text = tender_text(1500, seed=3)
    assert _findings(text, small) == _findings(text, fresh)
    assert len(small._verdicts) <= 50


_SIZED = "投标人注册资本不低于5000万元，营业收入不少于5亿元。"  # a revenue threshold: sized per industry


def _size_industries(lines: list[str]) -> list[str | None]:
    return [json.loads(line)["evidence"].get("size_check", {}).get("industry") for line in lines]


def test_a_remembered_line_is_sized_for_the_industry_it_is_read_in() -> None:
    """A line is remembered without the industry: its size check is the one of where it is read."""
    remembering, fresh = _scanners()
    remembering.forget()
    text = "所属行业为工业。\n" + _SIZED + "\n所属行业为零售业。\n" + _SIZED + "\n"
    found = _findings(text, remembering)
    assert found == _findings(text, fresh)
    assert [i for i in _size_industries(found) if i] == ["工业", "零售业"]


def test_a_line_that_names_its_own_industry_keeps_it_when_replayed() -> None:
    remembering, fresh = _scanners()
    remembering.forget()
    own = "所属行业为建筑业。" + _SIZED + "\n"
    text = own + "所属行业为工业。\n" + own + _SIZED + "\n"
    found = _findings(text, remembering)
    assert found == _findings(text, fresh)
    assert [i for i in _size_industries(found) if i] == ["建筑业", "建筑业", "建筑业"]


def test_an_industry_named_on_the_next_line_is_read_across_the_line_end() -> None:
    """所属行业 and its value on two lines: the line cannot be remembered on its own text."""
    remembering, fresh = _scanners()
    remembering.forget()
    text = "所属行业\n工业\n" + _SIZED + "\n所属行业\n零售业\n" + _SIZED + "\n"
    found = _findings(text, remembering)
    assert found == _findings(text, fresh)
    assert [i for i in _size_industries(found) if i] == ["工业", "零售业"]


def test_the_same_words_as_a_line_and_as_the_last_part_of_a_text() -> None:
    remembering, fresh = _scanners()
    remembering.forget()
    for text in (
        "第一章 评分标准\n" + _SIZED + "\n" + _SIZED,
        "第一章 评分标准",
        "第一章 评分标准\n" + _SIZED,
    ):
        assert _findings(text, remembering) == _findings(text, fresh)
