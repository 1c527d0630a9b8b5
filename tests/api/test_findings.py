"""/v1/findings: listing in scope with filters and pages, reading, and the status lifecycle by PATCH
(who may do what, reasons, illegal moves, the audit log)."""

from dataclasses import dataclass

import pytest
from falcon import testing
from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auditlog.models import AuditLogEntry
from procurement.auditlog.services import digest
from procurement.documents import scan_requirements
from procurement.findings.models import FindingSource
from procurement.findings.services import store_findings
from procurement.organizations.models import Organization, Role
from tests import factories
from tests.api.helpers import headers_for

REQUIREMENTS = [
    {"kind": "qualification", "text": "投标人注册资本不低于500万元"},
    {"kind": "qualification", "text": "投标人须成立3年以上"},
    {"kind": "scoring", "text": "在本市设有售后服务网点的得3分", "points": "3"},
]


@dataclass
class Audited:
    school: Organization
    headers: dict[str, str]
    audit_id: int
    finding_ids: list[int]


def _audit(client: testing.TestClient, school: Organization) -> Audited:
    headers = headers_for(school)
    result = client.simulate_post(
        "/v1/audits/documents", json={"requirements": REQUIREMENTS}, headers=headers
    )
    assert result.status_code == 201
    return Audited(school, headers, result.json["id"], [f["id"] for f in result.json["findings"]])


@pytest.fixture
def audited(client: testing.TestClient) -> Audited:
    return _audit(client, factories.OrganizationFactory(region_code="650102"))


def _patch(
    client: testing.TestClient, headers: dict[str, str], finding_id: int, **body: str
) -> testing.Result:
    return client.simulate_patch(f"/v1/findings/{finding_id}", json=body, headers=headers)


class TestList:
    def test_an_officer_lists_its_own_findings_only(
        self, client: testing.TestClient, audited: Audited
    ) -> None:
        _audit(client, factories.OrganizationFactory(region_code="650102"))  # a neighbour's
        result = client.simulate_get("/v1/findings", headers=audited.headers)
        assert result.status_code == 200
        assert [f["id"] for f in result.json["items"]] == audited.finding_ids
        assert {f["organization_id"] for f in result.json["items"]} == {audited.school.id}

    def test_a_regional_auditor_lists_every_purchaser_of_its_region(
        self, client: testing.TestClient, audited: Audited
    ) -> None:
        other = _audit(client, factories.OrganizationFactory(region_code="650103"))
        far = _audit(client, factories.OrganizationFactory(region_code="110101"))
        auditor = factories.OrganizationFactory(kind="finance_department", region_code="650100")
        result = client.simulate_get("/v1/findings", headers=headers_for(auditor, Role.AUDITOR))
        ids = {f["id"] for f in result.json["items"]}
        assert ids == set(audited.finding_ids) | set(other.finding_ids)
        assert not ids & set(far.finding_ids)

    def test_filters_by_category_status_source_org_and_rule(
        self, client: testing.TestClient, audited: Audited
    ) -> None:
        admin = headers_for(factories.OrganizationFactory(region_code="110000"), Role.ADMIN)
        _audit(client, factories.OrganizationFactory(region_code="650102"))
        first = audited.finding_ids[0]
        _patch(client, audited.headers, first, status="acknowledged")

        def ids(**params: str) -> list[int]:
            result = client.simulate_get("/v1/findings", params=params, headers=admin)
            assert result.status_code == 200
            return [f["id"] for f in result.json["items"]]

        org = str(audited.school.id)
        assert ids(org=org) == audited.finding_ids
        assert ids(org=org, category="scale.registered_capital") == [first]
        assert ids(org=org, status="acknowledged") == [first]
        assert ids(org=org, status="open") == audited.finding_ids[1:]
        assert ids(org=org, source="document_audit") == audited.finding_ids
        assert ids(org=org, source="audit_run") == []
        assert ids(org=org, rule_id="BAR-SCALE-CAPITAL") == [first]
        assert ids(source_id=str(audited.audit_id)) == audited.finding_ids

    def test_an_unknown_status_in_the_query_is_422(
        self, client: testing.TestClient, audited: Audited
    ) -> None:
        result = client.simulate_get("/v1/findings", params={"status": "closed"}, headers=audited.headers)
        assert result.status_code == 422
        assert "status" in result.json["errors"]

    def test_pages_follow_the_next_link(self, client: testing.TestClient, audited: Audited) -> None:
        first = client.simulate_get("/v1/findings", params={"limit": "2"}, headers=audited.headers)
        assert len(first.json["items"]) == 2
        path, _, query = first.json["next"].partition("?")
        second = client.simulate_get(path, query_string=query, headers=audited.headers)
        assert [f["id"] for f in first.json["items"] + second.json["items"]] == audited.finding_ids
        assert second.json["next"] is None


class TestRead:
    def test_a_finding_carries_its_evidence_citations_and_remedy(
        self, client: testing.TestClient, audited: Audited
    ) -> None:
        result = client.simulate_get(f"/v1/findings/{audited.finding_ids[2]}", headers=audited.headers)
        assert result.status_code == 200
        finding = result.json
        assert finding["source"] == "document_audit" and finding["source_id"] == audited.audit_id
        assert finding["category"] == "locality.presence"
        assert finding["evidence"]["location"] == {"item": 2, "points": "3"}
        assert finding["citations"][0]["title"]
        assert finding["message"]["zh"] and finding["remedy"]["en"]
        assert finding["status"] == "open" and finding["status_changed_at"] is None

    def test_another_tenants_finding_is_404(self, client: testing.TestClient, audited: Audited) -> None:
        neighbour = headers_for(factories.OrganizationFactory(region_code="650102"))
        assert (
            client.simulate_get(f"/v1/findings/{audited.finding_ids[0]}", headers=neighbour).status_code
            == 404
        )
        patched = _patch(client, neighbour, audited.finding_ids[0], status="acknowledged")
        assert patched.status_code == 404


class TestLifecycle:
    def test_open_acknowledged_resolved(self, client: testing.TestClient, audited: Audited) -> None:
        finding = audited.finding_ids[0]
        acknowledged = _patch(client, audited.headers, finding, status="acknowledged")
        assert acknowledged.status_code == 200
        assert acknowledged.json["status"] == "acknowledged"
        assert acknowledged.json["status_changed_by"].startswith("key:")
        assert acknowledged.json["status_changed_at"] is not None
        resolved = _patch(client, audited.headers, finding, status="resolved", reason="已删除该条款")
        assert resolved.status_code == 200
        assert resolved.json["status_reason"] == "已删除该条款"

    @pytest.mark.parametrize(
        ("path", "illegal"),
        [
            ([], "resolved"),  # open cannot skip acknowledgement
            ([], "open"),
            (["acknowledged"], "acknowledged"),
            (["acknowledged"], "open"),
            (["acknowledged", "resolved"], "dismissed"),  # resolved is final
            (["dismissed"], "acknowledged"),  # dismissed is final
        ],
    )
    def test_an_illegal_move_is_422_naming_status_and_changes_nothing(
        self, client: testing.TestClient, audited: Audited, path: list[str], illegal: str
    ) -> None:
        finding = audited.finding_ids[0]
        for status in path:
            assert _patch(client, audited.headers, finding, status=status, reason="误报").status_code == 200
        result = _patch(client, audited.headers, finding, status=illegal, reason="再改")
        assert result.status_code == 422
        assert "status" in result.json["errors"]
        now = client.simulate_get(f"/v1/findings/{finding}", headers=audited.headers).json["status"]
        assert now == (path[-1] if path else "open")

    @pytest.mark.parametrize("reason", [None, "", "   "])
    def test_dismissing_without_a_reason_is_422_naming_reason(
        self, client: testing.TestClient, audited: Audited, reason: str | None
    ) -> None:
        body = {"status": "dismissed"} if reason is None else {"status": "dismissed", "reason": reason}
        result = client.simulate_patch(
            f"/v1/findings/{audited.finding_ids[0]}", json=body, headers=audited.headers
        )
        assert result.status_code == 422
        assert list(result.json["errors"]) == ["reason"]

    def test_dismissing_with_a_reason_from_open_or_acknowledged(
        self, client: testing.TestClient, audited: Audited
    ) -> None:
        first, second = audited.finding_ids[:2]
        result = _patch(client, audited.headers, first, status="dismissed", reason="  该条款为法定资质  ")
        assert result.status_code == 200
        assert result.json["status_reason"] == "该条款为法定资质"
        _patch(client, audited.headers, second, status="acknowledged")
        assert _patch(client, audited.headers, second, status="dismissed", reason="误报").status_code == 200

    def test_every_change_is_logged_with_before_and_after(
        self, client: testing.TestClient, session: Session, audited: Audited
    ) -> None:
        finding = audited.finding_ids[0]
        _patch(client, audited.headers, finding, status="acknowledged", reason="收到")
        entry = session.execute(
            select(AuditLogEntry).where(AuditLogEntry.entity_type == "finding").order_by(AuditLogEntry.seq)
        ).scalar_one()
        assert entry.action == "finding.acknowledged"
        assert entry.entity_id == str(finding)
        before = {"status": "open", "reason": "", "changed_at": None, "changed_by": None}
        assert entry.before_digest == digest(before)
        assert entry.after_digest is not None and entry.after_digest != entry.before_digest

    def test_a_body_with_an_unknown_field_or_status_is_422(
        self, client: testing.TestClient, audited: Audited
    ) -> None:
        url = f"/v1/findings/{audited.finding_ids[0]}"
        unknown = client.simulate_patch(
            url, json={"status": "acknowledged", "note": "x"}, headers=audited.headers
        )
        assert unknown.status_code == 422 and "note" in unknown.json["errors"]
        wrong = client.simulate_patch(url, json={"status": "closed"}, headers=audited.headers)
        assert wrong.status_code == 422 and "status" in wrong.json["errors"]


class TestWhoMayChangeStatus:
    def test_a_regional_auditor_acknowledges_and_dismisses_but_does_not_resolve(
        self, client: testing.TestClient, audited: Audited
    ) -> None:
        auditor = factories.OrganizationFactory(kind="finance_department", region_code="650000")
        headers = headers_for(auditor, Role.AUDITOR)
        first, second = audited.finding_ids[:2]
        assert _patch(client, headers, first, status="acknowledged").status_code == 200
        assert _patch(client, headers, first, status="resolved").status_code == 403
        assert (
            _patch(client, headers, second, status="dismissed", reason="经核实为法定资质").status_code == 200
        )

    def test_a_regional_platform_resolves(self, client: testing.TestClient, audited: Audited) -> None:
        platform = factories.OrganizationFactory(kind="platform", region_code="650000")
        headers = headers_for(platform, Role.PLATFORM)
        finding = audited.finding_ids[0]
        assert _patch(client, headers, finding, status="acknowledged").status_code == 200
        assert _patch(client, headers, finding, status="resolved").status_code == 200

    def test_an_officer_may_not_dismiss_a_finance_audits_finding_about_it(
        self, client: testing.TestClient, session: Session, audited: Audited
    ) -> None:
        [stored] = store_findings(
            session,
            source=FindingSource.AUDIT_RUN,
            source_id=1,
            organization_id=audited.school.id,
            region_code=audited.school.region_code,
            findings=scan_requirements([{"kind": "qualification", "text": "投标人须成立3年以上"}]),
            scope="contract:1",
        )
        refused = _patch(client, audited.headers, stored.id, status="dismissed", reason="不同意")
        assert refused.status_code == 403
        assert _patch(client, audited.headers, stored.id, status="acknowledged").status_code == 200
