"""Engine and session factory for SQLite (embedded default) and PostgreSQL (production).

SQLite runs in WAL mode, and write transactions start with BEGIN IMMEDIATE behind a write gate, so
writers of every worker queue for each other instead of failing with "database is locked".
"""

import fcntl
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any, cast

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
POOL_RECYCLE_SECONDS = 1800
# execution option a write session sets so its SQLite transaction takes the write lock up front
WRITE_INTENT = "smeproc_write_intent"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_db_engine(url: str, *, echo: bool = False, pool_size: int = 5) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, echo=echo)
    if parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    # No ping per checkout: it is one more round trip on every request (a third of a cached GET's
    # CPU). A connection the server dropped fails the one request that meets it, and SQLAlchemy then
    # replaces the whole pool; recycling stops idle connections from aging out behind a proxy.
    return create_engine(
        url,
        echo=echo,
        # JSON columns read back with orjson: an audit run reads a million derived rows
        json_deserializer=orjson.loads,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        pool_recycle=POOL_RECYCLE_SECONDS,
    )


class WriteGate:
    """One writer at a time: a lock file beside the database (between processes) and a thread lock
    (between the threads of a process, which share the file's lock).

    SQLite's own wait for its write lock polls with sleeps of 1 to 100 ms, so writers colliding
    under load wait far longer than the lock is held; waiters on the gate are woken at its release.
    An engine is not shared across fork, so neither is its gate.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._threads = threading.Lock()
        self._fd: int | None = None

    def acquire(self) -> None:
        # a thread that already writes and begins a second write would wait for itself: fail as
        # SQLite would after its busy timeout instead of hanging
        if not self._threads.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise sqlite3.OperationalError("database is locked (write gate busy)")
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


class _GatedConnection(sqlite3.Connection):
    """A sqlite3 connection that gives the write gate back once its transaction has ended."""

    held_gate: WriteGate | None = None

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.release_gate()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release_gate()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.release_gate()

    def release_gate(self) -> None:
        gate, self.held_gate = self.held_gate, None
        if gate is not None:
            gate.release()


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    database = make_url(url).database
    gate = None
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        gate = WriteGate(Path(f"{database}.write-gate"))
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "factory": _GatedConnection},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so BEGIN is ours (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A deferred transaction that read first cannot upgrade to a writer once another worker
        # committed (SQLITE_BUSY_SNAPSHOT, no busy wait); writers therefore lock at BEGIN.
        dbapi_connection = cast(_GatedConnection, connection.connection.dbapi_connection)  # our factory
        if not connection.get_execution_options().get(WRITE_INTENT, False):
            # straight to the driver: a deferred BEGIN cannot fail, and a whole SQLAlchemy execution
            # costs more than the BEGIN itself (every read request pays it)
            dbapi_connection.execute("BEGIN")
            return
        if gate is not None:
            gate.acquire()
            dbapi_connection.held_gate = gate  # released by its commit, rollback or close
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            dbapi_connection.release_gate()
            raise

    return engine


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def write_intent(engine: Engine) -> Engine:
    """The same engine whose transactions take SQLite's write lock when they begin (lazily: at the
    first statement, so parsing and validation happen outside the lock)."""
    return engine.execution_options(**{WRITE_INTENT: True})


def begin_write(session: Session) -> None:
    """Declare that this session's transaction will write (must be called before any query)."""
    session.connection(execution_options={WRITE_INTENT: True})
