"""Pure helpers of the pages: marking findings in a document's text by offset, and naming term fields."""

from api.pages.audit_work import highlighted
from rules.findings import Finding
from rules.vocabulary import LegalForce


def _finding(start: int, end: int) -> Finding:
    return Finding(
        "r", "scale.assets", LegalForce.MANDATORY, (), "m", "m", evidence={"start": start, "end": end}
    )


def test_pieces_rebuild_each_segment_and_mark_exactly_the_spans() -> None:
    segments = [(0, "第一行文字。\n", {}), (7, "投标人注册资本不低于500万元。\n", {"line": 2})]
    found = [_finding(10, 16), _finding(0, 3)]
    out = highlighted(segments, found)
    for (_, text, _), seg in zip(segments, out, strict=True):
        assert "".join(p.text for p in seg["pieces"]) == text
    marked = [(p.text, p.finding) for seg in out for p in seg["pieces"] if p.finding is not None]
    assert marked == [("第一行", 1), ("注册资本不低", 0)]


def test_a_span_across_two_segments_is_marked_in_both() -> None:
    segments = [(0, "abc", {}), (3, "def", {})]
    out = highlighted(segments, [_finding(2, 5)])
    assert [(p.text, p.finding) for p in out[0]["pieces"]] == [("ab", None), ("c", 0)]
    assert [(p.text, p.finding) for p in out[1]["pieces"]] == [("de", 0), ("f", None)]


def test_overlapping_findings_never_repeat_text() -> None:
    segments = [(0, "0123456789", {})]
    out = highlighted(segments, [_finding(2, 6), _finding(4, 8)])
    assert "".join(p.text for p in out[0]["pieces"]) == "0123456789"


def test_term_fields_are_named_for_people() -> None:
    from api.pages.labels import field_label, value_label

    assert field_label("bonds[0].percent", "zh") == "第1项保证金比例（%）"
    assert field_label("payment_terms[1].days", "en") == "payment 2: due within (days)"
    assert field_label("something.new", "zh") == "something.new"
    assert value_label(["bank_guarantee", "cash"], "zh") == "银行保函、现金"
    assert value_label(None, "en") == "—"
