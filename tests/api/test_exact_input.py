"""Money and percentages are taken exactly as sent: a third decimal is a 422 naming the field."""

import pytest
from falcon import testing

from tests import factories
from tests.api.helpers import contract_body, headers_for


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "1200000.001"}, "amount"),
        ({"amount": 1200000.005}, "amount"),
        (
            {"payment_terms": [{"kind": "final", "percent": "33.333", "trigger": "acceptance", "days": 15}]},
            "payment_terms.0.percent",
        ),
        (
            {"bonds": [{"kind": "performance", "percent": "2.505", "forms": ["bank_guarantee"]}]},
            "bonds.0.percent",
        ),
    ],
)
def test_a_third_decimal_is_422_naming_the_field_and_nothing_is_stored(
    client: testing.TestClient, overrides: dict[str, object], field: str
) -> None:
    headers = headers_for(factories.OrganizationFactory())
    result = client.simulate_post("/v1/contracts", json=contract_body(**overrides), headers=headers)
    assert result.status_code == 422
    assert field in result.json["errors"], result.json["errors"]
    assert client.simulate_get("/v1/contracts", headers=headers).json["items"] == []


def test_two_decimals_and_trailing_zeros_are_exact(client: testing.TestClient) -> None:
    headers = headers_for(factories.OrganizationFactory())
    body = contract_body(
        amount="1200000.10",
        payment_terms=[
            {"kind": "final", "percent": "97.50", "trigger": "acceptance", "days": 15},
            {"kind": "retention", "percent": "2.5000", "trigger": "warranty_end", "days": 30},
        ],
    )
    result = client.simulate_post("/v1/contracts", json=body, headers=headers)
    assert result.status_code == 201, result.json
    assert result.json["amount"] == "1200000.10"
    assert [t["percent"] for t in result.json["payment_terms"]] == ["97.5000", "2.5000"]


def test_the_terms_check_refuses_an_inexact_amount(client: testing.TestClient) -> None:
    body = {
        "category": "goods",
        "amount": "99.999",
        "purchaser_type": "public_body",
        "jurisdiction": "650102",
        "signed_on": "2025-08-01",
    }
    result = client.simulate_post(
        "/v1/checks/terms", json=body, headers=headers_for(factories.OrganizationFactory())
    )
    assert result.status_code == 422
    assert "amount" in result.json["errors"]
