"""The audit log's hash chain: intact after writes, broken by an edited or deleted row, linear under
two concurrent writers."""

import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from procurement import schema
from procurement.auditlog import services as auditlog
from procurement.auditlog.models import AuditLogEntry
from procurement.db import begin_write, create_db_engine, create_session_factory


def _write(session: Session, n: int) -> None:
    for i in range(n):
        auditlog.record(
            session,
            actor="test",
            action="thing.create",
            entity_type="thing",
            entity_id=i,
            before=None,
            after={"i": i},
        )


def test_an_untouched_chain_verifies(session: Session) -> None:
    _write(session, 5)
    checked, broken = auditlog.verify(session)
    assert broken is None
    assert checked >= 5


def test_an_edited_row_is_detected_and_named(session: Session) -> None:
    _write(session, 5)
    session.flush()
    target = session.query(AuditLogEntry).order_by(AuditLogEntry.seq.desc()).offset(2).first()
    assert target is not None
    session.execute(update(AuditLogEntry).where(AuditLogEntry.seq == target.seq).values(actor="someone else"))
    session.expire_all()
    _, broken = auditlog.verify(session)
    assert broken is not None
    assert broken.seq == target.seq
    assert "改动" in broken.reason_zh


def test_a_deleted_row_is_detected(session: Session) -> None:
    _write(session, 5)
    session.flush()
    target = session.query(AuditLogEntry).order_by(AuditLogEntry.seq.desc()).offset(2).first()
    assert target is not None
    session.execute(delete(AuditLogEntry).where(AuditLogEntry.seq == target.seq))
    session.expire_all()
    _, broken = auditlog.verify(session)
    assert broken is not None
    assert broken.seq == target.seq


def test_deleting_the_newest_row_is_detected(session: Session) -> None:
    _write(session, 3)
    session.flush()
    last = session.query(AuditLogEntry).order_by(AuditLogEntry.seq.desc()).first()
    assert last is not None
    session.execute(delete(AuditLogEntry).where(AuditLogEntry.seq == last.seq))
    session.expire_all()
    _, broken = auditlog.verify(session)
    assert broken is not None
    assert broken.seq == last.seq


@pytest.fixture
def private_engine(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A database of its own, since concurrent writers must commit for real."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        own = f"sqlite:///{tmp_path_factory.mktemp('chain') / 'chain.sqlite3'}"
        schema.upgrade(own)
        engine = create_db_engine(own)
        yield engine
        engine.dispose()
        return
    name = f"smeproc_chain_{uuid.uuid4().hex[:8]}"
    base = url.update_query_dict({"options": ""}).render_as_string(hide_password=False)
    admin = create_db_engine(base.replace("?options=", ""))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    own = url.update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(hide_password=False)
    schema.upgrade(own)
    engine = create_db_engine(own)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def test_two_concurrent_writers_keep_one_linear_chain(private_engine: Engine) -> None:
    factory = create_session_factory(private_engine)
    errors: list[BaseException] = []

    def writer(tag: str) -> None:
        try:
            for i in range(40):
                with factory() as session:
                    begin_write(session)
                    auditlog.record(
                        session,
                        actor=tag,
                        action="x",
                        entity_type="t",
                        entity_id=i,
                        before=None,
                        after={"i": i},
                    )
                    session.commit()
        except BaseException as exc:  # surfaced to the test below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(tag,)) for tag in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with factory() as session:
        checked, broken = auditlog.verify(session)
    assert broken is None
    assert checked == 80
