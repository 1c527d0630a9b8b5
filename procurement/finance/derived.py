"""A contract's audit as far as it does not depend on the day one looks, stored with its obligations.

``refresh_obligations`` derives, per contract, the ``contract_audits`` row: the mandatory-term
findings (``terms.*``: the terms and the pack decide them, not the date) and each rule's coverage
reason, worked out with every recorded event (as the obligations are). A set-based audit run
(``procurement.finance.set_audit``) reads them instead of running the rules on each contract again.

``book`` names the policy packs the row was derived under: a run trusts only rows derived under the
packs it audits with, and audits the other contracts one by one.
"""

import hashlib
from datetime import date
from functools import lru_cache
from typing import Any

from procurement.findings.upsert import jsonable
from rules.audits import ContractAudit, audit_contract, terms_hook
from rules.contract import ContractFacts
from rules.errors import RulesError
from rules.findings import Citation, Finding
from rules.payment_clock import PolicyAt
from rules.policy import PolicyBook, default_policy_book
from rules.vocabulary import LegalForce

FOREVER = date.max
UNTRUSTED = ""  # derived with a policy the run cannot name: never read


def fingerprint(book: PolicyBook) -> str:
    """The packs of ``book`` (their ids and content digests) in one digest."""
    versions = sorted(info.version for info in book.packs)
    hook = "terms" if terms_hook() is not None else "no-terms"
    return hashlib.sha256("\n".join([hook, *versions]).encode()).hexdigest()


@lru_cache(maxsize=1)
def default_fingerprint() -> str:
    return fingerprint(default_policy_book())


def finding_content(finding: Finding) -> dict[str, Any]:
    """A finding as stored JSON (``finding_of`` reads it back to the same finding)."""
    return {
        "rule_id": finding.rule_id,
        "category": finding.category,
        "legal_force": finding.legal_force.value,
        "citations": [c.as_dict() for c in finding.citations],
        "message_zh": finding.message_zh,
        "message_en": finding.message_en,
        "remedy_zh": finding.remedy_zh,
        "remedy_en": finding.remedy_en,
        "evidence": jsonable(finding.evidence),
        "policy_version": finding.policy_version,
    }


def finding_of(content: dict[str, Any]) -> Finding:
    return Finding(
        rule_id=content["rule_id"],
        category=content["category"],
        legal_force=LegalForce(content["legal_force"]),
        citations=tuple(Citation(**c) for c in content["citations"]),
        message_zh=content["message_zh"],
        message_en=content["message_en"],
        remedy_zh=content["remedy_zh"],
        remedy_en=content["remedy_en"],
        evidence=content["evidence"],
        policy_version=content["policy_version"],
    )


def audit_row(contract_id: int, facts: ContractFacts, policy_at: PolicyAt, book: str) -> dict[str, Any]:
    """The ``contract_audits`` row of one contract (``book``: ``default_fingerprint()`` when
    ``policy_at`` reads the default packs, else ``UNTRUSTED``)."""
    try:
        # the findings as of FOREVER are never kept (only ``terms.*``): not written at all
        audit = audit_contract(facts, policy_at, FOREVER, record=f"contract {contract_id}", judged=False)
    except RulesError:
        # the run audits it one by one and reports the error as it always did
        return {"contract_id": contract_id, "book": book, "consistent": False, "coverage": {}, "terms": []}
    return audit_row_of(contract_id, audit, book)


def audit_row_of(contract_id: int, audit: ContractAudit, book: str) -> dict[str, Any]:
    """The row of a contract whose ``audit_contract`` as of ``FOREVER`` gave ``audit`` (``judged``
    or not: the row keeps only the coverage and the ``terms.*`` findings)."""
    terms = [finding_content(f) for f in audit.findings if f.rule_id.startswith("terms.")]
    return {
        "contract_id": contract_id,
        "book": book,
        "consistent": True,
        "coverage": dict(audit.coverage),
        "terms": terms,
    }
