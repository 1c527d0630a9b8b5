"""What was decided on a contract's SME terms: the history of applies, each with its reasons.

Plain service functions: the API resource and the officer/auditor pages call the same ones.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.contracts import services as contracts
from procurement.contracts.models import Contract
from procurement.errors import Conflict
from procurement.scope import Actor
from procurement.terms.models import TermsResult


def _declined_items(row: TermsResult) -> list[dict[str, Any]]:
    # the declined rule's own legal force and message, so an auditor reads what was turned down
    shown = {a["rule_id"]: a for a in row.result.get("adjustments", [])}
    items = []
    for item in row.declined:
        adjustment = shown.get(item["rule_id"], {})
        items.append(
            {
                "rule_id": item["rule_id"],
                "reason": item["reason"],
                "legal_force": adjustment.get("legal_force"),
                "message": adjustment.get("message"),
                "legal_basis": adjustment.get("legal_basis"),
            }
        )
    return items


def decision_body(row: TermsResult) -> dict[str, Any]:
    return {
        "id": row.id,
        "evaluated_version": row.contract_version,
        "policy_pack": row.policy_pack,
        "policy_version": row.policy_version,
        "evaluated_on": row.evaluated_on,
        "accepted": row.accepted_rule_ids,
        "declined": _declined_items(row),
        "applied_by": row.applied_by,
        "created_at": row.created_at,
        "clauses": row.result.get("clauses", []),
    }


def decision_rows(session: Session, contract_id: int) -> list[TermsResult]:
    """Every stored apply of the contract, newest first."""
    return list(
        session.execute(
            select(TermsResult).where(TermsResult.contract_id == contract_id).order_by(TermsResult.id.desc())
        ).scalars()
    )


def declined_by_contract(session: Session, contract_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The adjustments declined in each contract's latest apply, with reasons (for findings)."""
    wanted = sorted(set(contract_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(TermsResult).where(TermsResult.contract_id.in_(wanted)).order_by(TermsResult.id)
    ).scalars()
    latest = {row.contract_id: row for row in rows}  # ascending ids: the last one stays
    return {contract_id: _declined_items(row) for contract_id, row in latest.items()}


def terms_decisions(session: Session, actor: Actor, contract_id: int) -> dict[str, Any]:
    """The decisions history of a contract the caller may see (auditors included)."""
    contract = contracts.get_contract(session, actor, contract_id)
    return {
        "contract_id": contract.id,
        "contract_version": contract.version,
        "decisions": [decision_body(row) for row in decision_rows(session, contract.id)],
    }


def latest_decision(session: Session, actor: Actor, contract_id: int) -> tuple[Contract, TermsResult]:
    """The contract and its latest apply; a contract never applied is a conflict to resolve first."""
    contract = contracts.get_contract(session, actor, contract_id)
    rows = session.execute(
        select(TermsResult)
        .where(TermsResult.contract_id == contract.id)
        .order_by(TermsResult.id.desc())
        .limit(1)
    ).scalars()
    row = next(iter(rows), None)
    if row is None:
        raise Conflict(
            "该合同尚未确认中小企业合同条款：请先预览（POST /sme-terms）并确认（POST /sme-terms/apply）",
            "the contract's SME terms were never decided: preview (POST /sme-terms) and apply "
            "(POST /sme-terms/apply) first",
        )
    return contract, row
