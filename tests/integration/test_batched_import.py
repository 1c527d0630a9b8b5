"""A large OCDS import writes in batches, each its own transaction: on SQLite another writer gets the
write gate between batches (it waited for the whole import: 2.5 minutes for 46 MB), and the result is
the same as one transaction's, idempotent when run again."""

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from procurement import schema
from procurement.auditlog import services as auditlog
from procurement.contracts.models import Contract
from procurement.db import begin_write, create_db_engine, create_session_factory
from procurement.imports.batched import import_ocds_batched
from procurement.organizations.models import Role
from procurement.scope import Actor
from rules.vocabulary import OrganizationKind
from tests import factories
from tests.api.ocds_data import NDJSON, as_lines, corpus

RELEASES = 45


@pytest.fixture
def sqlite_url(database_url: str, tmp_path: Path) -> str:
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("the write gate is SQLite's")
    url = f"sqlite:///{tmp_path / 'import.sqlite3'}"
    schema.upgrade(url)
    return url


def test_a_batched_import_lets_other_writers_in_between_batches_and_is_idempotent(sqlite_url: str) -> None:
    engine = create_db_engine(sqlite_url)
    factory = create_session_factory(engine)
    with factory() as session:
        factories.bind(session)
        platform = factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="650000")
        key, _ = factories.api_key(platform, Role.PLATFORM)
        session.commit()
        factories.bind(None)
        actor = Actor(key.id, platform.id, Role.PLATFORM, "650000")
    body = as_lines(corpus(RELEASES))
    wrote_between: list[bool] = []

    def another_writer(done: int) -> None:
        """Runs after each batch commits: a writer on another thread must get in at once."""
        finished = threading.Event()

        def write() -> None:
            with factory() as other:
                begin_write(other)
                auditlog.record(
                    other, actor="other", action="x", entity_type="t", entity_id=done, before=None, after={}
                )
                other.commit()
            finished.set()

        thread = threading.Thread(target=write, daemon=True)
        thread.start()
        wrote_between.append(finished.wait(timeout=10))

    first = import_ocds_batched(
        factory, actor, data=body, media_type=NDJSON, prefetch_size=10, progress=another_writer
    )
    again = import_ocds_batched(factory, actor, data=body, media_type=NDJSON, batch_seconds=0.0)
    with factory() as session:
        contracts = session.execute(select(func.count()).select_from(Contract)).scalar_one()
        checked, broken = auditlog.verify(session)
    engine.dispose()
    assert len(wrote_between) >= 5 and all(wrote_between)  # 45 releases: at least 5 commits
    assert first.counts["releases"] == RELEASES and first.counts["created"] == first.counts["contracts"]
    assert contracts == first.counts["contracts"]
    assert again.counts["unchanged"] == first.counts["contracts"] and again.counts["created"] == 0
    assert broken is None and checked > 0
