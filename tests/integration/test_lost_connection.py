"""A database connection the server terminated: a safe request is retried once and succeeds, a write
is answered 503 with Retry-After (was: 500 internal_error). PostgreSQL only (SQLite has no server)."""

import uuid
from collections.abc import Iterator

import falcon
import pytest
from falcon import testing
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from api.app import create_app
from api.middleware import ActorCache
from api.retry import RetryOnLostConnection
from config.settings import Settings
from procurement.db import create_db_engine, create_session_factory

UNKNOWN_KEY = {"Authorization": "Bearer smp_000000000000_not-a-key"}


@pytest.fixture
def app_name(database_url: str) -> str:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("a terminated connection needs a database server")
    return f"smeproc-lost-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def settings_for(database_url: str, app_name: str) -> Settings:
    url = make_url(database_url).update_query_dict({"application_name": app_name})
    return Settings(database_url=url.render_as_string(hide_password=False))


def _terminate(engine: Engine, app_name: str) -> int:
    with engine.begin() as connection:
        killed = connection.execute(
            text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :n"),
            {"n": app_name},
        ).scalar_one()
    return int(killed)


@pytest.fixture
def app(settings_for: Settings) -> Iterator[falcon.App]:
    """The app on an engine of its own (disposed after the test), as a server worker has."""
    app_engine = create_db_engine(settings_for.database_url)
    factory = create_session_factory(app_engine)
    yield create_app(settings_for, session_factory=factory, actor_cache=ActorCache(0))
    app_engine.dispose()


@pytest.fixture
def plain(app: falcon.App) -> testing.TestClient:
    return testing.TestClient(app)


@pytest.fixture
def retrying(app: falcon.App) -> testing.TestClient:
    return testing.TestClient(RetryOnLostConnection(app))


def test_a_write_on_a_lost_connection_is_503_with_retry_after(
    plain: testing.TestClient, engine: Engine, app_name: str
) -> None:
    assert plain.simulate_get("/v1/contracts", headers=UNKNOWN_KEY).status_code == 401  # pools a connection
    assert _terminate(engine, app_name) >= 1
    result = plain.simulate_post("/v1/suppliers", json={"name": "x"}, headers=UNKNOWN_KEY)
    assert result.status_code == 503, result.text
    assert result.headers["retry-after"] == "1"
    assert result.json["code"] == "database_unavailable"
    # the pool was replaced: the next request works again
    assert plain.simulate_get("/v1/contracts", headers=UNKNOWN_KEY).status_code == 401


def test_a_read_on_a_lost_connection_is_retried_once_and_answered(
    retrying: testing.TestClient, engine: Engine, app_name: str
) -> None:
    assert retrying.simulate_get("/v1/contracts", headers=UNKNOWN_KEY).status_code == 401
    assert _terminate(engine, app_name) >= 1
    result = retrying.simulate_get("/v1/contracts", headers=UNKNOWN_KEY)
    assert result.status_code == 401, result.text  # the answer on a fresh connection, not a 503
