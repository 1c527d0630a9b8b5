"""SQLite writers of several processes and threads queue at the write gate: none sees "database is
locked", even with SQLite's own busy wait switched off so that only the gate can make them wait."""

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from procurement import schema
from procurement.auditlog import services as auditlog
from procurement.db import begin_write, create_db_engine, create_session_factory

WRITES = 60

# One writer: WRITES write transactions, each appending to the audit log (a read of the head row,
# then writes), on an engine whose busy timeout is 0: a collision not prevented by the gate fails.
WRITER = textwrap.dedent(
    """
    import sys
    from sqlalchemy import event
    from procurement.auditlog import services as auditlog
    from procurement.db import begin_write, create_db_engine, create_session_factory

    url, tag, writes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    engine = create_db_engine(url)

    @event.listens_for(engine, "connect")
    def no_busy_wait(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    factory = create_session_factory(engine)
    sys.stdout.write("ready\\n")
    sys.stdout.flush()
    sys.stdin.readline()  # start together
    for i in range(writes):
        with factory() as session:
            begin_write(session)
            auditlog.record(
                session, actor=tag, action="x", entity_type="t", entity_id=i, before=None, after={"i": i}
            )
            session.commit()
    """
)


@pytest.fixture
def sqlite_url(database_url: str, tmp_path: Path) -> str:
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("the write gate is SQLite's")
    url = f"sqlite:///{tmp_path / 'writers.sqlite3'}"
    schema.upgrade(url)
    return url


def _verified_entries(url: str) -> int:
    engine = create_db_engine(url)
    try:
        with create_session_factory(engine)() as session:
            checked, broken = auditlog.verify(session)
    finally:
        engine.dispose()
    assert broken is None
    return checked


def test_two_processes_writing_at_once_never_see_a_locked_database(sqlite_url: str) -> None:
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, sqlite_url, tag, str(WRITES)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("a", "b")
    ]
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    outcomes = [writer.communicate(timeout=120) for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0], [err for _, err in outcomes]
    assert _verified_entries(sqlite_url) == 2 * WRITES


def test_threads_of_one_process_writing_at_once_never_see_a_locked_database(sqlite_url: str) -> None:
    engine = create_db_engine(sqlite_url)

    @event.listens_for(engine, "connect")
    def _no_busy_wait(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=0")  # type: ignore[attr-defined]

    factory = create_session_factory(engine)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer(tag: str) -> None:
        start.wait()
        try:
            for i in range(WRITES):
                with factory() as session:
                    begin_write(session)
                    auditlog.record(
                        session, actor=tag, action="x", entity_type="t", entity_id=i, before=None, after={}
                    )
                    session.commit()
        except BaseException as exc:  # surfaced to the test below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(tag,)) for tag in "abcd"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert errors == []
    assert _verified_entries(sqlite_url) == 4 * WRITES


@pytest.mark.parametrize("ending", ["rollback", "close"])
def test_a_write_that_does_not_commit_gives_the_gate_back(sqlite_url: str, ending: str) -> None:
    engine = create_db_engine(sqlite_url)
    factory = create_session_factory(engine)
    session = factory()
    begin_write(session)
    getattr(session, ending)()
    done = threading.Event()

    def write_from_another_thread() -> None:
        with factory() as other:
            begin_write(other)
            other.commit()
        done.set()

    thread = threading.Thread(target=write_from_another_thread, daemon=True)
    thread.start()
    thread.join(timeout=10)
    session.close()
    engine.dispose()
    assert done.is_set()
