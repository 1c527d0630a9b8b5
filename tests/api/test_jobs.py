"""GET /v1/jobs/{id}, and an OCDS import above the size limit answered 202 and run as a job."""

from dataclasses import replace

import pytest
from falcon import testing
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from api.app import create_app
from api.middleware import ActorCache
from config.settings import Settings
from procurement.jobs.services import run_job
from procurement.organizations.models import Organization, Role
from rules.vocabulary import OrganizationKind
from tests import factories
from tests.api.helpers import headers_for

NDJSON = "application/x-ndjson"


def _factory(connection: Connection) -> Session:
    return Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def small_jobs_client(settings: Settings, connection: Connection, session: Session) -> testing.TestClient:
    """Imports over 4 bytes go to a job."""
    app = create_app(
        replace(settings, import_job_bytes=4),
        session_factory=lambda: _factory(connection),
        actor_cache=ActorCache(0),
    )
    return testing.TestClient(app)


@pytest.fixture
def platform() -> Organization:
    return factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="650000")


def test_a_large_import_is_a_job_whose_state_and_result_are_read_back(
    small_jobs_client: testing.TestClient, platform: Organization, connection: Connection
) -> None:
    headers = {**headers_for(platform, Role.PLATFORM), "Content-Type": NDJSON}
    result = small_jobs_client.simulate_post("/v1/imports/ocds", body=b"[1, 2]\n", headers=headers)
    assert result.status_code == 202, result.text
    assert result.headers["Location"] == result.json["job"]
    job = small_jobs_client.simulate_get(result.json["job"], headers=headers)
    assert (job.json["state"], job.json["kind"], job.headers["Retry-After"]) == ("queued", "ocds_import", "2")

    job_id = int(result.json["job"].rsplit("/", 1)[1])
    run_job(lambda: _factory(connection), job_id)  # what the worker does with the dispatched id
    done = small_jobs_client.simulate_get(result.json["job"], headers=headers).json
    assert done["state"] == "succeeded"
    assert (done["progress_done"], done["progress_total"]) == (1, 1)
    assert done["result"]["counts"]["rejected"] == 1  # the line that is not a release
    imported = small_jobs_client.simulate_get(done["result"]["import"], headers=headers)
    assert imported.status_code == 200


def test_a_failed_import_job_shows_why(
    small_jobs_client: testing.TestClient, platform: Organization, connection: Connection
) -> None:
    headers = {**headers_for(platform, Role.PLATFORM), "Content-Type": "application/json"}
    result = small_jobs_client.simulate_post("/v1/imports/ocds", body=b"this is not json", headers=headers)
    assert result.status_code == 202
    job_id = int(result.json["job"].rsplit("/", 1)[1])
    run_job(lambda: _factory(connection), job_id)
    failed = small_jobs_client.simulate_get(result.json["job"], headers=headers).json
    assert failed["state"] == "failed"
    assert "not a JSON document" in failed["error"] and "body" in failed["error"]


def test_a_small_import_still_answers_at_once(client: testing.TestClient, platform: Organization) -> None:
    headers = {**headers_for(platform, Role.PLATFORM), "Content-Type": NDJSON}
    assert client.simulate_post("/v1/imports/ocds", body=b"[1, 2]\n", headers=headers).status_code == 201


def test_another_organizations_job_is_not_found(
    small_jobs_client: testing.TestClient, platform: Organization
) -> None:
    headers = {**headers_for(platform, Role.PLATFORM), "Content-Type": NDJSON}
    location = small_jobs_client.simulate_post("/v1/imports/ocds", body=b"[1, 2]\n", headers=headers).json[
        "job"
    ]
    stranger = factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="110000")
    assert (
        small_jobs_client.simulate_get(location, headers=headers_for(stranger, Role.PLATFORM)).status_code
        == 404
    )
    assert small_jobs_client.simulate_get("/v1/jobs/999999", headers=headers).status_code == 404
