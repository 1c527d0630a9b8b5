"""Shared fixtures: the test database (migrated once with Alembic), a rolled-back session per test,
factories bound to it, and a Falcon test client whose requests run in that same transaction.

The database is SQLite unless SMEPROC_TEST_DATABASE_URL names another (tox's ``pg`` environment).
On PostgreSQL each run works in a schema of its own, dropped at the end.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from falcon import testing
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from api.app import create_app
from api.middleware import ActorCache
from config.settings import Settings
from procurement import schema
from procurement.db import create_db_engine
from tests import factories

DB_DIRS = ("integration", "api", "e2e")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if any(f"/tests/{d}/" in str(item.path) for d in DB_DIRS):
            item.add_marker(pytest.mark.db)


def _test_url(tmp_dir: Path) -> str:
    return os.environ.get("SMEPROC_TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.sqlite3'}"


def _pg_reachable(url: str) -> str | None:
    engine = create_db_engine(url)
    try:
        with engine.connect():
            return None
    except Exception as exc:  # any driver error means "not reachable" here
        return str(exc).splitlines()[0]
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for this run; on PostgreSQL a fresh schema, dropped afterwards."""
    url = _test_url(tmp_path_factory.mktemp("db"))
    if make_url(url).get_backend_name() == "sqlite":
        schema.upgrade(url)
        yield url
        return
    problem = _pg_reachable(url)
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.exit(f"PostgreSQL is unreachable at {url} and CI=true: {problem}", returncode=1)
        pytest.skip(f"PostgreSQL unreachable ({problem}); set SMEPROC_TEST_PG_URL to test on it")
    schema_name = f"smeproc_test_{uuid.uuid4().hex[:10]}"
    admin = create_db_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema_name}"'))
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema_name}"})
    scoped_url = scoped.render_as_string(hide_password=False)
    try:
        schema.upgrade(scoped_url)
        yield scoped_url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema_name}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """One connection whose outer transaction is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


def _savepoint_session(connection: Connection) -> Session:
    return Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    session = _savepoint_session(connection)
    factories.bind(session)
    yield session
    factories.bind(None)
    session.close()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, max_body_bytes=64 * 1024, default_page_size=20, max_page_size=50
    )


@pytest.fixture
def client(settings: Settings, connection: Connection, session: Session) -> testing.TestClient:
    """Requests run in the test's transaction: what a test wrote is visible, and all is rolled back."""
    app = create_app(
        settings, session_factory=lambda: _savepoint_session(connection), actor_cache=ActorCache(0)
    )
    return testing.TestClient(app)
