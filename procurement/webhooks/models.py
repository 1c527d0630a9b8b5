"""Subscriptions, one delivery per (subscription, event), and one log row per delivery attempt."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from procurement.organizations.models import Role
from procurement.orm import Base, enum_column, utcnow


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # the creating key's role and region: the subscription sees the events that key may see
    role: Mapped[Role] = mapped_column(enum_column(Role))
    region_code: Mapped[str] = mapped_column(String(6))
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(String(500), default="")
    # whsec_ + base64: the signing key must be kept to sign, so it is stored, and shown only once
    secret: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    # the first failure since the last success: a subscription failing for a day is disabled
    failing_since: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]


class DeliveryState(StrEnum):
    PENDING = "pending"  # due at next_attempt_at (also while an attempt is under way: see lease)
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # every retry failed; redeliver on request


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        # the worker claims pending deliveries that are due
        Index("ix_webhook_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_events.id"), index=True)
    state: Mapped[DeliveryState] = mapped_column(enum_column(DeliveryState), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    # a claimed delivery is pushed a lease ahead: if its worker dies it falls due again by itself
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]


class WebhookAttempt(Base):
    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None]  # None: no answer (timeout, refused, closed)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int]
