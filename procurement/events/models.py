"""One outbox row per event; ``fanned_out_at`` is set once a delivery exists for every subscriber."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from procurement.orm import Base, utcnow


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    # the worker looks for events not yet fanned out, oldest first
    __table_args__ = (Index("ix_outbox_events_fanned_out_at_id", "fanned_out_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    # whose event it is: subscribers see it when they may see this organization / region
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    fanned_out_at: Mapped[datetime | None]
