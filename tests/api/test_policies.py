"""Policy packs over the API: packs and coverage, and the parameters in force on a date."""

from falcon import testing

from tests import factories
from tests.api.helpers import headers_for


def test_the_packs_are_listed_with_versions_and_coverage(client: testing.TestClient) -> None:
    result = client.simulate_get("/v1/policies", headers=headers_for(factories.OrganizationFactory()))
    assert result.status_code == 200
    packs = {p["id"]: p for p in result.json["packs"]}
    assert set(packs) >= {"cn", "cn-65"}
    assert packs["cn-65"]["extends"] == "cn"
    assert packs["cn-65"]["regions"] == ["65"]
    assert packs["cn-65"]["coverage"] == [{"from": "2015-03-01", "to": None}]
    assert packs["cn-65"]["version"].startswith("cn-65@")


def test_the_parameters_in_force_carry_unit_force_citations_and_default_flag(
    client: testing.TestClient,
) -> None:
    result = client.simulate_get(
        "/v1/policies/cn-65",
        params={"on": "2025-07-01"},
        headers=headers_for(factories.OrganizationFactory()),
    )
    assert result.status_code == 200, result.json
    assert result.json["policy_pack"] == "cn-65"
    params = {p["name"]: p for p in result.json["parameters"]}
    prepayment = params["prepayment.goods_services.small_micro_min_rate"]
    assert (prepayment["unit"], prepayment["value"]) == ("percent", "40")
    assert prepayment["legal_force"] == "encouraged" and prepayment["is_default"] is True
    assert prepayment["citations"] and prepayment["description"]["zh"]
    bond = params["bond.performance.max_rate"]
    assert (bond["value"], bond["legal_force"], bond["is_default"]) == ("10", "mandatory", False)
    assert params["payment.sme.max_days"]["unit"] == "days"


def test_a_region_code_resolves_to_its_pack_and_the_citation_follows_the_date(
    client: testing.TestClient,
) -> None:
    headers = headers_for(factories.OrganizationFactory())
    cited = {}
    for on in ("2025-05-31", "2025-06-01"):
        body = client.simulate_get("/v1/policies/650102", params={"on": on}, headers=headers).json
        assert body["policy_pack"] == "cn-65"
        days = next(p for p in body["parameters"] if p["name"] == "payment.sme.max_days")
        cited[on] = days["citations"][0]["doc_id"]
    assert cited == {"2025-05-31": "728号令", "2025-06-01": "802号令"}


def test_a_date_no_pack_covers_is_422(client: testing.TestClient) -> None:
    result = client.simulate_get(
        "/v1/policies/cn", params={"on": "2015-02-28"}, headers=headers_for(factories.OrganizationFactory())
    )
    assert result.status_code == 422
    assert "cn-65 covers 2015-03-01" in result.json["message"]["en"]


def test_an_unknown_jurisdiction_is_422(client: testing.TestClient) -> None:
    result = client.simulate_get("/v1/policies/mars", headers=headers_for(factories.OrganizationFactory()))
    assert result.status_code == 422
    assert "jurisdiction" in result.json["errors"]


def test_a_malformed_date_is_422(client: testing.TestClient) -> None:
    result = client.simulate_get(
        "/v1/policies/cn", params={"on": "2025-13-01"}, headers=headers_for(factories.OrganizationFactory())
    )
    assert result.status_code == 422
    assert "on" in result.json["errors"]


def test_policies_need_a_key(client: testing.TestClient) -> None:
    assert client.simulate_get("/v1/policies").status_code == 401
