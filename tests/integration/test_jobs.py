"""The job engine on the test database: a job is stored with its caller's transaction, run once,
its failure kept with the error, retried only where its kind allows, and recovered when its worker
died."""

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, update
from sqlalchemy.orm import Session

from procurement.errors import InvalidInput, NotFound
from procurement.jobs import registry
from procurement.jobs.models import Job, JobState
from procurement.jobs.services import (
    actor_params,
    enqueue_job,
    get_job,
    run_job,
    sweep,
)
from procurement.organizations.models import Role
from procurement.orm import utcnow
from procurement.scope import Actor
from rules.vocabulary import OrganizationKind
from tests import factories

Factory = Callable[[], Session]


@pytest.fixture
def factory(connection: Connection) -> Factory:
    """Sessions as a worker has them: each its own transaction (here a savepoint of the test's)."""
    return lambda: Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def actor(session: Session) -> Actor:
    org = factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="650100")
    return Actor(api_key_id=1, organization_id=org.id, role=Role.PLATFORM, region_code="650100")


CALLS: list[dict[str, Any]] = []


@registry.job_kind("test.counting", max_attempts=3)
def counting(ctx: registry.JobContext, params: dict[str, Any]) -> dict[str, Any]:
    CALLS.append({"attempt": ctx.attempt, **params})
    if ctx.attempt < params.get("fail_until", 0):
        raise RuntimeError(f"attempt {ctx.attempt} broke")
    ctx.progress(3, 3)
    return {"seen": params["n"]}


@registry.job_kind("test.once")
def once(ctx: registry.JobContext, params: dict[str, Any]) -> None:
    raise ValueError("the input was bad")


@pytest.fixture(autouse=True)
def _calls() -> Iterator[None]:
    CALLS.clear()
    yield
    CALLS.clear()


def _enqueue(factory: Factory, actor: Actor, kind: str, **params: Any) -> int:
    with factory() as session, session.begin():
        return enqueue_job(session, kind=kind, params=params, actor=actor).id


def test_a_job_runs_once_and_keeps_its_result_and_progress(factory: Factory, actor: Actor) -> None:
    job_id = _enqueue(factory, actor, "test.counting", n=7)
    assert run_job(factory, job_id) is JobState.SUCCEEDED
    assert run_job(factory, job_id) is None  # a repeated message finds it taken
    with factory() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert (job.state, job.result, job.progress_done, job.progress_total) == (
            JobState.SUCCEEDED,
            {"seen": 7},
            3,
            3,
        )
        assert job.attempts == 1 and job.finished_at is not None and job.error is None
    assert len(CALLS) == 1


def test_a_failure_is_kept_and_retried_while_attempts_remain(factory: Factory, actor: Actor) -> None:
    job_id = _enqueue(factory, actor, "test.counting", n=1, fail_until=3)
    assert run_job(factory, job_id) is JobState.QUEUED
    with factory() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.error is not None and "attempt 1 broke" in job.error
    assert run_job(factory, job_id) is JobState.QUEUED
    assert run_job(factory, job_id) is JobState.SUCCEEDED
    assert [c["attempt"] for c in CALLS] == [1, 2, 3]


def test_a_job_that_may_not_be_retried_fails_with_its_error(factory: Factory, actor: Actor) -> None:
    job_id = _enqueue(factory, actor, "test.once")
    assert run_job(factory, job_id) is JobState.FAILED
    with factory() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.error is not None
        assert job.error.startswith("ValueError: the input was bad")
        assert job.finished_at is not None


def test_an_unknown_kind_is_refused_before_anything_is_stored(session: Session, actor: Actor) -> None:
    with pytest.raises(InvalidInput) as err:
        enqueue_job(session, kind="no.such.kind", params={}, actor=actor)
    assert "kind" in err.value.errors


def test_a_rolled_back_job_does_not_exist(factory: Factory, actor: Actor) -> None:
    with factory() as session:
        session.begin()
        job_id = enqueue_job(session, kind="test.counting", params={"n": 1}, actor=actor).id
        session.rollback()
        assert session.get(Job, job_id) is None


def test_the_sweeper_redispatches_lost_jobs_and_recovers_dead_workers(factory: Factory, actor: Actor) -> None:
    lost = _enqueue(factory, actor, "test.counting", n=1)
    dead = _enqueue(factory, actor, "test.counting", n=2)
    dead_once = _enqueue(factory, actor, "test.once")
    hour_ago = utcnow() - timedelta(hours=1)
    with factory() as session, session.begin():
        session.execute(update(Job).where(Job.id == lost).values(created_at=hour_ago))
        session.execute(
            update(Job)
            .where(Job.id.in_([dead, dead_once]))
            .values(state=JobState.RUNNING, attempts=1, heartbeat_at=hour_ago)
        )
    now = utcnow()
    ids = sweep(factory, queued_before=now - timedelta(minutes=1), stale_before=now - timedelta(minutes=5))
    assert set(ids) == {lost, dead}
    # dispatched now: not again until the interval passes, even if the queue holds them a while
    again = sweep(factory, queued_before=now - timedelta(minutes=1), stale_before=now - timedelta(minutes=5))
    assert again == []
    with factory() as session:
        failed = session.get(Job, dead_once)
        assert failed is not None and failed.state is JobState.FAILED
        assert failed.error is not None and "worker" in failed.error
    assert run_job(factory, dead) is JobState.SUCCEEDED


def test_a_job_is_seen_by_its_organization_and_its_region_only(session: Session, actor: Actor) -> None:
    job = enqueue_job(session, kind="test.counting", params=actor_params(actor), actor=actor)
    assert get_job(session, actor, job.id) is job
    auditor = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000")
    above = Actor(api_key_id=2, organization_id=auditor.id, role=Role.AUDITOR, region_code="650000")
    assert get_job(session, above, job.id) is job
    elsewhere = factories.OrganizationFactory(region_code="650200")
    other = Actor(api_key_id=3, organization_id=elsewhere.id, role=Role.PLATFORM, region_code="650200")
    with pytest.raises(NotFound):
        get_job(session, other, job.id)
