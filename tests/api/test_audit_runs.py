"""/v1/audit-runs: findings with evidence and citations stored as audit-run findings, the summary
(counts and coverage, equal to the batch audit's), who may audit what, and reading a run back."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from falcon import testing
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from procurement.batch_audit import audit_file
from procurement.finance.audit_runs import start_audit_run
from procurement.finance.models import AuditRunState
from procurement.finance.obligations import refresh_obligations
from procurement.jobs.models import Job, JobState
from procurement.organizations.models import Organization, Role
from procurement.scope import Actor
from rules.vocabulary import EventKind, OrganizationKind
from tests import factories
from tests.api.helpers import WorkingClient, headers_for
from tests.api.ocds_data import NDJSON, as_lines, corpus

AS_OF = date(2026, 12, 31)
RUNS = "/v1/audit-runs"
WHOLE = {"from": "2000-01-01", "to": "2030-12-31", "as_of": AS_OF.isoformat()}


@pytest.fixture
def platform() -> Organization:
    return factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="650000")


@pytest.fixture
def auditor() -> dict[str, str]:
    finance = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000")
    return headers_for(finance, Role.AUDITOR)


@pytest.fixture
def client(client: testing.TestClient, connection: Connection) -> testing.TestClient:
    """The usual client; the audit run a request enqueues runs before it returns (the worker's part)."""
    return WorkingClient(client.app, connection)


def run(client: testing.TestClient, headers: dict[str, str], **body: Any) -> testing.Result:
    """Start a run (202) and read it back once done (the test client runs it after the response)."""
    started = client.simulate_post(RUNS, json={**WHOLE, **body}, headers=headers)
    if started.status_code != 202:
        return started
    return client.simulate_get(started.headers["location"], headers=headers)


def late_contract(school: Organization) -> Any:
    """Signed 2025-08-01, delivered 08-20, accepted 08-25, 100% due 30 days after acceptance, unpaid."""
    supplier = factories.SupplierFactory(owner=school)
    contract = factories.ContractFactory(purchaser=school, supplier_id=supplier.id)
    factories.EventFactory(contract=contract, kind=EventKind.DELIVERED, occurred_on=date(2025, 8, 20))
    factories.EventFactory(contract=contract, kind=EventKind.ACCEPTED, occurred_on=date(2025, 8, 25))
    return contract


class TestFindings:
    def test_an_unpaid_contract_gives_an_overdue_finding_with_evidence(
        self, client: testing.TestClient, auditor: dict[str, str]
    ) -> None:
        school = factories.OrganizationFactory(region_code="650102")
        contract = late_contract(school)
        due = date(2025, 8, 25) + timedelta(days=30)
        result = run(client, auditor, as_of=(due + timedelta(days=1)).isoformat())
        assert result.status_code == 200, result.text
        summary = result.json["summary"]
        assert summary["contracts"] == 1
        assert summary["findings"]["payment.overdue"] == 1
        assert summary["coverage"]["payment.overdue"] == {"evaluated": 1}
        assert summary["coverage"]["bond.unreturned"] == {"guarantee_not_cash": 1}
        findings = client.simulate_get(result.json["findings"], headers=auditor).json["items"]
        overdue = [f for f in findings if f["rule_id"] == "payment.overdue"]
        assert len(overdue) == 1
        finding = overdue[0]
        assert finding["source"] == "audit_run"
        assert (finding["source_id"], finding["contract_id"]) == (result.json["id"], contract.id)
        assert finding["organization_id"] == school.id
        assert finding["evidence"]["due_on"] == due.isoformat()
        assert finding["evidence"]["days_late"] == 1
        assert finding["citations"] and finding["citations"][0]["doc_id"]
        assert finding["status"] == "open"

    def test_on_the_due_date_nothing_is_late(
        self, client: testing.TestClient, auditor: dict[str, str]
    ) -> None:
        late_contract(factories.OrganizationFactory(region_code="650102"))
        due = date(2025, 8, 25) + timedelta(days=30)
        result = run(client, auditor, as_of=due.isoformat())
        assert result.json["summary"]["findings"]["payment.overdue"] == 0

    def test_the_summary_equals_the_batch_audit(
        self, client: testing.TestClient, platform: Organization, auditor: dict[str, str], tmp_path: Path
    ) -> None:
        releases = corpus(60)
        imported = client.simulate_post(
            "/v1/imports/ocds",
            body=as_lines(releases),
            headers={**headers_for(platform, Role.PLATFORM), "Content-Type": NDJSON},
        )
        assert imported.json["counts"]["created"] == 60
        path = tmp_path / "c.jsonl"
        path.write_bytes(as_lines(releases))
        batch = audit_file(path, as_of=AS_OF, workers=1)
        summary = run(client, auditor).json["summary"]
        assert summary["contracts"] == 60
        found = {k: v for k, v in summary["findings"].items() if v}
        assert found == dict(batch.findings)
        assert summary["coverage"] == {rule: dict(c) for rule, c in batch.coverage.items() if c}
        assert found["payment.overdue"] > 0


class TestScope:
    def test_an_officer_audits_its_own_organization(self, client: testing.TestClient) -> None:
        school = factories.OrganizationFactory(region_code="650102")
        late_contract(school)
        late_contract(factories.OrganizationFactory(region_code="650102"))  # a neighbour's
        result = run(client, headers_for(school))
        assert result.status_code == 200
        assert result.json["organization_id"] == school.id
        assert result.json["summary"]["contracts"] == 1

    def test_an_officer_may_not_audit_another_organization(self, client: testing.TestClient) -> None:
        school = factories.OrganizationFactory(region_code="650102")
        other = factories.OrganizationFactory(region_code="650102")
        assert run(client, headers_for(school), organization_id=other.id).status_code == 404

    def test_an_auditor_audits_its_region_and_below_only(self, client: testing.TestClient) -> None:
        city = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650100")
        headers = headers_for(city, Role.AUDITOR)
        late_contract(factories.OrganizationFactory(region_code="650102"))
        late_contract(factories.OrganizationFactory(region_code="650202"))
        mine = run(client, headers)
        assert mine.json["summary"]["contracts"] == 1
        assert mine.json["region_code"] == "650100"
        outside = run(client, headers, region_code="650200")
        assert outside.status_code == 404  # a region the caller cannot see, as if it did not exist
        assert "650200" in outside.json["message"]["en"]

    def test_one_purchaser_of_the_region(self, client: testing.TestClient, auditor: dict[str, str]) -> None:
        school = factories.OrganizationFactory(region_code="650102")
        late_contract(school)
        late_contract(factories.OrganizationFactory(region_code="650102"))
        result = run(client, auditor, organization_id=school.id)
        assert result.json["summary"]["contracts"] == 1

    def test_the_signing_period_filters(self, client: testing.TestClient, auditor: dict[str, str]) -> None:
        late_contract(factories.OrganizationFactory(region_code="650102"))  # signed 2025-08-01
        assert run(client, auditor, to="2025-07-31").json["summary"]["contracts"] == 0
        assert run(client, auditor, **{"from": "2025-08-01"}).json["summary"]["contracts"] == 1

    def test_to_before_from_is_422(self, client: testing.TestClient, auditor: dict[str, str]) -> None:
        result = run(client, auditor, **{"from": "2025-02-01", "to": "2025-01-31"})
        assert result.status_code == 422
        assert "to" in result.json["errors"]


class TestReadBack:
    def test_get_returns_the_run_and_hides_it_from_other_regions(
        self, client: testing.TestClient, auditor: dict[str, str]
    ) -> None:
        late_contract(factories.OrganizationFactory(region_code="650102"))
        created = run(client, auditor)
        path = f"{RUNS}/{created.json['id']}"
        assert client.simulate_get(path, headers=auditor).json == created.json
        elsewhere = headers_for(
            factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="660000"),
            Role.AUDITOR,
        )
        assert client.simulate_get(path, headers=elsewhere).status_code == 404

    def test_a_contradictory_contract_is_listed_not_fatal(
        self, client: testing.TestClient, auditor: dict[str, str], session: Session
    ) -> None:
        school = factories.OrganizationFactory(region_code="650102")
        contract = late_contract(school)
        factories.EventFactory(
            contract=contract, kind=EventKind.PAID, occurred_on=date(2025, 9, 1), amount=Decimal("2000000")
        )
        late_contract(school)
        refresh_obligations(session, [contract.id])
        summary = run(client, auditor).json["summary"]
        assert summary["contracts"] == 2
        assert summary["audited"] == 1
        assert summary["errors"][0]["contract_id"] == contract.id
        assert "exceed" in summary["errors"][0]["message"]


class TestInTheBackground:
    def test_the_start_answers_202_at_once_and_the_run_reports_its_progress(
        self, client: testing.TestClient, auditor: dict[str, str]
    ) -> None:
        late_contract(factories.OrganizationFactory(region_code="650102"))
        started = client.simulate_post(RUNS, json=WHOLE, headers=auditor)
        assert started.status_code == 202, started.text
        assert started.json["state"] == "queued"
        assert started.json["summary"] == {}
        done = client.simulate_get(started.headers["location"], headers=auditor).json
        assert done["state"] == "completed"
        assert (done["contracts_done"], done["contracts_total"], done["percent_done"]) == (1, 1, 100.0)
        assert done["started_at"] and done["finished_at"]
        job = client.simulate_get(started.json["job"], headers=auditor).json
        assert job["kind"] == "audit_run" and job["state"] == "succeeded"
        assert (job["progress_done"], job["progress_total"]) == (1, 1)
        assert job["result"]["audit_run"] == started.headers["location"]

    def test_a_second_run_over_the_same_scope_while_one_is_queued_is_409_naming_it(
        self, client: testing.TestClient, session: Session
    ) -> None:
        finance = factories.OrganizationFactory(
            kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000"
        )
        key, _ = factories.api_key(finance, Role.AUDITOR)
        actor = Actor(key.id, finance.id, Role.AUDITOR, finance.region_code)
        queued = start_audit_run(
            session, actor, period_from=date(2025, 1, 1), period_to=date(2025, 12, 31), as_of=AS_OF
        )
        session.flush()
        headers = headers_for(finance, Role.AUDITOR)
        city = run(client, headers, region_code="650100", **{"from": "2025-06-01", "to": "2026-06-30"})
        assert city.status_code == 409, city.text
        assert str(queued.id) in city.json["message"]["en"]
        elsewhere = run(client, headers, **{"from": "2026-01-01", "to": "2026-12-31"})
        assert elsewhere.status_code == 200  # another period: no overlap

    def test_a_run_whose_job_failed_no_longer_blocks_its_scope(
        self, client: testing.TestClient, session: Session
    ) -> None:
        finance = factories.OrganizationFactory(
            kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000"
        )
        key, _ = factories.api_key(finance, Role.AUDITOR)
        actor = Actor(key.id, finance.id, Role.AUDITOR, finance.region_code)
        stuck = start_audit_run(
            session, actor, period_from=date(2025, 1, 1), period_to=date(2025, 12, 31), as_of=AS_OF
        )
        job = Job(
            kind="audit_run",
            params={},
            state=JobState.FAILED,
            error="the worker running this job stopped",
            organization_id=finance.id,
            region_code=finance.region_code,
            created_by=actor.label,
        )
        session.add(job)
        session.flush()
        stuck.state, stuck.job_id = AuditRunState.RUNNING, job.id
        session.flush()
        again = run(client, headers_for(finance, Role.AUDITOR), **{"from": "2025-01-01", "to": "2025-12-31"})
        assert again.status_code == 200, again.text
        session.refresh(stuck)
        assert stuck.state is AuditRunState.FAILED and "worker running this job stopped" in stuck.error
