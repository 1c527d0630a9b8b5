"""A clause judged by the scanner (``Verdict``), kept and replayed: the findings it gives at a
place in a document. Offsets in a verdict are into the clause; ``findings_of`` adds the document's."""

from collections.abc import Mapping
from typing import Any, NamedTuple

from rules.barriers.catalogue import BarrierRule
from rules.barriers.normalize import Quantity
from rules.findings import Finding


class Verdict(NamedTuple):
    """A clause judged: its stripped text (``shift`` characters into the raw clause), its kind, the
    size check, and per rule that fired its trigger and quantities (offsets into ``body``)."""

    shift: int
    body: str
    kind: str
    size: dict[str, Any] | None
    matched: tuple[tuple[BarrierRule, str, int, tuple[tuple[dict[str, Any], int, int], ...]], ...]
    policy_version: str


def _copy(value: Any) -> Any:
    """A copy of JSON-like data (dicts, lists, scalars): copy.deepcopy without its memo, 5x faster."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def value_fields(quantity: Quantity) -> dict[str, Any]:
    """A quantity as evidence; its offsets are replaced by the document's, per finding."""
    return quantity.as_dict()


def findings_of(
    verdict: Verdict,
    document: str,
    location: Mapping[str, Any] | None,
    offset: int,
    line: int | None,
) -> list[Finding]:
    """The findings of a judged clause whose raw text starts at ``offset`` in the document."""
    where: dict[str, Any] = dict(location or {})
    if line is not None:
        where["line"] = line
    start = offset + verdict.shift
    end = start + len(verdict.body)
    findings = []
    for rule, trigger_text, trigger_start, values in verdict.matched:
        message_zh, message_en = rule.message_zh, rule.message_en
        evidence: dict[str, Any] = {
            "document": document,
            "location": where,
            "start": start,
            "end": end,
            "clause": verdict.body,
            "clause_kind": verdict.kind,
            "trigger": {"text": trigger_text, "start": start + trigger_start},
            "rows": list(rule.rows),
            "confidence": rule.confidence,
            "values": [value | {"start": start + q_start, "end": start + q_end}
                       for value, q_start, q_end in values],
        }  # fmt: skip
        if verdict.size is not None and rule.measure is not None:
            evidence["size_check"] = _copy(verdict.size)  # a verdict is shared: never its dicts
            message_zh += verdict.size["note_zh"]
            message_en += " " + verdict.size["note_en"]
        findings.append(
            Finding(
                rule_id=rule.id,
                category=rule.category,
                legal_force=rule.legal_force,
                citations=rule.citations,
                message_zh=message_zh,
                message_en=message_en,
                remedy_zh=rule.remedy_zh,
                remedy_en=rule.remedy_en,
                evidence=evidence,
                policy_version=verdict.policy_version,
            )
        )
    return findings
