"""Stateless checks over the API: terms, SME size and price deduction; nothing is ever stored."""

import json
from typing import Any

import pytest
from falcon import testing
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.auditlog.models import AuditLogEntry
from procurement.contracts.models import Contract
from procurement.organizations.models import Role
from tests import factories
from tests.api.helpers import contract_body, headers_for

SMALL_FACTORY = {"industry": "工业", "employees": 50, "revenue_wan": "800", "declared_size": "small"}


def terms_body(**overrides: Any) -> dict[str, Any]:
    body = contract_body(jurisdiction="650102", supplier=SMALL_FACTORY)
    del body["external_ref"]
    body.update(overrides)
    return body


@pytest.fixture
def headers() -> dict[str, str]:
    return headers_for(factories.OrganizationFactory(kind="platform", region_code="650000"), Role.PLATFORM)


def rows(session: Session) -> tuple[int, int]:
    count = func.count()
    return (
        session.execute(select(count).select_from(Contract)).scalar_one(),
        session.execute(select(count).select_from(AuditLogEntry)).scalar_one(),
    )


def test_checking_terms_gives_the_measure_12_adjustments_and_stores_nothing(
    client: testing.TestClient, session: Session, headers: dict[str, str]
) -> None:
    before = rows(session)
    result = client.simulate_post("/v1/checks/terms", json=terms_body(), headers=headers)
    assert result.status_code == 200, result.json
    body = result.json
    assert body["supplier_size"]["size"] == "small"
    assert body["policy_pack"] == "cn-65" and body["evaluated_on"] == "2025-08-01"
    fields = {a["field"]: (a["before"], a["after"]) for a in body["adjustments"]}
    assert fields["prepayment.percent"] == ("0", "40")
    assert fields["bonds[0].percent"] == ("10", "0")
    assert fields["payment_terms[1].percent"] == ("10", "3")
    assert fields["payment_terms[0].days"] == (60, 15)
    assert [f["rule_id"] for f in body["findings"]] == ["terms.bond.cash_only"]
    assert rows(session) == before


def test_a_supplier_size_alone_is_enough(client: testing.TestClient, headers: dict[str, str]) -> None:
    body = terms_body(supplier_size="medium")
    del body["supplier"]
    result = client.simulate_post("/v1/checks/terms", json=body, headers=headers)
    assert result.status_code == 200
    prepayment = next(a for a in result.json["adjustments"] if a["field"] == "prepayment.percent")
    assert prepayment["after"] == "30"  # the SME floor, not the small/micro one


def test_a_supplier_linked_to_a_large_firm_gets_no_sme_adjustments(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    body = terms_body(supplier={**SMALL_FACTORY, "linked_to_large": True})
    result = client.simulate_post("/v1/checks/terms", json=body, headers=headers)
    assert result.json["supplier_size"]["size"] == "large"
    assert "prepayment.percent" not in {a["field"] for a in result.json["adjustments"]}


def test_an_unknown_industry_is_422_listing_the_valid_ones(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    body = terms_body(supplier={**SMALL_FACTORY, "industry": "制造业"})
    result = client.simulate_post("/v1/checks/terms", json=body, headers=headers)
    assert result.status_code == 422
    message = result.json["errors"]["supplier.industry"][0]
    assert "软件和信息技术服务业" in message and "valid industries" in message


def test_a_percent_over_100_is_422_naming_the_field(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    body = terms_body(bonds=[{"kind": "performance", "percent": "100.01", "forms": ["cash"]}])
    result = client.simulate_post("/v1/checks/terms", json=body, headers=headers)
    assert result.status_code == 422
    assert list(result.json["errors"]) == ["bonds.0.percent"]


def test_exactly_100_percent_is_accepted(client: testing.TestClient, headers: dict[str, str]) -> None:
    terms = [{"kind": "final", "percent": "100", "trigger": "acceptance", "days": 15}]
    result = client.simulate_post("/v1/checks/terms", json=terms_body(payment_terms=terms), headers=headers)
    assert result.status_code == 200


def test_a_negative_amount_is_422_naming_the_field(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    result = client.simulate_post("/v1/checks/terms", json=terms_body(amount="-1"), headers=headers)
    assert result.status_code == 422
    assert "amount" in result.json["errors"]


def test_a_date_no_pack_covers_is_422_saying_what_covers_what(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    body = terms_body(signed_on="2015-02-28", announced_on="2015-01-01")
    result = client.simulate_post("/v1/checks/terms", json=body, headers=headers)
    assert result.status_code == 422
    assert "cn covers 2015-03-01" in result.json["message"]["en"]
    assert "覆盖" in result.json["message"]["zh"]
    first_day = client.simulate_post(
        "/v1/checks/terms",
        json=terms_body(signed_on="2015-03-01", announced_on="2015-01-01"),
        headers=headers,
    )
    assert first_day.status_code == 200


def test_a_signed_contract_without_a_signing_date_is_422(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    result = client.simulate_post("/v1/checks/terms", json=terms_body(signed_on=None), headers=headers)
    assert result.status_code == 422
    assert "signed_on" in result.json["errors"]


def test_the_terms_check_needs_a_key(client: testing.TestClient) -> None:
    assert client.simulate_post("/v1/checks/terms", json=terms_body()).status_code == 401


def test_supplier_and_supplier_size_together_are_422(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    result = client.simulate_post("/v1/checks/terms", json=terms_body(supplier_size="small"), headers=headers)
    assert result.status_code == 422
    assert "supplier_size" in result.json["errors"]


@pytest.mark.parametrize(
    ("employees", "revenue_wan", "size"),
    [
        (19, "800", "micro"),  # under the small employee floor
        (20, "300", "small"),  # exactly at both small floors: 及以上
        (300, "2000", "medium"),  # exactly at both medium floors
        (1000, "40000", "large"),  # at both ceilings: not under either
        (999, "40000", "medium"),  # one figure under the ceiling is enough to be an SME
    ],
)
def test_sme_size_at_the_table_boundaries(
    client: testing.TestClient, headers: dict[str, str], employees: int, revenue_wan: str, size: str
) -> None:
    body = {"industry": "工业", "employees": employees, "revenue_wan": revenue_wan}
    result = client.simulate_post("/v1/checks/sme-size", json=body, headers=headers)
    assert result.status_code == 200, result.json
    assert result.json["size"] == size
    assert result.json["is_sme"] is (size != "large")
    assert result.json["reason"]["zh"] and result.json["reason"]["en"]
    assert result.json["policy_version"].startswith("cn@")


def test_a_declared_size_smaller_than_computed_is_a_violation(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    body = {"industry": "工业", "employees": 500, "revenue_wan": "5000", "declared_size": "small"}
    result = client.simulate_post("/v1/checks/sme-size", json=body, headers=headers)
    assert result.json["size"] == "medium"
    finding = result.json["finding"]
    assert finding["rule_id"] == "size.declared_mismatch"
    assert finding["severity"] == "violation"
    matching = client.simulate_post(
        "/v1/checks/sme-size", json={**body, "declared_size": "medium"}, headers=headers
    )
    assert matching.json["finding"] is None


def test_a_prison_enterprise_counts_as_small_without_figures(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    body = {"industry": "工业", "special_status": "prison_enterprise"}
    result = client.simulate_post("/v1/checks/sme-size", json=body, headers=headers)
    assert result.status_code == 200
    assert result.json["size"] == "small"
    assert result.json["computed_size"] is None


def test_sme_size_without_any_figure_is_422(client: testing.TestClient, headers: dict[str, str]) -> None:
    result = client.simulate_post("/v1/checks/sme-size", json={"industry": "建筑业"}, headers=headers)
    assert result.status_code == 422
    assert "size_data" in result.json["errors"]


def test_sme_size_with_an_unknown_industry_lists_the_valid_ones(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    result = client.simulate_post(
        "/v1/checks/sme-size", json={"industry": "mining", "employees": 3}, headers=headers
    )
    assert result.status_code == 422
    assert "批发业" in result.json["errors"]["industry"][0]


def test_sme_size_rejects_negative_figures(client: testing.TestClient, headers: dict[str, str]) -> None:
    result = client.simulate_post(
        "/v1/checks/sme-size", json={"industry": "工业", "employees": -1}, headers=headers
    )
    assert result.status_code == 422
    assert "employees" in result.json["errors"]


def deduction(**overrides: Any) -> dict[str, Any]:
    body = {
        "jurisdiction": "650102",
        "announced_on": "2025-07-01",
        "category": "goods",
        "quote": "1000000.00",
        "stated_percent": "10",
        "bidder_size": "small",
    }
    body.update(overrides)
    return body


def test_a_small_bidder_gets_the_stated_deduction(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    result = client.simulate_post("/v1/checks/price-deduction", json=deduction(), headers=headers)
    assert result.status_code == 200, result.json
    assert result.json["applies"] is True
    assert result.json["percent"] == "10"
    assert result.json["evaluated_price"] == "900000.00"
    assert result.json["citations"]


def test_a_medium_bidder_gets_no_deduction(client: testing.TestClient, headers: dict[str, str]) -> None:
    result = client.simulate_post(
        "/v1/checks/price-deduction", json=deduction(bidder_size="medium"), headers=headers
    )
    assert result.json["applies"] is False
    assert result.json["evaluated_price"] == "1000000.00"


def test_a_stated_deduction_outside_the_range_is_422_naming_the_field(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    allowed = client.simulate_post("/v1/checks/price-deduction", json=deduction(), headers=headers).json
    high = allowed["allowed_percent"]["max"]
    at_cap = client.simulate_post(
        "/v1/checks/price-deduction", json=deduction(stated_percent=high), headers=headers
    )
    assert at_cap.status_code == 200
    over = str(float(high) + 0.01)
    result = client.simulate_post(
        "/v1/checks/price-deduction", json=deduction(stated_percent=over), headers=headers
    )
    assert result.status_code == 422
    assert "stated_percent" in result.json["errors"]


def test_a_negative_quote_is_422(client: testing.TestClient, headers: dict[str, str]) -> None:
    result = client.simulate_post("/v1/checks/price-deduction", json=deduction(quote="-5"), headers=headers)
    assert result.status_code == 422
    assert "quote" in result.json["errors"]


def test_a_repeated_check_gets_the_same_answer(client: testing.TestClient, headers: dict[str, str]) -> None:
    first = client.simulate_post("/v1/checks/terms", json=terms_body(), headers=headers)
    second = client.simulate_post("/v1/checks/terms", json=terms_body(), headers=headers)
    assert second.status_code == 200
    assert second.content == first.content


def test_a_known_body_sent_as_another_media_type_is_still_refused(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    body = json.dumps(terms_body())
    ok = client.simulate_post(
        "/v1/checks/terms", body=body, headers={**headers, "Content-Type": "application/json"}
    )
    assert ok.status_code == 200
    plain = client.simulate_post(
        "/v1/checks/terms", body=body, headers={**headers, "Content-Type": "text/plain"}
    )
    assert plain.status_code == 415


def test_the_terms_check_takes_the_contract_create_format_with_a_supplier_id(
    client: testing.TestClient,
) -> None:
    from decimal import Decimal

    from rules.vocabulary import Industry, Size

    school = factories.OrganizationFactory(region_code="650102")
    supplier = factories.SupplierFactory(
        owner=school,
        industry=Industry.INDUSTRY,
        employees=50,
        revenue_wan=Decimal(800),
        declared_size=Size.SMALL,
    )
    body = {
        "external_ref": "XJ-CHECK-1",
        "supplier_id": supplier.id,
        "category": "goods",
        "amount": "1200000.00",
        "purchaser_type": "public_body",
        "signed_on": "2025-08-01",
        "payment_terms": [{"kind": "final", "percent": "100", "trigger": "acceptance", "days": 30}],
    }
    headers = headers_for(school)

    result = client.simulate_post("/v1/checks/terms", json=body, headers=headers)

    assert result.status_code == 200, result.json
    assert result.json["policy_pack"] == "cn-65"  # the officer's own region, as a create would take
    assert result.json["supplier_size"]["size"] == "small"
    assert "terms.prepayment" in {a["rule_id"] for a in result.json["adjustments"]}
    stranger = factories.OrganizationFactory(region_code="650102")
    hidden = client.simulate_post("/v1/checks/terms", json=body, headers=headers_for(stranger))
    assert hidden.status_code == 404
