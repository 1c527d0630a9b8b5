"""Webhook delivery against a real receiver on 127.0.0.1: signed per Standard Webhooks, at least
once, retried with backoff, logged per attempt, redelivered on request, and a subscription that
fails for a day disabled with an event saying so. Time is a fake clock; HTTP is real."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from procurement.events.models import OutboxEvent
from procurement.events.services import emit_event
from procurement.organizations.models import Organization, Role
from procurement.scope import Actor
from procurement.webhooks import services
from procurement.webhooks.delivery import RETRY_SCHEDULE, Dispatcher
from procurement.webhooks.models import DeliveryState, WebhookDelivery, WebhookSubscription
from procurement.webhooks.sender import HttpSender
from rules.vocabulary import OrganizationKind
from tests import factories
from tests.support.receiver import Behaviour, Receiver, running_receiver

Factory = Callable[[], Session]


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def factory(connection: Connection) -> Factory:
    return lambda: Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture
def sender() -> Iterator[HttpSender]:
    sender = HttpSender(concurrency=4, allow_private=True, timeout_seconds=0.5)
    yield sender
    sender.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dispatcher(factory: Factory, sender: HttpSender, clock: Clock) -> Dispatcher:
    return Dispatcher(factory, sender, clock=clock)


@pytest.fixture
def platform(session: Session) -> Organization:
    return factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="650000")


def _actor(org: Organization, role: Role = Role.PLATFORM) -> Actor:
    return Actor(api_key_id=1, organization_id=org.id, role=role, region_code=org.region_code)


def subscribe(
    factory: Factory, receiver: Receiver, org: Organization, types: list[str], role: Role = Role.PLATFORM
) -> WebhookSubscription:
    with factory() as session, session.begin():
        subscription = services.create_subscription(
            session, _actor(org, role), url=receiver.url, event_types=types, allow_private=True
        )
    receiver.secrets.append(subscription.secret)
    return subscription


def emit(factory: Factory, type: str, org_id: int, region: str, **data: object) -> OutboxEvent:
    with factory() as session, session.begin():
        return emit_event(session, type=type, organization_id=org_id, region_code=region, data=data)


def deliveries(factory: Factory) -> list[WebhookDelivery]:
    with factory() as session:
        return list(session.execute(select(WebhookDelivery).order_by(WebhookDelivery.id)).scalars())


def test_a_committed_event_is_delivered_signed_and_logged(
    factory: Factory, receiver: Receiver, dispatcher: Dispatcher, platform: Organization
) -> None:
    subscription = subscribe(factory, receiver, platform, ["contract.terms_applied"])
    purchaser = factories.OrganizationFactory(region_code="650102")
    event = emit(factory, "contract.terms_applied", purchaser.id, "650102", contract_id=7)

    assert dispatcher.run_once()

    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.verified  # standardwebhooks' Webhook(secret).verify accepted it
    assert got.webhook_id == f"msg_{event.id}"
    assert got.payload["type"] == "contract.terms_applied"
    assert got.payload["data"] == {"contract_id": 7}
    with factory() as session:
        log = services.delivery_log(session, deliveries(factory))
    assert log[0]["state"] == "succeeded" and log[0]["attempts"] == 1
    assert [a["status_code"] for a in log[0]["log"]] == [204]
    assert subscription.id == deliveries(factory)[0].subscription_id


def test_only_subscribed_types_and_visible_organizations_are_sent(
    factory: Factory, receiver: Receiver, dispatcher: Dispatcher, platform: Organization
) -> None:
    subscribe(factory, receiver, platform, ["finding.opened"])
    inside = factories.OrganizationFactory(region_code="650102")
    outside = factories.OrganizationFactory(region_code="110101")
    emit(factory, "finding.opened", inside.id, "650102", finding_id=1)
    emit(factory, "finding.opened", outside.id, "110101", finding_id=2)  # another province
    emit(factory, "import.completed", inside.id, "650102", import_id=3)  # not subscribed
    dispatcher.run_once()
    assert [r.payload["data"] for r in receiver.received] == [{"finding_id": 1}]


def test_a_subscription_hears_only_of_events_after_it_was_made(
    factory: Factory, receiver: Receiver, dispatcher: Dispatcher, platform: Organization, clock: Clock
) -> None:
    emit(factory, "import.completed", platform.id, "650000", import_id=1)
    subscribe(factory, receiver, platform, ["import.completed"])
    dispatcher.run_once()
    assert receiver.received == []


@pytest.mark.parametrize(
    "behaviour", [Behaviour(status=500), Behaviour(hang_up=True), Behaviour(delay_seconds=1.0)]
)
def test_a_failing_receiver_is_retried_after_the_backoff_and_every_attempt_logged(
    factory: Factory,
    receiver: Receiver,
    dispatcher: Dispatcher,
    platform: Organization,
    clock: Clock,
    behaviour: Behaviour,
) -> None:
    subscribe(factory, receiver, platform, ["import.completed"])
    event = emit(factory, "import.completed", platform.id, "650000", import_id=1)
    receiver.behaviour = behaviour
    dispatcher.run_once()
    (delivery,) = deliveries(factory)
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 1)
    assert delivery.last_error

    clock.advance(RETRY_SCHEDULE[0] - timedelta(seconds=1))
    assert not dispatcher.deliver_due()  # not yet due
    receiver.behaviour = Behaviour()
    clock.advance(timedelta(seconds=1))
    assert dispatcher.deliver_due() == 1

    (delivery,) = deliveries(factory)
    assert (delivery.state, delivery.attempts) == (DeliveryState.SUCCEEDED, 2)
    with factory() as session:
        (log,) = services.delivery_log(session, [delivery])
    assert len(log["log"]) == 2 and log["log"][1]["status_code"] == 204
    assert log["log"][0]["error"]
    assert receiver.ids()[-1] == f"msg_{event.id}"


def test_a_worker_killed_mid_delivery_leaves_it_to_be_sent_again_after_the_lease(
    factory: Factory, receiver: Receiver, sender: HttpSender, platform: Organization, clock: Clock
) -> None:
    subscribe(factory, receiver, platform, ["import.completed"])
    event = emit(factory, "import.completed", platform.id, "650000", import_id=1)
    dying = Dispatcher(factory, sender, clock=clock)
    dying.fan_out()
    claimed = dying._claim(clock())  # claimed, then the worker dies before sending or recording
    assert len(claimed) == 1

    survivor = Dispatcher(factory, sender, clock=clock)
    assert survivor.deliver_due() == 0  # leased to the dead worker
    clock.advance(timedelta(seconds=61))
    assert survivor.deliver_due() == 1
    assert receiver.ids() == [f"msg_{event.id}"]
    (delivery,) = deliveries(factory)
    assert (delivery.state, delivery.attempts) == (DeliveryState.SUCCEEDED, 2)


def test_after_a_day_of_failures_the_subscription_is_disabled_with_an_event(
    factory: Factory, receiver: Receiver, dispatcher: Dispatcher, platform: Organization, clock: Clock
) -> None:
    broken = subscribe(factory, receiver, platform, ["import.completed"])
    with running_receiver() as watcher:
        subscribe(factory, watcher, platform, ["webhook.disabled"])
        receiver.behaviour = Behaviour(status=503)
        emit(factory, "import.completed", platform.id, "650000", import_id=1)
        dispatcher.run_once()
        for wait in RETRY_SCHEDULE:
            clock.advance(wait)
            dispatcher.run_once()
        dispatcher.run_once()  # the webhook.disabled event goes out

        with factory() as session:
            stored = session.get(WebhookSubscription, broken.id)
            assert stored is not None and not stored.enabled
            assert stored.disabled_reason and "disabled" in stored.disabled_reason
        (failed, notice) = deliveries(factory)
        assert (failed.state, failed.attempts) == (DeliveryState.FAILED, len(RETRY_SCHEDULE) + 1)
        assert [r.payload["type"] for r in watcher.received] == ["webhook.disabled"]
        assert watcher.received[0].payload["data"]["webhook_id"] == broken.id
        assert notice.state is DeliveryState.SUCCEEDED

        # the 8 failed attempts reached it; nothing more goes to a disabled subscription
        assert len(receiver.received) == len(RETRY_SCHEDULE) + 1
        emit(factory, "import.completed", platform.id, "650000", import_id=2)
        dispatcher.run_once()
        assert len(receiver.received) == len(RETRY_SCHEDULE) + 1


def test_redelivery_sends_again_with_the_same_webhook_id(
    factory: Factory, receiver: Receiver, dispatcher: Dispatcher, platform: Organization, clock: Clock
) -> None:
    subscription = subscribe(factory, receiver, platform, ["import.completed"])
    event = emit(factory, "import.completed", platform.id, "650000", import_id=1)
    dispatcher.run_once()
    (delivery,) = deliveries(factory)
    with factory() as session, session.begin():
        again = services.redeliver(session, _actor(platform), subscription.id, delivery.id)
        assert again.state is DeliveryState.PENDING
    clock.advance(timedelta(seconds=5))  # redelivery is due at the wall-clock now
    dispatcher.run_once()
    assert receiver.ids() == [f"msg_{event.id}", f"msg_{event.id}"]


def test_an_officer_subscription_hears_of_its_own_organization_only(
    factory: Factory, receiver: Receiver, dispatcher: Dispatcher, session: Session
) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    neighbour = factories.OrganizationFactory(region_code="650102")
    subscribe(factory, receiver, school, ["finding.opened"], role=Role.OFFICER)
    emit(factory, "finding.opened", neighbour.id, "650102", finding_id=1)
    emit(factory, "finding.opened", school.id, "650102", finding_id=2)
    dispatcher.run_once()
    assert [r.payload["data"]["finding_id"] for r in receiver.received] == [2]
