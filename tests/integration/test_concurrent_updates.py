"""PATCHes of one contract at once without If-Match serialize and all succeed (on PostgreSQL 40 of 60
were answered 412 "changed concurrently"); with a stale If-Match it is still 412."""

import threading
import uuid
from collections.abc import Iterator

import pytest
from falcon import testing
from sqlalchemy import text
from sqlalchemy.engine import make_url

from api.app import create_app
from api.middleware import ActorCache
from config.settings import Settings
from procurement import schema
from procurement.db import create_db_engine, create_session_factory
from procurement.organizations.models import Role
from tests import factories
from tests.api.helpers import contract_body

WRITERS = 12


@pytest.fixture
def committed_url(database_url: str) -> Iterator[str]:
    """A schema of its own whose rows are committed (threads cannot share the test's transaction)."""
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("SQLite serializes writers at its write gate; the race is PostgreSQL's")
    name = f"smeproc_conc_{uuid.uuid4().hex[:8]}"
    admin = create_db_engine(database_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    url = make_url(database_url).update_query_dict({"options": f"-csearch_path={name}"})
    scoped = url.render_as_string(hide_password=False)
    try:
        schema.upgrade(scoped)
        yield scoped
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def test_concurrent_patches_without_if_match_all_succeed(committed_url: str) -> None:
    engine = create_db_engine(committed_url, pool_size=WRITERS)
    factory = create_session_factory(engine)
    with factory() as session:
        factories.bind(session)
        officer = factories.OrganizationFactory()
        _, key = factories.api_key(officer, Role.OFFICER)
        session.commit()
        factories.bind(None)
    client = testing.TestClient(
        create_app(Settings(database_url=committed_url), session_factory=factory, actor_cache=ActorCache(60))
    )
    headers = {"Authorization": f"Bearer {key}"}
    created = client.simulate_post("/v1/contracts", json=contract_body(), headers=headers)
    assert created.status_code == 201, created.text
    contract_id, version = created.json["id"], created.json["version"]
    start = threading.Barrier(WRITERS)
    statuses: list[int] = []

    def patch(i: int) -> None:
        start.wait()
        result = client.simulate_patch(
            f"/v1/contracts/{contract_id}", json={"title": f"标题{i}"}, headers=headers
        )
        statuses.append(result.status_code)

    threads = [threading.Thread(target=patch, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = client.simulate_get(f"/v1/contracts/{contract_id}", headers=headers)
    stale = client.simulate_patch(
        f"/v1/contracts/{contract_id}",
        json={"title": "过期"},
        headers={**headers, "If-Match": f'"{version}"'},
    )
    engine.dispose()
    assert statuses == [200] * WRITERS
    assert final.json["version"] == version + WRITERS
    assert stale.status_code == 412
