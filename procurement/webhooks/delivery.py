"""The worker's side of webhooks: fan committed outbox events out to the subscriptions that want
them, then deliver what is due, at least once, with exponential backoff for a day.

A delivery is claimed by pushing its ``next_attempt_at`` a lease ahead and counting the attempt, in
a transaction of its own; the HTTP call happens outside any transaction; the outcome is written
afterwards. A worker killed in between leaves the delivery to fall due again when the lease runs out,
so it is sent again (a duplicate receivers drop by ``webhook-id``), never lost.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from procurement.db import begin_write
from procurement.events.models import OutboxEvent
from procurement.events.services import emit_event
from procurement.orm import utcnow
from procurement.webhooks.models import (
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from procurement.webhooks.sender import Outcome, Outgoing, Sender, event_body
from procurement.webhooks.services import message_id, subscriber_sees

# waits after the 1st, 2nd, ... failed attempt (Standard Webhooks' suggested schedule): the last
# attempt comes about 27 hours after the first, then the delivery is failed
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
# a subscription that has not had one success for this long is disabled
DISABLE_AFTER = timedelta(days=1)
# longer than the HTTP timeout: a claimed delivery falls due again after this if its worker died
LEASE = timedelta(seconds=60)
BATCH = 200


class Dispatcher:
    def __init__(
        self,
        session_factory: Callable[[], Session],
        sender: Sender,
        *,
        clock: Callable[[], datetime] = utcnow,
        batch: int = BATCH,
        schedule: tuple[timedelta, ...] = RETRY_SCHEDULE,
        lease: timedelta = LEASE,
        disable_after: timedelta = DISABLE_AFTER,
    ) -> None:
        self._factory = session_factory
        self._sender = sender
        self._clock = clock
        self._batch = batch
        self._schedule = schedule
        self._lease = lease
        self._disable_after = disable_after

    def run_once(self) -> bool:
        """One round of both steps; True when there was work (call again at once)."""
        if not self.has_work():
            return False
        fanned = self.fan_out()
        sent = self.deliver_due()
        return bool(fanned or sent)

    def has_work(self) -> bool:
        """Whether an event waits for fan-out or a delivery is due: a read, so an idle worker polling
        several times a second never takes SQLite's write lock from the requests."""
        now = self._clock()
        with self._factory() as session:
            waiting = session.execute(
                select(OutboxEvent.id).where(OutboxEvent.fanned_out_at.is_(None)).limit(1)
            ).first()
            due = (
                waiting
                or session.execute(
                    select(WebhookDelivery.id)
                    .where(
                        WebhookDelivery.state == DeliveryState.PENDING, WebhookDelivery.next_attempt_at <= now
                    )
                    .limit(1)
                ).first()
            )
            return due is not None

    def fan_out(self) -> int:
        """One delivery per (event, subscription that wants it and may see it); the events marked."""
        now = self._clock()
        with self._factory() as session, session.begin():
            begin_write(session)
            events = list(
                session.execute(
                    select(OutboxEvent)
                    .where(OutboxEvent.fanned_out_at.is_(None))
                    .order_by(OutboxEvent.id)
                    .limit(self._batch)
                    .with_for_update(skip_locked=True)
                ).scalars()
            )
            if not events:
                return 0
            subscriptions = list(
                session.execute(
                    select(WebhookSubscription).where(
                        WebhookSubscription.enabled.is_(True), WebhookSubscription.deleted_at.is_(None)
                    )
                ).scalars()
            )
            rows = [
                {"subscription_id": s.id, "event_id": e.id, "state": DeliveryState.PENDING,
                 "attempts": 0, "next_attempt_at": now, "created_at": now}
                for e in events
                for s in subscriptions
                # a subscription hears of events that happened after it was made
                if e.type in s.event_types and s.created_at <= e.occurred_at and subscriber_sees(s, e)
            ]  # fmt: skip
            if rows:
                session.execute(insert(WebhookDelivery), rows)
            session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id.in_([e.id for e in events]))
                .values(fanned_out_at=now)
            )
            return len(events)

    def _claim(self, now: datetime) -> list[Outgoing]:
        with self._factory() as session, session.begin():
            begin_write(session)
            rows = session.execute(
                select(
                    WebhookDelivery.id,
                    WebhookDelivery.event_id,
                    WebhookSubscription.id,
                    WebhookSubscription.url,
                    WebhookSubscription.secret,
                    OutboxEvent.type,
                    OutboxEvent.occurred_at,
                    OutboxEvent.data,
                )
                .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
                .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
                .where(
                    WebhookDelivery.state == DeliveryState.PENDING,
                    WebhookDelivery.next_attempt_at <= now,
                    WebhookSubscription.enabled.is_(True),
                )
                .order_by(WebhookDelivery.next_attempt_at)
                .limit(self._batch)
                .with_for_update(skip_locked=True, of=WebhookDelivery)
            ).all()
            if not rows:
                return []
            session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_([r[0] for r in rows]))
                .values(next_attempt_at=now + self._lease, attempts=WebhookDelivery.attempts + 1)
            )
        return [
            Outgoing(
                delivery_id=delivery_id,
                subscription_id=subscription_id,
                url=url,
                secret=secret,
                message_id=message_id(event_id),
                body=event_body(event_type, occurred_at, data),
            )
            for delivery_id, event_id, subscription_id, url, secret, event_type, occurred_at, data in rows
        ]

    def deliver_due(self) -> int:
        """Send every delivery due now (one batch); record each attempt and what follows from it."""
        now = self._clock()
        batch = self._claim(now)
        if not batch:
            return 0
        outcomes = self._sender.send(batch)
        self._record(batch, outcomes)
        return len(batch)

    def _record(self, batch: list[Outgoing], outcomes: list[Outcome]) -> None:
        now = self._clock()
        subscription_of = {item.delivery_id: item.subscription_id for item in batch}
        with self._factory() as session, session.begin():
            begin_write(session)
            attempts = dict(
                session.execute(
                    select(WebhookDelivery.id, WebhookDelivery.attempts).where(
                        WebhookDelivery.id.in_(list(subscription_of))
                    )
                ).all()
            )
            session.execute(
                insert(WebhookAttempt),
                [
                    {"delivery_id": o.delivery_id, "attempted_at": now, "status_code": o.status_code,
                     "error": o.error, "duration_ms": o.duration_ms}
                    for o in outcomes
                ],
            )  # fmt: skip
            changes: list[dict[str, Any]] = []
            succeeded: set[int] = set()
            failed: set[int] = set()
            for outcome in outcomes:
                change: dict[str, Any] = {
                    "id": outcome.delivery_id,
                    "last_status": outcome.status_code,
                    "last_error": outcome.error,
                }
                if outcome.ok:
                    change |= {"state": DeliveryState.SUCCEEDED, "delivered_at": now}
                    succeeded.add(subscription_of[outcome.delivery_id])
                else:
                    done = attempts.get(outcome.delivery_id, 1)
                    if done > len(self._schedule):
                        change |= {"state": DeliveryState.FAILED}
                    else:
                        change |= {"next_attempt_at": now + self._schedule[done - 1]}
                    failed.add(subscription_of[outcome.delivery_id])
                changes.append(change)
            session.execute(update(WebhookDelivery), changes)
            self._update_health(session, now, succeeded=succeeded, failed=failed - succeeded)

    def _update_health(
        self, session: Session, now: datetime, *, succeeded: set[int], failed: set[int]
    ) -> None:
        if succeeded:
            session.execute(
                update(WebhookSubscription)
                .where(WebhookSubscription.id.in_(succeeded), WebhookSubscription.failing_since.is_not(None))
                .values(failing_since=None)
            )
        if not failed:
            return
        session.execute(
            update(WebhookSubscription)
            .where(WebhookSubscription.id.in_(failed), WebhookSubscription.failing_since.is_(None))
            .values(failing_since=now)
        )
        dying = session.execute(
            select(WebhookSubscription).where(
                WebhookSubscription.id.in_(failed),
                WebhookSubscription.enabled.is_(True),
                WebhookSubscription.failing_since <= now - self._disable_after,
            )
        ).scalars()
        for subscription in dying:
            self._disable(session, subscription, now)

    def _disable(self, session: Session, subscription: WebhookSubscription, now: datetime) -> None:
        since = subscription.failing_since
        subscription.enabled = False
        subscription.disabled_reason = (
            f"自 {since:%Y-%m-%d %H:%M} UTC 起投递持续失败，已停用 / "
            f"every delivery failed since {since:%Y-%m-%d %H:%M} UTC: disabled"
        )
        counts: defaultdict[str, int] = defaultdict(int)
        pending = session.execute(
            select(WebhookDelivery.state).where(WebhookDelivery.subscription_id == subscription.id)
        ).scalars()
        for state in pending:
            counts[state.value] += 1
        emit_event(
            session,
            type="webhook.disabled",
            organization_id=subscription.organization_id,
            region_code=subscription.region_code,
            data={
                "webhook_id": subscription.id,
                "webhook": f"/v1/webhooks/{subscription.id}",
                "url": subscription.url,
                "failing_since": since,
                "reason": subscription.disabled_reason,
                "deliveries": dict(counts),
            },
        )
