"""Who benefits, over the API: the consortium and the manufacturers decide the SME terms."""

from decimal import Decimal
from typing import Any

import pytest
from falcon import testing
from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auditlog.models import AuditLogEntry
from procurement.auditlog.services import digest
from procurement.contracts.models import ConsortiumMember, Contract
from procurement.contracts.services import contract_state
from procurement.organizations.models import Role
from rules.vocabulary import Category, Industry, Size
from tests import factories
from tests.api.helpers import contract_body, headers_for

SMALL_FACTORY = {"industry": "工业", "employees": 50, "revenue_wan": "800", "declared_size": "small"}
LARGE_FACTORY = {"industry": "工业", "employees": 2000, "revenue_wan": "90000"}


def terms_body(**overrides: Any) -> dict[str, Any]:
    body = contract_body(jurisdiction="650102", supplier=SMALL_FACTORY)
    del body["external_ref"]
    body.update(overrides)
    return body


@pytest.fixture
def headers() -> dict[str, str]:
    return headers_for(factories.OrganizationFactory(kind="platform", region_code="650000"), Role.PLATFORM)


def fields_of(body: dict[str, Any]) -> dict[str, Any]:
    return {a["field"]: (a["before"], a["after"]) for a in body["adjustments"]}


def check(client: testing.TestClient, headers: dict[str, str], body: dict[str, Any]) -> testing.Result:
    return client.simulate_post("/v1/checks/terms", json=body, headers=headers)


def test_a_services_consortium_with_a_large_member_gets_no_sme_terms_and_says_why(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    body = terms_body(
        category="services",
        consortium=[
            {"name": "小微科技", "share_percent": "60", **SMALL_FACTORY},
            {"name": "大型集团", "share_percent": "40", **LARGE_FACTORY},
        ],
    )
    result = check(client, headers, body)
    assert result.status_code == 200, result.json
    assert result.json["supplier_size"]["size"] == "small"  # the lead is small ...
    benefit = result.json["benefit"]
    assert benefit["size"] == "large" and not benefit["is_sme"]  # ... the consortium is not an SME
    assert "大型集团" in benefit["reason"]["zh"] and "40%" in benefit["reason"]["zh"]
    assert [c["doc_id"] for c in benefit["citations"]] == ["46号", "46号"]
    assert "prepayment.percent" not in fields_of(result.json)


def test_goods_with_one_large_made_item_get_no_sme_terms(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    items = [
        {"name": "办公桌", "manufacturer": "小厂", "manufacturer_size": "small"},
        {"name": "服务器", "manufacturer": "大厂", "manufacturer_size": "large"},
    ]
    result = check(client, headers, terms_body(goods_items=items))
    assert result.json["benefit"]["size"] == "large"
    assert "prepayment.percent" not in fields_of(result.json)


def test_goods_all_small_made_from_a_large_supplier_keep_the_small_terms(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    items = [{"name": "办公桌", "manufacturer": "小厂", "manufacturer_size": "small"}]
    result = check(client, headers, terms_body(supplier=LARGE_FACTORY, goods_items=items))
    assert result.json["supplier_size"]["size"] == "large"
    assert result.json["benefit"]["size"] == "small"
    assert fields_of(result.json)["prepayment.percent"] == ("0", "40")


def test_works_with_an_sme_builder_get_the_sme_terms(
    client: testing.TestClient, headers: dict[str, str]
) -> None:
    supplier = {**LARGE_FACTORY, "name": "总承包集团"}
    body = terms_body(category="works", supplier=supplier, builder_name="小建筑", builder_size="medium")
    result = check(client, headers, body)
    assert "小建筑" in result.json["benefit"]["reason"]["zh"]
    assert result.json["benefit"] == {**result.json["benefit"], "size": "medium", "basis": "builder"}
    assert fields_of(result.json)["bonds[0].percent"][1] != "10"  # the SME bond ceiling applies


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {
                "consortium": [
                    {"name": "甲", "share_percent": "60", "declared_size": "small"},
                    {"name": "乙", "share_percent": "30", "declared_size": "small"},
                ]
            },
            "consortium",
        ),
        (
            {
                "consortium": [
                    {"name": "甲", "share_percent": "50", "declared_size": "small"},
                    {"name": "甲", "share_percent": "50", "declared_size": "small"},
                ]
            },
            "consortium.1.name",
        ),
        (
            {"goods_items": [{"name": "办公桌", "manufacturer": "某厂"}]},
            "goods_items.0.manufacturer_size",
        ),
        (
            {
                "goods_items": [{"name": "办公桌", "manufacturer": "某厂", "manufacturer_size": "small"}],
                "all_goods_made_by": "small",
            },
            "all_goods_made_by",
        ),
        (
            {
                "category": "services",
                "goods_items": [{"name": "办公桌", "manufacturer": "某厂", "manufacturer_size": "small"}],
            },
            "goods_items",
        ),
    ],
)
def test_bad_who_benefits_input_is_422_naming_the_field(
    client: testing.TestClient, headers: dict[str, str], overrides: dict[str, Any], field: str
) -> None:
    result = check(client, headers, terms_body(**overrides))
    assert result.status_code == 422, result.json
    assert field in result.json["errors"], result.json


def test_a_stored_consortium_contract_gets_no_sme_terms(client: testing.TestClient, session: Session) -> None:
    school = factories.OrganizationFactory()
    headers = headers_for(school)
    small = factories.SupplierFactory(
        owner=school,
        industry=Industry.INDUSTRY,
        employees=50,
        revenue_wan=Decimal(800),
        declared_size=Size.SMALL,
    )
    large = factories.SupplierFactory(
        owner=school,
        industry=Industry.INDUSTRY,
        employees=2000,
        revenue_wan=Decimal(90000),
        declared_size=None,
    )
    body = contract_body(
        category="services",
        supplier_id=small.id,
        consortium=[
            {"supplier_id": small.id, "share_percent": "60"},
            {"supplier_id": large.id, "share_percent": "40"},
        ],
    )
    created = client.simulate_post("/v1/contracts", json=body, headers=headers)
    assert created.status_code == 201, created.json
    preview = client.simulate_post(f"/v1/contracts/{created.json['id']}/sme-terms", headers=headers)
    assert preview.status_code == 200, preview.json
    assert preview.json["benefit"]["size"] == "large"
    assert large.name in preview.json["benefit"]["reason"]["zh"]
    assert "prepayment.percent" not in fields_of(preview.json)
    accepted = sorted({a["rule_id"] for a in preview.json["adjustments"]})
    applied = client.simulate_post(
        f"/v1/contracts/{created.json['id']}/sme-terms/apply",
        json={"accepted": accepted},
        headers={**headers, "If-Match": f'"{preview.json["contract_version"]}"'},
    )
    assert applied.status_code in (200, 201), applied.json
    assert applied.json["benefit"] == preview.json["benefit"]  # stored with what was shown


def test_stored_goods_items_read_back_and_decide(client: testing.TestClient, session: Session) -> None:
    school = factories.OrganizationFactory()
    headers = headers_for(school)
    large = factories.SupplierFactory(
        owner=school,
        industry=Industry.INDUSTRY,
        employees=2000,
        revenue_wan=Decimal(90000),
        declared_size=None,
    )
    items = [{"name": "办公桌", "manufacturer": "小厂", "manufacturer_size": "micro"}]
    created = client.simulate_post(
        "/v1/contracts", json=contract_body(supplier_id=large.id, goods_items=items), headers=headers
    )
    assert created.status_code == 201, created.json
    read = client.simulate_get(f"/v1/contracts/{created.json['id']}", headers=headers)
    assert read.json == created.json and read.json["goods_items"] == items
    entry = session.execute(select(AuditLogEntry).order_by(AuditLogEntry.seq.desc())).scalars().first()
    contract = session.get(Contract, created.json["id"])
    assert entry is not None and contract is not None
    assert entry.after_digest == digest(contract_state(contract))
    preview = client.simulate_post(f"/v1/contracts/{created.json['id']}/sme-terms", headers=headers)
    assert preview.json["benefit"]["size"] == "micro"
    assert fields_of(preview.json)["prepayment.percent"] == ("0", "40")


def test_a_stored_item_without_a_maker_size_from_an_sme_supplier_is_422(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory()
    headers = headers_for(school)
    small = factories.SupplierFactory(owner=school)
    items = [{"name": "办公桌", "manufacturer": "某厂"}]
    created = client.simulate_post(
        "/v1/contracts", json=contract_body(supplier_id=small.id, goods_items=items), headers=headers
    )
    assert created.status_code == 422
    assert "goods_items.0.manufacturer_size" in created.json["errors"]


def test_a_stored_consortium_from_before_the_checks_gets_no_sme_terms_and_no_error(
    client: testing.TestClient, session: Session
) -> None:
    school = factories.OrganizationFactory()
    small = factories.SupplierFactory(owner=school)
    # shares adding up to 90 were accepted before the 100% check: the row exists, the rule cannot read it
    contract = factories.ContractFactory(
        purchaser=school,
        category=Category.SERVICES,
        supplier_id=small.id,
        consortium=[ConsortiumMember(supplier_id=small.id, share_percent=Decimal(90))],
    )
    preview = client.simulate_post(f"/v1/contracts/{contract.id}/sme-terms", headers=headers_for(school))
    assert preview.status_code == 200, preview.json
    assert preview.json["benefit"]["basis"] == "undecided" and preview.json["benefit"]["size"] is None
    assert "100%" in preview.json["benefit"]["reason"]["zh"]
    assert "prepayment.percent" not in fields_of(preview.json)


def test_patching_goods_items_rechecks_who_benefits(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory()
    headers = headers_for(school)
    small = factories.SupplierFactory(owner=school)
    created = client.simulate_post("/v1/contracts", json=contract_body(supplier_id=small.id), headers=headers)
    url = f"/v1/contracts/{created.json['id']}"
    bad = [{"name": "服务器", "manufacturer": "某厂"}]
    result = client.simulate_patch(url, json={"goods_items": bad}, headers=headers)
    assert result.status_code == 422 and "goods_items.0.manufacturer_size" in result.json["errors"]
    large_made = [{"name": "服务器", "manufacturer": "大厂", "manufacturer_size": "large"}]
    result = client.simulate_patch(url, json={"goods_items": large_made}, headers=headers)
    assert result.status_code == 200, result.json
    preview = client.simulate_post(f"{url}/sme-terms", headers=headers).json
    assert preview["benefit"]["size"] == "large" and "大厂" in preview["benefit"]["reason"]["zh"]
