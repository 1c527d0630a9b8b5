"""The reservation duty and price deduction of a project over the API (announcement date rules)."""

from typing import Any

import pytest
from falcon import testing

from procurement.organizations.models import Role
from tests import factories
from tests.api.helpers import headers_for


@pytest.fixture
def headers() -> dict[str, str]:
    return headers_for(factories.OrganizationFactory(kind="platform", region_code="650000"), Role.PLATFORM)


def reservation(**overrides: Any) -> dict[str, Any]:
    body = {
        "jurisdiction": "cn-65",
        "announced_on": "2022-07-01",
        "category": "works",
        "budget": "4000000.01",
    }
    return {**body, **overrides}


def test_works_one_fen_over_4_million_on_2022_07_01_reserve_40_and_60_percent(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    result = client.simulate_post("/v1/checks/reservation", json=reservation(), headers=headers)
    assert result.status_code == 200, result.json
    body = result.json
    assert (body["whole_project"], body["min_reserved_percent"], body["min_small_micro_percent"]) == (
        False,
        "40",
        "60",
    )
    assert (body["min_reserved_amount"], body["min_small_micro_amount"]) == ("1600000.01", "960000.01")
    assert {c["doc_id"] for c in body["citations"]} == {"46号", "19号"}
    assert body["legal_force"] == "mandatory" and body["policy_version"].startswith("cn-65@")


def test_the_day_before_19hao_works_reserve_30_percent(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    result = client.simulate_post(
        "/v1/checks/reservation", json=reservation(announced_on="2022-06-30"), headers=headers
    )
    assert result.json["min_reserved_percent"] == "30"


def test_exactly_4_million_is_reserved_whole(client: testing.TestClient, headers: dict[str, str]) -> None:
    result = client.simulate_post(
        "/v1/checks/reservation", json=reservation(budget="4000000"), headers=headers
    )
    assert result.json["whole_project"] is True and result.json["min_reserved_percent"] is None


def test_a_suitable_part_above_the_budget_is_422_naming_it(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    body = reservation(suitable_amount="5000000")
    result = client.simulate_post("/v1/checks/reservation", json=body, headers=headers)
    assert result.status_code == 422 and "suitable_amount" in result.json["errors"]


def deduction(**overrides: Any) -> dict[str, Any]:
    body = {
        "jurisdiction": "cn-65",
        "announced_on": "2022-07-01",
        "category": "goods",
        "quote": "1000000",
        "bidder_size": "small",
        "reserved": True,
    }
    return {**body, **overrides}


def test_a_reserved_package_stating_0_percent_is_accepted(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    result = client.simulate_post(
        "/v1/checks/price-deduction", json=deduction(stated_percent="0"), headers=headers
    )
    assert result.status_code == 200, result.json
    assert result.json["applies"] is False and result.json["evaluated_price"] == "1000000.00"
    assert [c["article"] for c in result.json["citations"]] == ["第九条"]


def test_a_reserved_package_stating_10_percent_is_refused_with_a_reason(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    result = client.simulate_post(
        "/v1/checks/price-deduction", json=deduction(stated_percent="10"), headers=headers
    )
    assert result.status_code == 422
    assert "预留" in result.json["errors"]["stated_percent"][0]
