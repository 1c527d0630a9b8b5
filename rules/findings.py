"""What every rule returns: citations, findings (breaches or advice) and their evidence."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rules.vocabulary import LegalForce, Severity


@dataclass(frozen=True, slots=True)
class Citation:
    """One legal source: ``doc_id`` is the short id of LAW.md's table (e.g. ``802号令``)."""

    doc_id: str
    article: str
    title: str
    url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "article": self.article, "title": self.title, "url": self.url}


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule's verdict on one thing: a violation of a mandatory provision or advice."""

    rule_id: str
    category: str
    legal_force: LegalForce
    citations: tuple[Citation, ...]
    message_zh: str
    message_en: str
    remedy_zh: str = ""
    remedy_en: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)
    policy_version: str = ""

    @property
    def severity(self) -> Severity:
        return Severity.of(self.legal_force)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "category": self.category,
            "legal_force": self.legal_force.value,
            "severity": self.severity.value,
            "citations": [c.as_dict() for c in self.citations],
            "message": {"zh": self.message_zh, "en": self.message_en},
            "remedy": {"zh": self.remedy_zh, "en": self.remedy_en},
            "evidence": dict(self.evidence),
            "policy_version": self.policy_version,
        }
