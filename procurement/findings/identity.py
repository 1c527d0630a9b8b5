"""What a finding is about (its key) and which part of its evidence matters (its digest).

A key names the thing audited (a contract, a document of an organization, a record of a file), the
rule, and the obligation, term or clause within it, so that every audit of the same thing finds the
same key. The digest leaves out what moves only with the day one looks (days late, interest so
far) or with the discharge (what is still outstanding): a dismissed finding reopens when the rest
changes, not because a day has passed.
"""

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from rules.findings import Finding

# evidence that changes without the finding changing in substance
VOLATILE_EVIDENCE = frozenset(
    {
        "record",  # where a batch found it
        "days_late",
        "days_overdue",
        "late_interest",
        "outstanding",
        "paid_on",
        "settled_on",
        # a document edited elsewhere moves a clause without changing it
        "location",
        "start",
        "end",
        "trigger",
        "values",
    }
)


def subject_of(finding: Finding) -> str:
    """The obligation, term or clause within the audited thing that ``finding`` is about."""
    evidence = finding.evidence
    if "clause" in evidence:  # a clause of a document: its text, whatever page it moved to
        text = " ".join(str(evidence["clause"]).split())
        return "clause:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
    if "term_index" in evidence:  # a payment obligation of the contract's terms
        return f"term:{evidence['term_index']}"
    if "field" in evidence:  # a contract term (e.g. bonds[0].rate)
        return str(evidence["field"])
    if "kind" in evidence:  # a bond or retention of the ledger
        ref = evidence.get("ref")
        return f"{evidence['kind']}:{ref}" if ref is not None else str(evidence["kind"])
    return ""


def keyed(scope: str, findings: Iterable[Finding]) -> Iterator[tuple[str, Finding]]:
    """(key, finding) for the findings of one audited thing; ``scope`` names the thing.

    The same rule firing twice on the same subject (one clause repeated in a document) is told apart
    by its order of appearance, so each keeps a key of its own.
    """
    seen: Counter[str] = Counter()
    for finding in findings:
        key = f"{scope}:{finding.rule_id}:{subject_of(finding)}"
        seen[key] += 1
        yield (key if seen[key] == 1 else f"{key}#{seen[key]}"), finding


def contract_scope(contract_id: int) -> str:
    return f"contract:{contract_id}"


def document_scope(organization_id: int, sha256: str) -> str:
    """A document of an organization, by its content (sha256 of the bytes audited), not its file
    name: two different files both called 招标文件.pdf are two documents, and the same file audited
    again under another name is the same one. A revised file is a new document; the findings of the
    version it replaces stay with that version."""
    return f"document:{organization_id}:sha256:{sha256[:32]}"


def material(evidence: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in evidence.items() if k not in VOLATILE_EVIDENCE}


def evidence_digest(evidence: Mapping[str, Any]) -> str:
    """sha256 of the material evidence as canonical JSON (keys sorted, Decimals and dates as text)."""
    text = json.dumps(material(evidence), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The material evidence fields that differ, for the reason given when a finding reopens."""
    old, new = material(before), material(after)
    return sorted(k for k in old.keys() | new.keys() if _text(old.get(k)) != _text(new.get(k)))


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
