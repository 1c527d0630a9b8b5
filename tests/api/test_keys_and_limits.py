"""Keys an admin revokes or expires stop working (were: only by SQL); the last use is recorded; rate
limits per key, per client address and on failed authentication answer 429 with Retry-After (were:
3,200 burst requests and 2,000 bad-key attempts all answered)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from falcon import testing
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from api.app import create_app
from api.middleware import ActorCache
from config.settings import Settings
from procurement.organizations.models import ApiKey, Organization, Role
from rules.vocabulary import OrganizationKind
from tests import factories
from tests.api.helpers import headers_for
from tests.conftest import _savepoint_session


@pytest.fixture
def admin() -> dict[str, str]:
    org = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000")
    return headers_for(org, Role.ADMIN)


@pytest.fixture
def officer_org(session: Session) -> Organization:
    return factories.OrganizationFactory()


def _make_key(client: testing.TestClient, admin: dict[str, str], org: Organization, **extra: object) -> dict:
    made = client.simulate_post(
        "/v1/keys", json={"organization_id": org.id, "role": "officer", **extra}, headers=admin
    )
    assert made.status_code == 201, made.text
    return dict(made.json)


def test_an_admin_revokes_a_key_and_it_stops_working(
    client: testing.TestClient, admin: dict[str, str], officer_org: Organization
) -> None:
    made = _make_key(client, admin, officer_org, label="platform A")
    bearer = {"Authorization": f"Bearer {made['key']}"}
    assert client.simulate_get("/v1/contracts", headers=bearer).status_code == 200
    revoked = client.simulate_patch(f"/v1/keys/{made['id']}", json={"revoked": True}, headers=admin)
    assert revoked.status_code == 200 and revoked.json["revoked_at"] is not None
    refused = client.simulate_get("/v1/contracts", headers=bearer)
    assert refused.status_code == 401
    assert "revoked" in refused.json["message"]["en"]


def test_an_expired_key_stops_working_and_the_expiry_can_be_cleared(
    client: testing.TestClient, admin: dict[str, str], officer_org: Organization
) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    made = _make_key(client, admin, officer_org, expires_at=past)
    bearer = {"Authorization": f"Bearer {made['key']}"}
    refused = client.simulate_get("/v1/contracts", headers=bearer)
    assert refused.status_code == 401 and "expired" in refused.json["message"]["en"]
    cleared = client.simulate_patch(f"/v1/keys/{made['id']}", json={"expires_at": None}, headers=admin)
    assert cleared.status_code == 200 and cleared.json["expires_at"] is None
    assert client.simulate_get("/v1/contracts", headers=bearer).status_code == 200


def test_only_an_admin_manages_keys(client: testing.TestClient, officer_org: Organization) -> None:
    officer = headers_for(officer_org, Role.OFFICER)
    assert client.simulate_get("/v1/keys", headers=officer).status_code == 403
    made = client.simulate_post(
        "/v1/keys", json={"organization_id": officer_org.id, "role": "admin"}, headers=officer
    )
    assert made.status_code == 403


def test_the_last_use_is_recorded(
    client: testing.TestClient, admin: dict[str, str], officer_org: Organization, session: Session
) -> None:
    made = _make_key(client, admin, officer_org)
    assert (
        client.simulate_get("/v1/contracts", headers={"Authorization": f"Bearer {made['key']}"}).status_code
        == 200
    )
    session.expire_all()
    row = session.get(ApiKey, made["id"])
    assert row is not None and row.last_used_at is not None
    listed = client.simulate_get("/v1/keys", params={"organization_id": officer_org.id}, headers=admin)
    assert listed.json["items"][0]["last_used_at"] is not None
    assert "key" not in listed.json["items"][0]


def _limited_client(settings: Settings, connection: Connection, **limits: str) -> testing.TestClient:
    app = create_app(
        replace(settings, **limits),
        session_factory=lambda: _savepoint_session(connection),
        actor_cache=ActorCache(0),
    )
    return testing.TestClient(app)


def test_a_key_past_its_limit_gets_429_with_retry_after(
    settings: Settings, connection: Connection, officer_org: Organization
) -> None:
    client = _limited_client(settings, connection, rate_limit_per_key="5/minute")
    headers = headers_for(officer_org)
    statuses = [client.simulate_get("/v1/contracts", headers=headers).status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    refused = client.simulate_get("/v1/contracts", headers=headers)
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["content-type"] == "application/problem+json"
    other = headers_for(factories.OrganizationFactory())
    assert client.simulate_get("/v1/contracts", headers=other).status_code == 200  # another key


def test_an_address_past_its_limit_gets_429(settings: Settings, connection: Connection) -> None:
    client = _limited_client(settings, connection, rate_limit_per_address="3/minute")
    statuses = [client.simulate_get("/v1/health").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.simulate_get("/v1/health", remote_addr="10.0.0.9").status_code == 200


def test_failed_authentication_is_limited_more_strictly(
    settings: Settings, connection: Connection, officer_org: Organization
) -> None:
    client = _limited_client(settings, connection, rate_limit_failed_auth="3/minute")
    bad = {"Authorization": "Bearer smp_000000000000_wrong"}
    statuses = [client.simulate_get("/v1/contracts", headers=bad).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    # even the right key is refused from that address for the while; another address is not
    assert client.simulate_get("/v1/contracts", headers=headers_for(officer_org)).status_code == 429
    good = client.simulate_get("/v1/contracts", headers=headers_for(officer_org), remote_addr="10.0.0.7")
    assert good.status_code == 200


def test_the_limits_count_in_redis_across_workers() -> None:
    """Two limiters (two workers) on one Redis share one count."""
    import uuid

    import falcon
    import redis

    from api.ratelimit import RateLimits

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_timeout=1).ping()
    except redis.RedisError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"Redis unreachable: {exc}")
    settings = Settings(rate_limit_storage="redis://127.0.0.1:6379/15", rate_limit_per_address="3/minute")
    first, second = RateLimits(settings), RateLimits(settings)
    address = f"test-{uuid.uuid4().hex}"
    first.request_from(address)
    second.request_from(address)
    first.request_from(address)
    with pytest.raises(falcon.HTTPTooManyRequests):
        second.request_from(address)
