"""Audit log entries and the single head row that serialises appends into one linear chain."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from procurement.orm import Base

GENESIS_HASH = "0" * 64


class AuditLogEntry(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    created_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(50))
    before_digest: Mapped[str | None] = mapped_column(String(64))
    after_digest: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # HMAC-SHA256(key, hash) with the key from settings (procurement/auditlog/mac.py); None for
    # entries written before a key was configured
    mac: Mapped[str | None] = mapped_column(String(64))


class AuditLogHead(Base):
    """One row (id 1). Appending updates it first, so concurrent writers queue on its row lock."""

    __tablename__ = "audit_log_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
