"""/v1/organizations: a platform finds the purchasers of its region (and their ids); nobody sees
past their scope."""

from falcon import testing

from procurement.organizations.models import Role
from rules.vocabulary import OrganizationKind
from tests import factories
from tests.api.helpers import headers_for


def test_a_platform_lists_the_organizations_of_its_region_with_region_codes(
    client: testing.TestClient,
) -> None:
    platform = factories.OrganizationFactory(
        kind=OrganizationKind.PLATFORM, region_code="650000", name="电子卖场"
    )
    school = factories.OrganizationFactory(region_code="650102", name="乌鲁木齐市第一中学")
    hospital = factories.OrganizationFactory(region_code="650202", name="克拉玛依市人民医院")
    factories.OrganizationFactory(region_code="110101", name="北京某单位")
    headers = headers_for(platform, Role.PLATFORM)

    listed = client.simulate_get("/v1/organizations", headers=headers).json
    assert {o["name"] for o in listed["items"]} == {"电子卖场", "乌鲁木齐市第一中学", "克拉玛依市人民医院"}

    purchasers = client.simulate_get("/v1/organizations?kind=purchaser&region=650100", headers=headers).json
    assert [(o["id"], o["region_code"]) for o in purchasers["items"]] == [(school.id, "650102")]
    one = client.simulate_get(f"/v1/organizations/{hospital.id}", headers=headers)
    assert (one.status_code, one.json["name"]) == (200, "克拉玛依市人民医院")


def test_an_officer_sees_its_own_organization_only(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    neighbour = factories.OrganizationFactory(region_code="650102")
    headers = headers_for(school)
    assert [o["id"] for o in client.simulate_get("/v1/organizations", headers=headers).json["items"]] == [
        school.id
    ]
    assert client.simulate_get(f"/v1/organizations/{neighbour.id}", headers=headers).status_code == 404


def test_an_imported_buyer_is_found_by_its_external_id(client: testing.TestClient) -> None:
    platform = factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="650000")
    buyer = factories.OrganizationFactory(region_code="650102", external_id="CN-XJ-BUYER-7")
    found = client.simulate_get(
        "/v1/organizations?external_id=CN-XJ-BUYER-7", headers=headers_for(platform, Role.PLATFORM)
    ).json
    assert [o["id"] for o in found["items"]] == [buyer.id]


def test_bad_filters_are_named(client: testing.TestClient) -> None:
    platform = factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="650000")
    headers = headers_for(platform, Role.PLATFORM)
    result = client.simulate_get("/v1/organizations?kind=school&region=65&limit=0", headers=headers)
    assert result.status_code == 422
    assert set(result.json["errors"]) == {"kind", "region", "limit"}
    assert client.simulate_get("/v1/organizations?limit=51", headers=headers).status_code == 422
    assert client.simulate_get("/v1/organizations/0", headers=headers).status_code in (404, 422)
