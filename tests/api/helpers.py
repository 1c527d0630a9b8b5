"""Small helpers for API tests: auth headers and a valid contract body."""

from typing import Any

from falcon import testing
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from procurement.jobs.models import Job, JobState
from procurement.jobs.services import run_job
from procurement.organizations.models import Organization, Role
from tests import factories


def headers_for(organization: Organization, role: Role = Role.OFFICER, **extra: str) -> dict[str, str]:
    _, key = factories.api_key(organization, role)
    return {"Authorization": f"Bearer {key}", **extra}


def contract_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "external_ref": "XJ-2025-0001",
        "category": "goods",
        "amount": "1000000.00",
        "purchaser_type": "public_body",
        "announced_on": "2025-07-01",
        "signed_on": "2025-08-01",
        "status": "signed",
        "acceptance_period_days": 15,
        "payment_terms": [
            {"kind": "final", "percent": "90", "trigger": "acceptance", "days": 60},
            {"kind": "retention", "percent": "10", "trigger": "warranty_end", "days": 30, "held_months": 12},
        ],
        "bonds": [{"kind": "performance", "percent": "10", "forms": ["cash"]}],
    }
    body.update(overrides)
    return body


def work_jobs(connection: Connection) -> list[int]:
    """Run every queued job as the worker would (tests have none); the ids run, in order."""

    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)

    with factory() as session:
        query = select(Job.id).where(Job.state == JobState.QUEUED).order_by(Job.id)
        ids = list(session.execute(query).scalars())
    for job_id in ids:
        run_job(factory, job_id)
    return ids


class WorkingClient(testing.TestClient):
    """A test client after each of whose requests the jobs it enqueued run, as a worker would."""

    def __init__(self, app: Any, connection: Connection) -> None:
        super().__init__(app)
        self._connection = connection

    def simulate_request(self, *args: Any, **kwargs: Any) -> testing.Result:
        result = super().simulate_request(*args, **kwargs)
        work_jobs(self._connection)
        return result
