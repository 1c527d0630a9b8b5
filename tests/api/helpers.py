"""Small helpers for API tests: auth headers and a valid contract body."""

from typing import Any

from procurement.organizations.models import Organization, Role
from tests import factories


def headers_for(organization: Organization, role: Role = Role.OFFICER, **extra: str) -> dict[str, str]:
    _, key = factories.api_key(organization, role)
    return {"Authorization": f"Bearer {key}", **extra}


def contract_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "external_ref": "XJ-2025-0001",
        "category": "goods",
        "amount": "1000000.00",
        "purchaser_type": "public_body",
        "announced_on": "2025-07-01",
        "signed_on": "2025-08-01",
        "status": "signed",
        "acceptance_period_days": 15,
        "payment_terms": [
            {"kind": "final", "percent": "90", "trigger": "acceptance", "days": 60},
            {"kind": "retention", "percent": "10", "trigger": "warranty_end", "days": 30, "held_months": 12},
        ],
        "bonds": [{"kind": "performance", "percent": "10", "forms": ["cash"]}],
    }
    body.update(overrides)
    return body
