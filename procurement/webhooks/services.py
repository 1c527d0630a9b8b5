"""Subscriptions (create, list, read, delete), their delivery log, and redelivery on request."""

import base64
import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from procurement.auditlog.services import record
from procurement.errors import InvalidInput, NotFound
from procurement.events.models import OutboxEvent
from procurement.events.services import EVENT_TYPES
from procurement.organizations.models import Role
from procurement.orm import utcnow
from procurement.pagination import Page, fetch_page
from procurement.scope import Actor, region_covers
from procurement.webhooks.models import (
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from procurement.webhooks.urls import Resolver, check_url, resolve

SECRET_BYTES = 24
MAX_SUBSCRIPTIONS_PER_ORGANIZATION = 20


def new_secret() -> str:
    """A Standard Webhooks signing secret: ``whsec_`` and base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def create_subscription(
    session: Session,
    actor: Actor,
    *,
    url: str,
    event_types: Sequence[str],
    description: str = "",
    allow_private: bool = False,
    resolver: Resolver = resolve,
) -> WebhookSubscription:
    """A subscription of the caller's organization; its ``secret`` is returned this once only."""
    actor.require(Role.PLATFORM, Role.ADMIN, Role.OFFICER)
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown or not event_types:
        raise InvalidInput(
            {"event_types": f"须为以下事件之一 / each must be one of: {', '.join(EVENT_TYPES)}"}
        )
    check_url(url, allow_private=allow_private, resolver=resolver)
    existing = session.execute(
        select(WebhookSubscription.id).where(
            WebhookSubscription.organization_id == actor.organization_id,
            WebhookSubscription.deleted_at.is_(None),
        )
    ).all()
    if len(existing) >= MAX_SUBSCRIPTIONS_PER_ORGANIZATION:
        raise InvalidInput(
            {
                "url": f"每个机构最多{MAX_SUBSCRIPTIONS_PER_ORGANIZATION}个订阅 / at most "
                f"{MAX_SUBSCRIPTIONS_PER_ORGANIZATION} subscriptions per organization"
            }
        )
    subscription = WebhookSubscription(
        organization_id=actor.organization_id,
        role=actor.role,
        region_code=actor.region_code,
        url=url,
        event_types=sorted(set(event_types)),
        description=description,
        secret=new_secret(),
        created_by=actor.label,
    )
    session.add(subscription)
    session.flush()
    record(
        session,
        actor=actor.label,
        action="webhook.create",
        entity_type="webhook_subscription",
        entity_id=subscription.id,
        before=None,
        after={"url": url, "event_types": subscription.event_types},
    )
    return subscription


def _own(session: Session, actor: Actor, subscription_id: int) -> WebhookSubscription:
    subscription = session.get(WebhookSubscription, subscription_id)
    if (
        subscription is None
        or subscription.deleted_at is not None
        or (actor.role is not Role.ADMIN and subscription.organization_id != actor.organization_id)
    ):
        raise NotFound("回调订阅", "webhook subscription", subscription_id)
    return subscription


def get_subscription(session: Session, actor: Actor, subscription_id: int) -> WebhookSubscription:
    return _own(session, actor, subscription_id)


def list_subscriptions(session: Session, actor: Actor, *, after: int | None, limit: int) -> Page[Any]:
    query = select(WebhookSubscription).where(WebhookSubscription.deleted_at.is_(None))
    if actor.role is not Role.ADMIN:
        query = query.where(WebhookSubscription.organization_id == actor.organization_id)
    return fetch_page(session, query, WebhookSubscription.id, after=after, limit=limit)


def delete_subscription(session: Session, actor: Actor, subscription_id: int) -> None:
    """Stop delivering to it; its delivery log stays readable to admins in the database."""
    subscription = _own(session, actor, subscription_id)
    subscription.deleted_at = utcnow()
    subscription.enabled = False
    record(
        session,
        actor=actor.label,
        action="webhook.delete",
        entity_type="webhook_subscription",
        entity_id=subscription.id,
        before={"url": subscription.url},
        after=None,
    )


def list_deliveries(
    session: Session, actor: Actor, subscription_id: int, *, after: int | None, limit: int
) -> Page[Any]:
    """The subscription's deliveries, each with its event and every attempt."""
    _own(session, actor, subscription_id)
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    return fetch_page(session, query, WebhookDelivery.id, after=after, limit=limit)


def delivery_log(session: Session, deliveries: Sequence[WebhookDelivery]) -> list[dict[str, Any]]:
    """Deliveries as the log shows them: the event's id and type, the state and every attempt."""
    ids = [d.id for d in deliveries]
    attempts: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for row in session.execute(
        select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids)).order_by(WebhookAttempt.id)
    ).scalars():
        attempts[row.delivery_id].append(
            {
                "attempted_at": row.attempted_at,
                "status_code": row.status_code,
                "error": row.error,
                "duration_ms": row.duration_ms,
            }
        )
    events = {
        e.id: e
        for e in session.execute(
            select(OutboxEvent).where(OutboxEvent.id.in_([d.event_id for d in deliveries]))
        ).scalars()
    }
    return [
        {
            "id": d.id,
            "webhook_id": message_id(d.event_id),
            "event_type": events[d.event_id].type,
            "occurred_at": events[d.event_id].occurred_at,
            "state": d.state.value,
            "attempts": d.attempts,
            "next_attempt_at": d.next_attempt_at if d.state is DeliveryState.PENDING else None,
            "delivered_at": d.delivered_at,
            "last_status": d.last_status,
            "last_error": d.last_error,
            "log": attempts[d.id],
        }
        for d in deliveries
    ]


def message_id(event_id: int) -> str:
    """The ``webhook-id`` of an event: the same on every attempt, so receivers deduplicate by it."""
    return f"msg_{event_id}"


def redeliver(session: Session, actor: Actor, subscription_id: int, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again (with the same webhook-id), now, with a fresh set of retries."""
    actor.require_write()
    subscription = _own(session, actor, subscription_id)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != subscription.id:
        raise NotFound("投递", "delivery", delivery_id)
    if not subscription.enabled:
        subscription.enabled = True
        subscription.disabled_reason = None
        subscription.failing_since = None
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery.id)
        .values(state=DeliveryState.PENDING, attempts=0, next_attempt_at=utcnow())
    )
    session.refresh(delivery)
    return delivery


def subscriber_sees(subscription: WebhookSubscription, event: OutboxEvent) -> bool:
    """Whether the key that made the subscription may see what the event is about."""
    if subscription.role is Role.ADMIN:
        return True
    if subscription.role is Role.OFFICER:
        return event.organization_id == subscription.organization_id
    return region_covers(subscription.region_code, event.region_code)
