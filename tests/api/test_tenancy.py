"""Tenant isolation: every role against every endpoint; what a caller may not see is a 404, never a 403."""

from dataclasses import dataclass

import pytest
from falcon import testing

from procurement.organizations.models import Role
from tests import factories
from tests.api.helpers import headers_for


@dataclass
class World:
    contract_id: int
    supplier_id: int
    purchaser_id: int
    keys: dict[str, dict[str, str]]


@pytest.fixture
def world() -> World:
    """A contract and supplier of a school in Urumqi (650102), and callers around it."""
    school = factories.OrganizationFactory(region_code="650102")
    supplier = factories.SupplierFactory(owner=school)
    contract = factories.ContractFactory(purchaser=school, supplier_id=supplier.id)
    factories.EventFactory(contract=contract)
    org = factories.OrganizationFactory
    keys = {
        "owner officer": headers_for(school, Role.OFFICER),
        "neighbour officer": headers_for(org(region_code="650102"), Role.OFFICER),
        "regional platform": headers_for(org(kind="platform", region_code="650000"), Role.PLATFORM),
        "other platform": headers_for(org(kind="platform", region_code="110000"), Role.PLATFORM),
        "city auditor": headers_for(org(kind="finance_department", region_code="650100"), Role.AUDITOR),
        "region auditor": headers_for(org(kind="finance_department", region_code="650000"), Role.AUDITOR),
        "other city auditor": headers_for(org(kind="finance_department", region_code="650200"), Role.AUDITOR),
        "admin": headers_for(org(region_code="110000"), Role.ADMIN),
    }
    return World(contract.id, supplier.id, school.id, keys)


SEES = {
    "owner officer": True,
    "neighbour officer": False,
    "regional platform": True,
    "other platform": False,
    "city auditor": True,
    "region auditor": True,
    "other city auditor": False,
    "admin": True,
}
READS = ["contract", "contract events", "supplier"]


def _url(world: World, what: str) -> str:
    return {
        "contract": f"/v1/contracts/{world.contract_id}",
        "contract events": f"/v1/contracts/{world.contract_id}/events",
        "supplier": f"/v1/suppliers/{world.supplier_id}",
    }[what]


@pytest.mark.parametrize("caller", sorted(SEES))
@pytest.mark.parametrize("what", READS)
def test_reading_one_item(client: testing.TestClient, world: World, caller: str, what: str) -> None:
    result = client.simulate_get(_url(world, what), headers=world.keys[caller])
    assert result.status_code == (200 if SEES[caller] else 404)


@pytest.mark.parametrize("caller", sorted(SEES))
@pytest.mark.parametrize("collection", ["/v1/contracts", "/v1/suppliers"])
def test_lists_show_only_what_the_caller_may_see(
    client: testing.TestClient, world: World, caller: str, collection: str
) -> None:
    result = client.simulate_get(collection, headers=world.keys[caller])
    assert result.status_code == 200
    wanted = world.contract_id if collection == "/v1/contracts" else world.supplier_id
    assert (wanted in [item["id"] for item in result.json["items"]]) is SEES[caller]


@pytest.mark.parametrize("caller", sorted(SEES))
def test_updating_someone_elses_contract(client: testing.TestClient, world: World, caller: str) -> None:
    result = client.simulate_patch(
        f"/v1/contracts/{world.contract_id}", json={"title": "改"}, headers=world.keys[caller]
    )
    # the role check comes first and says nothing about whether the contract exists
    expected = 403 if "auditor" in caller else (200 if SEES[caller] else 404)
    assert result.status_code == expected


@pytest.mark.parametrize("caller", sorted(SEES))
def test_recording_an_event_on_someone_elses_contract(
    client: testing.TestClient, world: World, caller: str
) -> None:
    body = {"kind": "accepted", "occurred_on": "2025-08-25"}
    result = client.simulate_post(
        f"/v1/contracts/{world.contract_id}/events", json=body, headers=world.keys[caller]
    )
    expected = 403 if "auditor" in caller else (201 if SEES[caller] else 404)
    assert result.status_code == expected


@pytest.mark.parametrize("caller", sorted(SEES))
def test_using_someone_elses_supplier_in_a_contract(
    client: testing.TestClient, world: World, caller: str
) -> None:
    body = {
        "external_ref": "T-1",
        "category": "goods",
        "amount": "100",
        "purchaser_type": "public_body",
        "supplier_id": world.supplier_id,
        "purchaser_id": world.purchaser_id,
    }
    result = client.simulate_post("/v1/contracts", json=body, headers=world.keys[caller])
    expected = 403 if "auditor" in caller else (201 if SEES[caller] else 422)
    assert result.status_code == expected
