"""/v1/ocds/releases: every exported release validates against the OCDS 1.1 release schema with the
declared extensions, JSON lines by Accept, the caller's scope, and import -> export -> import
changing nothing (on the generated corpus and the real samples, when shared/ is beside the repo)."""

import json
from typing import Any

import pytest
from falcon import testing
from sqlalchemy.orm import Session

from procurement.organizations.models import Organization, Role
from rules.vocabulary import OrganizationKind
from tests import factories
from tests.api.helpers import headers_for
from tests.api.ocds_data import NDJSON, as_lines, corpus, sample_files
from tests.api.ocds_schema import errors_in
from tests.api.test_ocds_import import snapshot
from tests.api.test_sme_terms import _decisions, create_contract


@pytest.fixture
def platform() -> Organization:
    return factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="650000")


def export(client: testing.TestClient, headers: dict[str, str], query: str = "") -> dict[str, Any]:
    result = client.simulate_get(f"/v1/ocds/releases{query}", headers=headers)
    assert result.status_code == 200, result.text
    package: dict[str, Any] = json.loads(result.content)
    return package


def test_a_contract_with_terms_decided_and_events_exports_as_a_valid_release(
    client: testing.TestClient, session: Session
) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    headers = headers_for(school)
    contract = create_contract(client, school)
    base = f"/v1/contracts/{contract['id']}"
    preview = client.simulate_post(f"{base}/sme-terms", headers=headers).json
    assert (
        client.simulate_post(
            f"{base}/sme-terms/apply", json=_decisions(preview, {}), headers=headers
        ).status_code
        == 200
    )
    for event in (
        {"kind": "delivered", "occurred_on": "2025-08-20"},
        {"kind": "accepted", "occurred_on": "2025-08-25"},
        {"kind": "paid", "occurred_on": "2025-09-01", "amount": "400000.00"},
        {"kind": "invoiced", "occurred_on": "2025-08-26", "amount": "1000000.00"},
    ):
        assert client.simulate_post(f"{base}/events", json=event, headers=headers).status_code == 201

    package = export(client, headers)

    assert errors_in(package, package=True) == []
    (release,) = package["releases"]
    assert errors_in(release) == []
    assert package["version"] == "1.1" and len(package["extensions"]) == 2
    supplier = next(p for p in release["parties"] if "supplier" in p["roles"])
    assert supplier["details"]["scale"] == "small"
    (ocds_contract,) = release["contracts"]
    assert ocds_contract["value"] == {"amount": 1000000, "currency": "CNY"}
    assert ocds_contract["dateSigned"].startswith("2025-08-01")
    codes = {m["code"]: m["value"]["amount"] for m in ocds_contract["milestones"]}
    assert sum(codes.values()) == 1000000  # the payment schedule adds up to the contract
    implementation = ocds_contract["implementation"]
    assert [t["value"]["amount"] for t in implementation["transactions"]] == [400000]
    assert [m["type"] for m in implementation["milestones"]] == ["delivery", "assessment"]
    decided = ocds_contract["smeproc"]["smeTermsDecided"]
    assert decided["policyVersion"] == preview["policy_version"]
    assert sorted(decided["accepted"]) == sorted(a["rule_id"] for a in preview["adjustments"])
    assert [e["kind"] for e in ocds_contract["smeproc"]["events"]] == ["invoiced"]


def test_json_lines_by_accept(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    headers = headers_for(school)
    create_contract(client, school)
    create_contract(client, school, external_ref="XJ-2")
    result = client.simulate_get("/v1/ocds/releases", headers={**headers, "Accept": NDJSON})
    assert result.status_code == 200 and result.headers["content-type"] == NDJSON
    lines = result.content.decode().splitlines()
    assert len(lines) == 2
    assert all(errors_in(json.loads(line)) == [] for line in lines)


def test_the_export_holds_what_the_caller_may_see_only(
    client: testing.TestClient, platform: Organization
) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    create_contract(client, school)
    beijing = factories.OrganizationFactory(region_code="110101")
    create_contract(client, beijing)
    platform_headers = headers_for(platform, Role.PLATFORM)
    assert len(export(client, platform_headers)["releases"]) == 1
    assert export(client, platform_headers, "?region=650200")["releases"] == []
    outside = client.simulate_get("/v1/ocds/releases?region=110000", headers=platform_headers)
    assert outside.status_code == 403
    assert len(export(client, headers_for(beijing))["releases"]) == 1


def test_signing_dates_bound_the_export(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    headers = headers_for(school)
    create_contract(client, school)  # signed 2025-08-01
    assert len(export(client, headers, "?from=2025-08-01&to=2025-08-01")["releases"]) == 1
    assert export(client, headers, "?from=2025-08-02")["releases"] == []
    bad = client.simulate_get("/v1/ocds/releases?from=2025-09-01&to=2025-08-01", headers=headers)
    assert bad.status_code == 422 and "to" in bad.json["errors"]
    assert client.simulate_get("/v1/ocds/releases?region=65", headers=headers).status_code == 422


def test_the_extension_is_served(client: testing.TestClient) -> None:
    result = client.simulate_get("/v1/ocds/extension/extension.json")
    assert result.status_code == 200 and result.json["schemas"] == ["release-schema.json"]
    assert client.simulate_get("/v1/ocds/extension/secrets.json").status_code == 404


def _round_trip(
    client: testing.TestClient,
    session: Session,
    headers: dict[str, str],
    body: bytes,
    media_type: str = NDJSON,
) -> None:
    lines = {**headers, "Content-Type": NDJSON}
    first = client.simulate_post(
        "/v1/imports/ocds", body=body, headers={**headers, "Content-Type": media_type}
    )
    assert first.status_code == 201, first.text
    if first.json["counts"]["contracts"] == 0:
        pytest.skip(f"the importer loads no contract from this file: {first.json['problems'][:1]}")
    before = snapshot(session)
    exported = client.simulate_get("/v1/ocds/releases", headers={**headers, "Accept": NDJSON}).content
    releases = [json.loads(line) for line in exported.decode().splitlines()]
    assert releases, "nothing was exported"
    invalid = {r["ocid"]: errors_in(r) for r in releases if errors_in(r)}
    assert invalid == {}

    again = client.simulate_post("/v1/imports/ocds", body=exported, headers=lines)

    assert again.status_code == 201, again.text
    counts = again.json["counts"]
    assert (counts["created"], counts["updated"], counts["rejected"], counts["events_added"]) == (0, 0, 0, 0)
    assert counts["unchanged"] == counts["contracts"] == len(releases)  # one release per contract
    assert snapshot(session) == before


def test_import_export_import_changes_nothing_on_the_corpus(
    client: testing.TestClient, session: Session, platform: Organization
) -> None:
    _round_trip(client, session, headers_for(platform, Role.PLATFORM), as_lines(corpus(120)))


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_import_export_import_changes_nothing_on_the_real_samples(
    client: testing.TestClient, session: Session, path: Any
) -> None:
    admin = factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="650000")
    headers = headers_for(admin, Role.ADMIN)
    # the file as published (package, record package or release), read by the importer itself
    _round_trip(client, session, headers, path.read_bytes(), "application/json")


def test_the_demo_regions_export_validates(client: testing.TestClient, session: Session) -> None:
    from procurement.demo import load_demo

    demo = load_demo(session)
    package = export(client, {"Authorization": f"Bearer {demo.platform_key}"}, "?region=650000")
    assert len(package["releases"]) >= 2
    assert errors_in(package, package=True) == []
    assert [errors_in(r) for r in package["releases"]] == [[] for _ in package["releases"]]


def test_the_schema_check_would_catch_a_bad_release(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    create_contract(client, school)
    (release,) = export(client, headers_for(school))["releases"]
    supplier = next(p for p in release["parties"] if "supplier" in p["roles"])
    supplier["details"]["scale"] = "tiny"  # not in the partyScale codelist
    release["contracts"][0]["smeproc"]["surprise"] = 1  # our extension allows nothing unknown
    release["contracts"][0]["value"]["amount"] = "1000000.00"  # OCDS amounts are numbers
    assert len(errors_in(release)) == 3
