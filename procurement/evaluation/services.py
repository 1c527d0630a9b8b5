"""The reservation duty of a project (46号 Arts. 7-8, 19号) as the API and the CLI answer it.

Evaluation rules follow the procurement announcement date; amounts are yuan, shares percent.
"""

from decimal import Decimal
from typing import Any

from procurement.contracts.facts import HUNDRED
from procurement.errors import InvalidInput
from rules import errors as rules_errors
from rules.evaluation import reservation_duty
from rules.policy import PolicySnapshot
from rules.vocabulary import Category


def _percent(rate: Decimal | None) -> str | None:
    return None if rate is None else format((rate * HUNDRED).normalize(), "f")


def check_reservation(
    *,
    snapshot: PolicySnapshot,
    category: Category,
    budget: Decimal,
    suitable_amount: Decimal | None,
    suitable_for_sme: bool,
    above_procurement_threshold: bool,
) -> dict[str, Any]:
    """How much of a project must be reserved for SMEs, and for small/micro firms within that."""
    try:
        duty = reservation_duty(
            snapshot,
            category=category,
            budget=budget,
            suitable_amount=suitable_amount,
            suitable_for_sme=suitable_for_sme,
            above_procurement_threshold=above_procurement_threshold,
        )
    except rules_errors.InvalidInput as exc:
        field = exc.field or "_schema"
        raise InvalidInput(
            {field: f"{exc.message_zh} / {exc.message_en}"}, exc.message_zh, exc.message_en
        ) from exc
    return {
        "has_duty": duty.has_duty,
        "whole_project": duty.whole_project,
        "min_reserved_amount": duty.min_reserved_amount,
        "min_reserved_percent": _percent(duty.min_reserved_share),
        "min_small_micro_amount": duty.min_small_micro_amount,
        "min_small_micro_percent": _percent(duty.min_small_micro_share),
        "reason": {"zh": duty.reason_zh, "en": duty.reason_en},
        "legal_force": duty.legal_force.value if duty.legal_force else None,
        "citations": [c.as_dict() for c in duty.citations],
        "announced_on": snapshot.on,
        "policy_pack": snapshot.pack_id,
        "policy_version": duty.policy_version,
    }
