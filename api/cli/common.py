"""What several commands share: settings from the environment and a session on its database."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from config.settings import Settings
from procurement.db import create_db_engine, create_session_factory


def settings_from_env() -> Settings:
    """The settings, and the audit log's MAC key set for this process (every command writes with it)."""
    from procurement.auditlog import mac

    settings = Settings.from_env(os.environ)
    if settings.audit_mac_key:
        mac.configure(settings.audit_mac_key)
    return settings


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """A session committed at the end of the block, rolled back on error."""
    engine = create_db_engine(settings.database_url)
    try:
        with create_session_factory(engine)() as session, session.begin():
            yield session
    finally:
        engine.dispose()
