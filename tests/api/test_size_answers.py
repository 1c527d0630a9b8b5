"""Size answers say what was known; special status and new firms are judged on their conditions."""

from datetime import date
from typing import Any

import pytest
from falcon import testing

from procurement.organizations.models import Role
from tests import factories
from tests.api.helpers import headers_for


@pytest.fixture
def headers() -> dict[str, str]:
    return headers_for(factories.OrganizationFactory(kind="platform", region_code="650000"), Role.PLATFORM)


def size(client: testing.TestClient, headers: dict[str, str], **body: Any) -> testing.Result:
    return client.simulate_post("/v1/checks/sme-size", json={"on": "2025-08-01", **body}, headers=headers)


def test_a_size_on_one_figure_lists_it_the_missing_one_and_the_classes_possible(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    result = size(client, headers, industry="工业", employees=500)
    assert result.status_code == 200, result.json
    body = result.json
    assert body["size"] == "medium"
    assert body["figures_used"] == {"employees": 500} and body["figures_missing"] == ["revenue_wan"]
    assert body["possible_sizes"] == ["micro", "small", "medium"]
    assert "2000" not in body["reason"]["zh"]  # no threshold cited on revenue, which nobody gave


def test_a_new_firm_declaring_with_blank_figures_is_accepted_as_declared(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    result = size(client, headers, industry="工业", declared_size="small", founded_on="2024-03-01")
    assert result.status_code == 200, result.json
    assert result.json["size"] == "small" and result.json["declared_only"] is True
    assert result.json["figures_used"] == {} and result.json["figures_missing"] == [
        "employees",
        "revenue_wan",
    ]
    assert result.json["finding"] is None
    assert "46号" in {c["doc_id"] for c in result.json["citations"]}


def test_an_older_firm_with_blank_figures_still_needs_them(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    result = size(client, headers, industry="工业", declared_size="small", founded_on="2023-12-31")
    assert result.status_code == 422
    assert result.json["code"] == "insufficient_size_data"


def test_a_welfare_unit_with_9_disabled_staff_is_not_counted_small_on_the_flag(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    body = {
        "industry": "工业",
        "employees": 400,
        "revenue_wan": "5000",
        "special_status": "disabled_welfare_unit",
    }
    short = size(client, headers, **body, disabled_staff=9)
    assert short.status_code == 200, short.json
    assert short.json["size"] == "medium"
    assert "不满足" in short.json["reason"]["zh"]
    assert "141号" in {c["doc_id"] for c in short.json["citations"]}
    flag_only = size(client, headers, **body)
    assert flag_only.json["size"] == "medium"
    met = size(client, headers, **body, disabled_staff=100)
    assert met.json["size"] == "small"
    assert [c["doc_id"] for c in met.json["citations"]] == ["141号"]


def test_a_prison_enterprise_is_cited_in_citations(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    result = size(client, headers, industry="工业", employees=2000, special_status="prison_enterprise")
    assert result.json["size"] == "small"
    assert [c["doc_id"] for c in result.json["citations"]] == ["68号"]


def test_more_disabled_staff_than_employees_is_422_naming_the_field(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    result = size(client, headers, industry="工业", employees=10, disabled_staff=11)
    assert result.status_code == 422 and "disabled_staff" in result.json["errors"]


def test_a_stored_welfare_unit_below_the_conditions_gets_no_small_terms(client: testing.TestClient) -> None:
    from tests.api.helpers import contract_body

    school = factories.OrganizationFactory()
    headers = headers_for(school)
    unit = factories.SupplierFactory(
        owner=school,
        industry="工业",
        employees=400,
        revenue_wan=5000,
        declared_size=None,
        special_status="disabled_welfare_unit",
        disabled_staff=9,
    )
    created = client.simulate_post(
        "/v1/contracts", json=contract_body(category="services", supplier_id=unit.id), headers=headers
    )
    assert created.status_code == 201, created.json
    preview = client.simulate_post(f"/v1/contracts/{created.json['id']}/sme-terms", headers=headers).json
    prepayment = next(a for a in preview["adjustments"] if a["field"] == "prepayment.percent")
    assert prepayment["after"] == "30"  # the medium (SME) floor, not the small/micro 40
    assert date.fromisoformat(preview["evaluated_on"]) == date(2025, 8, 1)


def test_a_supplier_with_more_disabled_staff_than_employees_is_422(client: testing.TestClient) -> None:
    headers = headers_for(factories.OrganizationFactory())
    body = {"name": "某福利厂", "industry": "工业", "employees": 10, "disabled_staff": 11}
    result = client.simulate_post("/v1/suppliers", json=body, headers=headers)
    assert result.status_code == 422 and "disabled_staff" in result.json["errors"]
    ok = client.simulate_post("/v1/suppliers", json={**body, "disabled_staff": 10}, headers=headers)
    assert ok.status_code == 201 and ok.json["disabled_staff"] == 10
