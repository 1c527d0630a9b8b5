"""Findings have identity: the same audit run twice keeps one finding per thing found, a dismissed
finding stays dismissed unless its evidence changes materially, a cleared condition resolves its
finding, and every transition is returned with the finding."""

from datetime import date, timedelta
from typing import Any

import pytest
from falcon import testing
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from procurement.events.models import OutboxEvent
from procurement.findings.models import StoredFinding
from procurement.organizations.models import Organization, Role
from rules.vocabulary import EventKind, OrganizationKind
from tests import factories
from tests.api.helpers import WorkingClient, headers_for

RUNS = "/v1/audit-runs"
DUE = date(2025, 8, 25) + timedelta(days=30)  # 30 days after acceptance
WHOLE = {"from": "2000-01-01", "to": "2030-12-31", "as_of": (DUE + timedelta(days=10)).isoformat()}


@pytest.fixture
def auditor() -> dict[str, str]:
    finance = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000")
    return headers_for(finance, Role.AUDITOR)


@pytest.fixture
def school() -> Organization:
    return factories.OrganizationFactory(region_code="650102")


def late_contract(school: Organization) -> Any:
    """Accepted 2025-08-25, 100% due 30 days later, unpaid: one payment.overdue finding."""
    supplier = factories.SupplierFactory(owner=school)
    contract = factories.ContractFactory(purchaser=school, supplier_id=supplier.id)
    factories.EventFactory(contract=contract, kind=EventKind.DELIVERED, occurred_on=date(2025, 8, 20))
    factories.EventFactory(contract=contract, kind=EventKind.ACCEPTED, occurred_on=date(2025, 8, 25))
    return contract


@pytest.fixture
def client(client: testing.TestClient, connection: Connection) -> testing.TestClient:
    """The usual client; the audit run a request enqueues runs before it returns (the worker's part)."""
    return WorkingClient(client.app, connection)


def run(client: testing.TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    result = client.simulate_post(RUNS, json={**WHOLE, **body}, headers=headers)
    assert result.status_code in (201, 202), result.text
    done: dict[str, Any] = client.simulate_get(result.headers["location"], headers=headers).json
    assert done["state"] == "completed", done
    return done


def overdue(client: testing.TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    items = client.simulate_get("/v1/findings?rule_id=payment.overdue", headers=headers).json["items"]
    return list(items)


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(StoredFinding)) or 0)


class TestRerun:
    def test_the_same_run_twice_keeps_the_number_of_findings_and_their_ids(
        self, client: testing.TestClient, auditor: dict[str, str], school: Organization, session: Session
    ) -> None:
        late_contract(school)
        late_contract(school)
        first = run(client, auditor)
        before = {f["key"]: f["id"] for f in overdue(client, auditor)}
        assert len(before) == 2
        n = count(session)
        second = run(client, auditor, as_of=(DUE + timedelta(days=20)).isoformat())
        assert count(session) == n
        again = overdue(client, auditor)
        assert {f["key"]: f["id"] for f in again} == before
        assert all(f["source_id"] == second["id"] and f["first_source_id"] == first["id"] for f in again)
        assert {f["evidence"]["days_late"] for f in again} == {20}  # evidence refreshed
        assert second["summary"]["written"] == {
            "opened": 0,
            "reopened": 0,
            "refreshed": first["summary"]["written"]["opened"],
            "resolved_as_cleared": 0,
        }

    def test_a_dismissed_finding_stays_dismissed_when_found_again(
        self, client: testing.TestClient, auditor: dict[str, str], school: Organization
    ) -> None:
        late_contract(school)
        run(client, auditor)
        [finding] = overdue(client, auditor)
        path = f"/v1/findings/{finding['id']}"
        dismissed = client.simulate_patch(
            path, json={"status": "dismissed", "reason": "验收日期录入有误"}, headers=auditor
        )
        assert dismissed.status_code == 200, dismissed.text
        run(client, auditor, as_of=(DUE + timedelta(days=40)).isoformat())  # later: more days late
        after = client.simulate_get(path, headers=auditor).json
        assert after["status"] == "dismissed"
        assert after["status_reason"] == "验收日期录入有误"
        assert [(h["from"], h["to"]) for h in after["history"]] == [(None, "open"), ("open", "dismissed")]
        assert after["history"][1]["reason"] == "验收日期录入有误"
        assert after["history"][1]["by"].startswith("key:")

    def test_a_dismissed_finding_reopens_when_its_evidence_changes_materially(
        self, client: testing.TestClient, auditor: dict[str, str], school: Organization, session: Session
    ) -> None:
        contract = late_contract(school)
        run(client, auditor)
        [finding] = overdue(client, auditor)
        path = f"/v1/findings/{finding['id']}"
        client.simulate_patch(path, json={"status": "dismissed", "reason": "已口头约定延期"}, headers=auditor)
        contract.amount = contract.amount * 2  # the amount owed is not what was dismissed
        session.flush()
        run(client, auditor)
        after = client.simulate_get(path, headers=auditor).json
        assert after["status"] == "open"
        assert "amount" in after["status_reason"]
        assert after["history"][-1]["from"] == "dismissed"
        assert after["history"][-1]["by"].startswith("audit_run:")

    def test_a_finding_whose_condition_cleared_is_resolved_and_reopens_if_it_comes_back(
        self, client: testing.TestClient, auditor: dict[str, str], school: Organization
    ) -> None:
        contract = late_contract(school)
        run(client, auditor)
        [finding] = overdue(client, auditor)
        path = f"/v1/findings/{finding['id']}"
        # looked at again on the due date: nothing is late (the condition no longer holds)
        cleared = run(client, auditor, as_of=DUE.isoformat())
        assert cleared["summary"]["written"]["resolved_as_cleared"] == 1
        resolved = client.simulate_get(path, headers=auditor).json
        assert resolved["status"] == "resolved"
        assert "condition cleared" in resolved["status_reason"]
        assert resolved["history"][-1]["from"] == "open"
        reopened = run(client, auditor)
        assert reopened["summary"]["written"]["reopened"] == 1
        back = client.simulate_get(path, headers=auditor).json
        assert back["status"] == "open"
        assert [h["to"] for h in back["history"]] == ["open", "resolved", "open"]
        assert back["contract_id"] == contract.id

    def test_a_finding_resolved_by_a_person_stays_resolved_when_found_again_unchanged(
        self, client: testing.TestClient, school: Organization, auditor: dict[str, str]
    ) -> None:
        late_contract(school)
        run(client, auditor)
        [finding] = overdue(client, auditor)
        path = f"/v1/findings/{finding['id']}"
        officer = headers_for(school)
        client.simulate_patch(path, json={"status": "acknowledged"}, headers=officer)
        client.simulate_patch(path, json={"status": "resolved", "reason": "已付清并付息"}, headers=officer)
        run(client, auditor)
        assert client.simulate_get(path, headers=auditor).json["status"] == "resolved"


class TestDocumentAudits:
    def test_the_same_document_audited_twice_keeps_its_findings(
        self, client: testing.TestClient, school: Organization, session: Session
    ) -> None:
        headers = headers_for(school)
        body = {"filename": "招标文件.txt", "text": "投标人须成立3年以上。\n投标人注册资本不低于500万元。"}
        first = client.simulate_post("/v1/audits/documents", json=body, headers=headers)
        assert first.status_code == 201, first.text
        ids = sorted(f["id"] for f in first.json["findings"])
        assert ids
        n = count(session)
        second = client.simulate_post("/v1/audits/documents", json=body, headers=headers)
        assert sorted(f["id"] for f in second.json["findings"]) == ids
        assert count(session) == n
        # the same bytes under another file name: the same document
        renamed = client.simulate_post(
            "/v1/audits/documents", json={**body, "filename": "副本.txt"}, headers=headers
        )
        assert sorted(f["id"] for f in renamed.json["findings"]) == ids
        assert count(session) == n

    def test_two_files_of_the_same_name_are_two_documents(
        self, client: testing.TestClient, school: Organization, session: Session
    ) -> None:
        """Keyed by content, not by name: the second 招标文件.txt neither takes over the first one's
        findings nor resolves them as cleared."""
        headers = headers_for(school)
        body = {"filename": "招标文件.txt", "text": "投标人须成立3年以上。\n投标人注册资本不低于500万元。"}
        first = client.simulate_post("/v1/audits/documents", json=body, headers=headers)
        other = client.simulate_post(
            "/v1/audits/documents", json={**body, "text": "投标人须成立3年以上。"}, headers=headers
        )
        assert first.status_code == other.status_code == 201, other.text
        ids = {f["id"] for f in first.json["findings"]}
        assert ids and not ids & {f["id"] for f in other.json["findings"]}
        for finding_id in ids:
            assert client.simulate_get(f"/v1/findings/{finding_id}", headers=headers).json["status"] == "open"


def test_findings_are_listed_by_legal_force(
    client: testing.TestClient, auditor: dict[str, str], school: Organization
) -> None:
    late_contract(school)
    run(client, auditor)
    listed = {
        force: client.simulate_get(f"/v1/findings?legal_force={force}", headers=auditor).json["items"]
        for force in ("mandatory", "encouraged")
    }
    assert "payment.overdue" in {f["rule_id"] for f in listed["mandatory"]}
    assert all(f["legal_force"] == "mandatory" for f in listed["mandatory"])
    assert all(f["legal_force"] == "encouraged" for f in listed["encouraged"])
    assert client.simulate_get("/v1/findings?legal_force=binding", headers=auditor).status_code == 422


def test_openings_changes_and_the_completed_run_are_written_to_the_outbox(
    client: testing.TestClient, auditor: dict[str, str], school: Organization, session: Session
) -> None:
    late_contract(school)
    first = run(client, auditor)
    [finding] = overdue(client, auditor)
    client.simulate_patch(
        f"/v1/findings/{finding['id']}", json={"status": "dismissed", "reason": "重复登记"}, headers=auditor
    )
    run(client, auditor)

    def events(kind: str) -> list[dict[str, Any]]:
        rows = session.execute(select(OutboxEvent).where(OutboxEvent.type == kind).order_by(OutboxEvent.id))
        return [e.data for e in rows.scalars()]

    opened = [e for e in events("finding.opened") if e["finding_id"] == finding["id"]]
    assert len(opened) == 1 and opened[0]["rule_id"] == "payment.overdue"  # not again on the re-run
    changed = [e for e in events("finding.status_changed") if e["finding_id"] == finding["id"]]
    assert [(e["from"], e["to"], e["reason"]) for e in changed] == [("open", "dismissed", "重复登记")]
    completed = [e["audit_run_id"] for e in events("audit_run.completed")]
    assert first["id"] in completed and len(completed) == 2


def test_two_different_requirement_lists_do_not_resolve_each_others_findings(
    client: testing.TestClient, school: Organization
) -> None:
    headers = headers_for(school)
    first = client.simulate_post(
        "/v1/audits/documents",
        json={"requirements": [{"kind": "qualification", "text": "投标人须成立3年以上"}]},
        headers=headers,
    )
    other = client.simulate_post(
        "/v1/audits/documents",
        json={"requirements": [{"kind": "qualification", "text": "投标人注册资本不低于500万元"}]},
        headers=headers,
    )
    assert first.status_code == other.status_code == 201
    [kept] = first.json["findings"]
    assert client.simulate_get(f"/v1/findings/{kept['id']}", headers=headers).json["status"] == "open"
    assert other.json["findings"][0]["id"] != kept["id"]
