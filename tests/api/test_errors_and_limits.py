"""Bad input gets a 4xx problem+json naming the field; never a 500."""

from falcon import testing

from procurement.organizations.models import Role
from tests import factories
from tests.api.helpers import contract_body, headers_for

PROBLEM = "application/problem+json"


def test_health_needs_no_key_and_reports_the_database(client: testing.TestClient) -> None:
    result = client.simulate_get("/v1/health")
    assert result.status_code == 200
    assert result.json["database"] == "ok"


def test_no_key_is_401_with_a_bilingual_problem(client: testing.TestClient) -> None:
    result = client.simulate_get("/v1/contracts")
    assert result.status_code == 401
    assert result.headers["content-type"] == PROBLEM
    assert result.json["code"] == "not_authenticated"
    assert "密钥" in result.json["message"]["zh"]
    assert result.headers["www-authenticate"].startswith("Bearer")


def test_a_wrong_key_is_401(client: testing.TestClient) -> None:
    org = factories.OrganizationFactory()
    _, key = factories.api_key(org)
    tampered = key[:-2] + ("AA" if not key.endswith("AA") else "BB")
    result = client.simulate_get("/v1/contracts", headers={"Authorization": f"Bearer {tampered}"})
    assert result.status_code == 401
    assert (
        client.simulate_get("/v1/contracts", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    )


def test_unknown_route_is_a_404_problem(client: testing.TestClient) -> None:
    result = client.simulate_get("/v1/nowhere")
    assert result.status_code == 404
    assert result.headers["content-type"] == PROBLEM


def test_unknown_and_mistyped_fields_are_named(client: testing.TestClient) -> None:
    headers = headers_for(factories.OrganizationFactory())
    body = contract_body(colour="red", amount="a lot")
    result = client.simulate_post("/v1/contracts", json=body, headers=headers)
    assert result.status_code == 422
    assert set(result.json["errors"]) == {"colour", "amount"}
    assert result.json["errors"]["colour"] == ["未知字段 / Unknown field."]


def test_percent_over_100_and_negative_amount_are_422(client: testing.TestClient) -> None:
    headers = headers_for(factories.OrganizationFactory())
    body = contract_body(amount="-1", bonds=[{"kind": "performance", "percent": "100.01", "forms": ["cash"]}])
    result = client.simulate_post("/v1/contracts", json=body, headers=headers)
    assert result.status_code == 422
    assert {"amount", "bonds.0.percent"} <= set(result.json["errors"])


def test_exactly_100_percent_is_accepted(client: testing.TestClient) -> None:
    headers = headers_for(factories.OrganizationFactory())
    body = contract_body(
        payment_terms=[{"kind": "final", "percent": "100", "trigger": "acceptance", "days": 30}]
    )
    assert client.simulate_post("/v1/contracts", json=body, headers=headers).status_code == 201


def test_dates_out_of_order_are_422(client: testing.TestClient) -> None:
    headers = headers_for(factories.OrganizationFactory())
    body = contract_body(announced_on="2025-08-02", signed_on="2025-08-01")
    result = client.simulate_post("/v1/contracts", json=body, headers=headers)
    assert result.status_code == 422
    assert "signed_on" in result.json["errors"]


def test_payment_percents_over_100_in_total_are_422(client: testing.TestClient) -> None:
    headers = headers_for(factories.OrganizationFactory())
    terms = [{"kind": "final", "percent": "60", "trigger": "acceptance", "days": 30}] * 2
    result = client.simulate_post("/v1/contracts", json=contract_body(payment_terms=terms), headers=headers)
    assert result.status_code == 422
    assert "payment_terms" in result.json["errors"]


def test_a_bad_credit_code_is_422_saying_the_expected_check_character(client: testing.TestClient) -> None:
    headers = headers_for(factories.OrganizationFactory())
    body = {"name": "某公司", "credit_code": "91110000600037341A"}
    result = client.simulate_post("/v1/suppliers", json=body, headers=headers)
    assert result.status_code == 422
    assert "应为L" in result.json["errors"]["credit_code"][0]


def test_malformed_json_is_400(client: testing.TestClient) -> None:
    headers = headers_for(factories.OrganizationFactory(), **{"Content-Type": "application/json"})
    result = client.simulate_post("/v1/contracts", body="{not json", headers=headers)
    assert result.status_code == 400
    assert result.headers["content-type"] == PROBLEM


def test_a_body_over_the_limit_is_413(client: testing.TestClient) -> None:
    headers = headers_for(factories.OrganizationFactory())
    body = contract_body(title="长" * 70_000)
    result = client.simulate_post("/v1/contracts", json=body, headers=headers)
    assert result.status_code == 413
    assert result.json["code"] == "content_too_large"


def test_a_page_larger_than_the_maximum_is_422(client: testing.TestClient) -> None:
    headers = headers_for(factories.OrganizationFactory())
    result = client.simulate_get("/v1/contracts", params={"limit": "51"}, headers=headers)
    assert result.status_code == 422
    assert "limit" in result.json["errors"]


def test_an_auditor_may_not_write(client: testing.TestClient) -> None:
    finance = factories.OrganizationFactory(region_code="650000")
    headers = headers_for(finance, Role.AUDITOR)
    result = client.simulate_post(
        "/v1/contracts", json=contract_body(purchaser_id=finance.id), headers=headers
    )
    assert result.status_code == 403
    assert result.json["code"] == "not_permitted"
