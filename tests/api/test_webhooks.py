"""/v1/webhooks: subscribe (secret shown once), list, read, delete, the delivery log, and the URLs
production refuses (422 naming the field)."""

from dataclasses import replace

import pytest
from falcon import testing
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from api.app import create_app
from api.middleware import ActorCache
from config.settings import Settings
from procurement.errors import InvalidInput
from procurement.events.services import emit_event
from procurement.organizations.models import Organization, Role
from procurement.scope import Actor
from procurement.webhooks.services import create_subscription
from rules.vocabulary import OrganizationKind
from tests import factories
from tests.api.helpers import headers_for


@pytest.fixture
def platform() -> Organization:
    return factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="650000")


@pytest.fixture
def dev_client(settings: Settings, connection: Connection, session: Session) -> testing.TestClient:
    """Development mode: receivers on this machine over http are allowed."""
    app = create_app(
        replace(settings, webhook_allow_private=True),
        session_factory=lambda: Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        ),
        actor_cache=ActorCache(0),
    )
    return testing.TestClient(app)


BODY = {"url": "http://127.0.0.1:9999/hook", "event_types": ["contract.terms_applied", "finding.opened"]}


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/hook",  # not https
        "https://127.0.0.1/hook",
        "https://localhost:8443/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.7/hook",
        "https://169.254.169.254/latest/meta-data",  # the cloud metadata service
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://user:pw@203.0.113.9/hook",
        "ftp://203.0.113.9/hook",
        "https:///no-host",
    ],
)
def test_production_refuses_urls_that_are_not_public_https(
    client: testing.TestClient, platform: Organization, url: str
) -> None:
    result = client.simulate_post(
        "/v1/webhooks", json={**BODY, "url": url}, headers=headers_for(platform, Role.PLATFORM)
    )
    assert result.status_code == 422, result.json
    assert "url" in result.json["errors"]


def test_a_public_https_host_is_accepted(session: Session, platform: Organization) -> None:
    actor = Actor(api_key_id=1, organization_id=platform.id, role=Role.PLATFORM, region_code="650000")
    subscription = create_subscription(
        session,
        actor,
        url="https://hooks.example.com/smeproc",
        event_types=["finding.opened"],
        resolver=lambda host, port: ["93.184.215.14"],
    )
    assert subscription.secret.startswith("whsec_")
    with pytest.raises(InvalidInput):  # the same name pointing inside is refused
        create_subscription(
            session,
            actor,
            url="https://hooks.example.com/smeproc",
            event_types=["finding.opened"],
            resolver=lambda host, port: ["93.184.215.14", "10.0.0.8"],
        )


def test_an_unknown_event_type_is_named(dev_client: testing.TestClient, platform: Organization) -> None:
    result = dev_client.simulate_post(
        "/v1/webhooks",
        json={**BODY, "event_types": ["contract.deleted"]},
        headers=headers_for(platform, Role.PLATFORM),
    )
    assert result.status_code == 422
    assert "event_types.0" in result.json["errors"] or "event_types" in result.json["errors"]


def test_subscribe_shows_the_secret_once_then_list_read_and_delete(
    dev_client: testing.TestClient, platform: Organization
) -> None:
    headers = headers_for(platform, Role.PLATFORM)
    created = dev_client.simulate_post("/v1/webhooks", json=BODY, headers=headers)
    assert created.status_code == 201, created.json
    assert created.json["secret"].startswith("whsec_")
    assert created.headers["Location"] == f"/v1/webhooks/{created.json['id']}"
    read = dev_client.simulate_get(created.headers["Location"], headers=headers)
    assert read.status_code == 200 and "secret" not in read.json
    assert read.json["event_types"] == ["contract.terms_applied", "finding.opened"]
    listed = dev_client.simulate_get("/v1/webhooks", headers=headers).json
    assert [w["id"] for w in listed["items"]] == [created.json["id"]]

    stranger = factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="650000")
    assert (
        dev_client.simulate_get(
            created.headers["Location"], headers=headers_for(stranger, Role.PLATFORM)
        ).status_code
        == 404
    )

    assert dev_client.simulate_delete(created.headers["Location"], headers=headers).status_code == 204
    assert dev_client.simulate_get(created.headers["Location"], headers=headers).status_code == 404
    assert dev_client.simulate_get("/v1/webhooks", headers=headers).json["items"] == []


def test_an_auditor_may_not_subscribe(dev_client: testing.TestClient) -> None:
    finance = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000")
    result = dev_client.simulate_post("/v1/webhooks", json=BODY, headers=headers_for(finance, Role.AUDITOR))
    assert result.status_code == 403


def test_the_delivery_log_and_redelivery_over_the_api(
    dev_client: testing.TestClient, platform: Organization, session: Session, connection: Connection
) -> None:
    from procurement.webhooks.delivery import Dispatcher
    from procurement.webhooks.sender import Outcome, Outgoing

    class Refusing:
        def send(self, batch: list[Outgoing]) -> list[Outcome]:
            return [Outcome(item.delivery_id, 500, "HTTP 500: oops", 3) for item in batch]

    headers = headers_for(platform, Role.PLATFORM)
    webhook = dev_client.simulate_post("/v1/webhooks", json=BODY, headers=headers).json
    emit_event(session, type="finding.opened", organization_id=platform.id, region_code="650000", data={})
    worker_sessions = lambda: Session(bind=connection, join_transaction_mode="create_savepoint")  # noqa: E731
    Dispatcher(worker_sessions, Refusing()).run_once()

    log = dev_client.simulate_get(f"/v1/webhooks/{webhook['id']}/deliveries", headers=headers).json
    (delivery,) = log["items"]
    assert (delivery["state"], delivery["attempts"], delivery["event_type"]) == (
        "pending",
        1,
        "finding.opened",
    )
    assert delivery["log"][0]["status_code"] == 500 and delivery["log"][0]["error"] == "HTTP 500: oops"
    assert delivery["webhook_id"].startswith("msg_")

    again = dev_client.simulate_post(
        f"/v1/webhooks/{webhook['id']}/deliveries/{delivery['id']}/redeliver", headers=headers
    )
    assert again.status_code == 202
    assert (again.json["state"], again.json["attempts"]) == ("pending", 0)
    missing = dev_client.simulate_post(
        f"/v1/webhooks/{webhook['id']}/deliveries/999999/redeliver", headers=headers
    )
    assert missing.status_code == 404
