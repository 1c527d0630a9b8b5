"""Contracts over the API: create, read with ETag, update with If-Match, idempotent retries, events."""

from falcon import testing
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.auditlog.models import AuditLogEntry
from procurement.auditlog.services import digest
from procurement.contracts.models import Contract
from procurement.contracts.services import contract_state
from procurement.organizations.models import Role
from tests import factories
from tests.api.helpers import contract_body, headers_for


def test_an_officer_creates_a_contract_for_its_own_organization(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory()
    result = client.simulate_post("/v1/contracts", json=contract_body(), headers=headers_for(school))
    assert result.status_code == 201
    assert result.json["purchaser_id"] == school.id
    assert result.json["jurisdiction"] == school.region_code
    assert result.json["amount"] == "1000000.00"
    assert result.headers["location"] == f"/v1/contracts/{result.json['id']}"
    assert result.headers["etag"] == '"1"'


def test_creating_a_contract_appends_to_the_audit_log(client: testing.TestClient, session: Session) -> None:
    before = session.execute(select(func.count()).select_from(AuditLogEntry)).scalar_one()
    client.simulate_post(
        "/v1/contracts", json=contract_body(), headers=headers_for(factories.OrganizationFactory())
    )
    entries = session.execute(select(AuditLogEntry).order_by(AuditLogEntry.seq)).scalars().all()
    assert len(entries) == before + 1
    assert entries[-1].action == "contract.create"


def test_the_same_external_ref_twice_is_a_409(client: testing.TestClient) -> None:
    headers = headers_for(factories.OrganizationFactory())
    assert client.simulate_post("/v1/contracts", json=contract_body(), headers=headers).status_code == 201
    result = client.simulate_post("/v1/contracts", json=contract_body(), headers=headers)
    assert result.status_code == 409


def test_a_retry_with_the_same_idempotency_key_replays_and_creates_nothing(
    client: testing.TestClient, session: Session
) -> None:
    headers = headers_for(factories.OrganizationFactory(), **{"Idempotency-Key": "order-42"})
    first = client.simulate_post("/v1/contracts", json=contract_body(), headers=headers)
    second = client.simulate_post("/v1/contracts", json=contract_body(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json == first.json
    assert second.headers["idempotent-replayed"] == "true"
    count = session.execute(select(func.count()).select_from(Contract)).scalar_one()
    assert count == 1


def test_the_same_idempotency_key_with_another_body_is_422(client: testing.TestClient) -> None:
    headers = headers_for(factories.OrganizationFactory(), **{"Idempotency-Key": "order-43"})
    client.simulate_post("/v1/contracts", json=contract_body(), headers=headers)
    result = client.simulate_post("/v1/contracts", json=contract_body(external_ref="OTHER"), headers=headers)
    assert result.status_code == 422
    assert result.json["code"] == "idempotency_key_reused"


def test_a_failed_request_does_not_burn_its_idempotency_key(client: testing.TestClient) -> None:
    headers = headers_for(factories.OrganizationFactory(), **{"Idempotency-Key": "order-44"})
    assert (
        client.simulate_post("/v1/contracts", json=contract_body(amount="-5"), headers=headers).status_code
        == 422
    )
    assert (
        client.simulate_post("/v1/contracts", json=contract_body(amount="-5"), headers=headers).status_code
        == 422
    )


def test_get_returns_an_etag_and_honours_if_none_match(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory()
    contract = factories.ContractFactory(purchaser=school)
    headers = headers_for(school)
    result = client.simulate_get(f"/v1/contracts/{contract.id}", headers=headers)
    assert result.status_code == 200
    etag = result.headers["etag"]
    again = client.simulate_get(f"/v1/contracts/{contract.id}", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304


def test_patch_with_a_stale_if_match_is_412_and_changes_nothing(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory()
    contract = factories.ContractFactory(purchaser=school)
    headers = headers_for(school)
    url = f"/v1/contracts/{contract.id}"
    ok = client.simulate_patch(url, json={"title": "新标题"}, headers={**headers, "If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.headers["etag"] == '"2"'
    stale = client.simulate_patch(url, json={"title": "另一个标题"}, headers={**headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert client.simulate_get(url, headers=headers).json["title"] == "新标题"


def test_patch_replaces_the_payment_terms(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory()
    contract = factories.ContractFactory(purchaser=school)
    terms = [
        {"kind": "prepayment", "percent": "30", "trigger": "signing", "days": 10},
        {"kind": "final", "percent": "70", "trigger": "acceptance", "days": 15, "day_type": "working"},
    ]
    result = client.simulate_patch(
        f"/v1/contracts/{contract.id}", json={"payment_terms": terms}, headers=headers_for(school)
    )
    assert result.status_code == 200
    assert [t["kind"] for t in result.json["payment_terms"]] == ["prepayment", "final"]
    assert result.json["payment_terms"][1]["day_type"] == "working"


def test_a_contract_cannot_go_back_from_completed_to_draft(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory()
    contract = factories.ContractFactory(purchaser=school, status="completed")
    result = client.simulate_patch(
        f"/v1/contracts/{contract.id}", json={"status": "draft"}, headers=headers_for(school)
    )
    assert result.status_code == 422
    assert "status" in result.json["errors"]


def test_list_pages_with_a_next_link(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory()
    for _ in range(3):
        factories.ContractFactory(purchaser=school)
    headers = headers_for(school)
    first = client.simulate_get("/v1/contracts", params={"limit": "2"}, headers=headers)
    assert len(first.json["items"]) == 2
    path, _, query = first.json["next"].partition("?")
    second = client.simulate_get(path, query_string=query, headers=headers)
    assert len(second.json["items"]) == 1
    assert second.json["next"] is None


def test_a_platform_creates_for_a_purchaser_of_its_region_only(client: testing.TestClient) -> None:
    platform = factories.OrganizationFactory(kind="platform", region_code="650000")
    local = factories.OrganizationFactory(region_code="650102")
    elsewhere = factories.OrganizationFactory(region_code="110101")
    headers = headers_for(platform, Role.PLATFORM)
    ok = client.simulate_post("/v1/contracts", json=contract_body(purchaser_id=local.id), headers=headers)
    assert ok.status_code == 201
    far = client.simulate_post(
        "/v1/contracts", json=contract_body(purchaser_id=elsewhere.id, external_ref="B"), headers=headers
    )
    assert far.status_code == 422
    assert "purchaser_id" in far.json["errors"]


class TestEvents:
    def test_payment_before_signing_is_422(self, client: testing.TestClient) -> None:
        school = factories.OrganizationFactory()
        contract = factories.ContractFactory(purchaser=school)
        body = {"kind": "paid", "occurred_on": "2025-07-31", "amount": "100"}
        result = client.simulate_post(
            f"/v1/contracts/{contract.id}/events", json=body, headers=headers_for(school)
        )
        assert result.status_code == 422
        assert "occurred_on" in result.json["errors"]

    def test_payment_on_the_signing_day_is_accepted(self, client: testing.TestClient) -> None:
        school = factories.OrganizationFactory()
        contract = factories.ContractFactory(purchaser=school)
        body = {"kind": "paid", "occurred_on": "2025-08-01", "amount": "100"}
        result = client.simulate_post(
            f"/v1/contracts/{contract.id}/events", json=body, headers=headers_for(school)
        )
        assert result.status_code == 201

    def test_payments_beyond_the_contract_amount_are_422(self, client: testing.TestClient) -> None:
        school = factories.OrganizationFactory()
        contract = factories.ContractFactory(purchaser=school)
        url, headers = f"/v1/contracts/{contract.id}/events", headers_for(school)
        full = {"kind": "paid", "occurred_on": "2025-09-01", "amount": "1000000.00"}
        assert client.simulate_post(url, json=full, headers=headers).status_code == 201
        extra = {"kind": "paid", "occurred_on": "2025-09-02", "amount": "0.01"}
        result = client.simulate_post(url, json=extra, headers=headers)
        assert result.status_code == 422
        assert "amount" in result.json["errors"]

    def test_a_payment_needs_an_amount(self, client: testing.TestClient) -> None:
        school = factories.OrganizationFactory()
        contract = factories.ContractFactory(purchaser=school)
        body = {"kind": "paid", "occurred_on": "2025-09-01"}
        result = client.simulate_post(
            f"/v1/contracts/{contract.id}/events", json=body, headers=headers_for(school)
        )
        assert result.status_code == 422
        assert "amount" in result.json["errors"]

    def test_acceptance_before_delivery_is_422(self, client: testing.TestClient) -> None:
        school = factories.OrganizationFactory()
        contract = factories.ContractFactory(purchaser=school)
        url, headers = f"/v1/contracts/{contract.id}/events", headers_for(school)
        client.simulate_post(url, json={"kind": "delivered", "occurred_on": "2025-08-20"}, headers=headers)
        result = client.simulate_post(
            url, json={"kind": "accepted", "occurred_on": "2025-08-19"}, headers=headers
        )
        assert result.status_code == 422

    def test_events_are_listed_in_order(self, client: testing.TestClient) -> None:
        school = factories.OrganizationFactory()
        contract = factories.ContractFactory(purchaser=school)
        url, headers = f"/v1/contracts/{contract.id}/events", headers_for(school)
        client.simulate_post(url, json={"kind": "delivered", "occurred_on": "2025-08-20"}, headers=headers)
        client.simulate_post(url, json={"kind": "accepted", "occurred_on": "2025-08-25"}, headers=headers)
        kinds = [e["kind"] for e in client.simulate_get(url, headers=headers).json["items"]]
        assert kinds == ["delivered", "accepted"]


def test_changing_only_the_terms_moves_the_etag(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory()
    contract = factories.ContractFactory(purchaser=school)
    bonds = [{"kind": "performance", "percent": "2", "forms": ["bank_guarantee", "insurance"]}]
    result = client.simulate_patch(
        f"/v1/contracts/{contract.id}", json={"bonds": bonds}, headers=headers_for(school)
    )
    assert result.status_code == 200
    assert result.headers["etag"] == '"2"'
    assert result.json["bonds"][0]["forms"] == ["bank_guarantee", "insurance"]


def test_the_created_representation_is_what_a_read_returns(
    client: testing.TestClient, session: Session
) -> None:
    """create_contract builds its answer and audit state from the validated values, not by reading
    the row back: both must equal what the stored contract gives."""
    school = factories.OrganizationFactory()
    headers = headers_for(school)
    body = contract_body(
        consortium=[],
        bonds=[{"kind": "performance", "percent": "2.5", "forms": ["insurance", "bank_guarantee"]}],
    )
    created = client.simulate_post("/v1/contracts", json=body, headers=headers)
    assert created.status_code == 201
    read = client.simulate_get(f"/v1/contracts/{created.json['id']}", headers=headers)
    assert read.json == created.json
    entry = session.execute(select(AuditLogEntry).order_by(AuditLogEntry.seq.desc())).scalars().first()
    contract = session.get(Contract, created.json["id"])
    assert entry is not None and contract is not None
    assert entry.after_digest == digest(contract_state(contract))


def test_an_event_dated_in_the_future_is_422(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory()
    contract = factories.ContractFactory(purchaser=school)
    body = {"kind": "delivered", "occurred_on": "9999-12-31"}
    result = client.simulate_post(
        f"/v1/contracts/{contract.id}/events", json=body, headers=headers_for(school)
    )
    assert result.status_code == 422
    assert "occurred_on" in result.json["errors"]


def test_values_beyond_what_the_database_holds_are_422_naming_the_field(client: testing.TestClient) -> None:
    headers = headers_for(factories.OrganizationFactory())
    result = client.simulate_post(
        "/v1/contracts", json=contract_body(amount="1e20", supplier_id=2**40), headers=headers
    )
    assert result.status_code == 422
    assert {"amount", "supplier_id"} <= set(result.json["errors"])
    assert client.simulate_get("/v1/contracts/99999999999999999999", headers=headers).status_code == 404
    assert (
        client.simulate_get("/v1/contracts", params={"after": str(2**40)}, headers=headers).status_code == 422
    )
