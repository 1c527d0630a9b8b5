"""One import of an OCDS file: what it held, what was created or updated, what it lacked."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from procurement.orm import Base, utcnow


class OcdsImport(Base):
    __tablename__ = "ocds_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)  # releases, created, updated, rejected
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # line errors and missing fields
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
