"""The findings services on the database: storing any audit's findings, scoping by role, the
lifecycle with its audit-log chain intact, and barrier audits that store nothing when unreadable."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.auditlog import services as auditlog
from procurement.barrier_audits import services as barrier_audits
from procurement.barrier_audits.models import DocumentAudit
from procurement.documents import UnreadableScan, UnsupportedFormat
from procurement.errors import InvalidInput, NotFound, NotPermitted
from procurement.findings import services
from procurement.findings.models import FindingSource, FindingStatus, StoredFinding
from procurement.organizations.models import Organization, Role
from procurement.scope import Actor
from rules.findings import Citation, Finding
from rules.vocabulary import LegalForce, Severity
from tests import factories


def actor(organization: Organization, role: Role = Role.OFFICER) -> Actor:
    key, _ = factories.api_key(organization, role)
    return Actor(key.id, organization.id, role, organization.region_code)


def late_payment(days: int) -> Finding:
    """A finding as the finance audit will produce it: evidence with a Decimal and a date."""
    return Finding(
        rule_id="PAY-LATE",
        category="payment.late",
        legal_force=LegalForce.MANDATORY,
        citations=(Citation("802号令", "第九条", "保障中小企业款项支付条例"),),
        message_zh=f"逾期{days}天付款",
        message_en=f"paid {days} days late",
        evidence={"amount": Decimal("1234.50"), "due_on": date(2025, 9, 30), "days_late": days},
        policy_version="cn-2025",
    )


def store(session: Session, organization: Organization, *findings: Finding) -> list[StoredFinding]:
    return services.store_findings(
        session,
        source=FindingSource.AUDIT_RUN,
        source_id=7,
        organization_id=organization.id,
        region_code=organization.region_code,
        findings=findings,
        scope=f"contract:{organization.id}",
    )


def test_findings_of_any_source_are_stored_open_with_json_evidence(session: Session) -> None:
    school = factories.OrganizationFactory()
    [stored] = store(session, school, late_payment(12))
    session.expire_all()
    again = session.get(StoredFinding, stored.id)
    assert again is not None
    assert again.status is FindingStatus.OPEN
    assert again.severity is Severity.VIOLATION
    assert again.evidence == {"amount": "1234.50", "due_on": "2025-09-30", "days_late": 12}
    assert again.citations == [
        {"doc_id": "802号令", "article": "第九条", "title": "保障中小企业款项支付条例", "url": None}
    ]


def test_scoping_by_role(session: Session) -> None:
    urumqi = factories.OrganizationFactory(region_code="650102")
    kashgar = factories.OrganizationFactory(region_code="653101")
    beijing = factories.OrganizationFactory(region_code="110101")
    ids = {
        org.region_code: [f.id for f in store(session, org, late_payment(1))]
        for org in (urumqi, kashgar, beijing)
    }

    def seen(caller: Actor) -> set[int]:
        page = services.list_findings(session, caller, after=None, limit=50)
        return {f.id for f in page.items}

    org = factories.OrganizationFactory
    assert seen(actor(urumqi)) == set(ids["650102"])
    assert seen(actor(org(kind="platform", region_code="650000"), Role.PLATFORM)) == set(
        ids["650102"] + ids["653101"]
    )
    assert seen(actor(org(kind="finance_department", region_code="650100"), Role.AUDITOR)) == set(
        ids["650102"]
    )
    assert seen(actor(org(region_code="110000"), Role.ADMIN)) == {i for v in ids.values() for i in v}
    with pytest.raises(NotFound):
        services.get_finding(session, actor(kashgar), ids["650102"][0])


def test_the_lifecycle_keeps_the_audit_log_chain_intact(session: Session) -> None:
    school = factories.OrganizationFactory()
    first, second = store(session, school, late_payment(3), late_payment(4))
    officer = actor(school)
    auditor = actor(
        factories.OrganizationFactory(kind="finance_department", region_code="650000"), Role.AUDITOR
    )
    services.change_status(session, officer, first.id, status=FindingStatus.ACKNOWLEDGED)
    services.change_status(session, officer, first.id, status=FindingStatus.RESOLVED, reason="已付款及利息")
    services.change_status(
        session, auditor, second.id, status=FindingStatus.DISMISSED, reason="已在期限内支付"
    )
    assert (first.status, second.status) == (FindingStatus.RESOLVED, FindingStatus.DISMISSED)
    assert second.status_changed_by == auditor.label
    checked, broken = auditlog.verify(session)
    assert broken is None and checked >= 3


def test_who_may_not_and_what_may_not_happen(session: Session) -> None:
    school = factories.OrganizationFactory()
    [finding] = store(session, school, late_payment(5))
    officer = actor(school)
    auditor = actor(
        factories.OrganizationFactory(kind="finance_department", region_code="650000"), Role.AUDITOR
    )
    with pytest.raises(NotPermitted):  # a finance audit's finding is not the purchaser's to dismiss
        services.change_status(session, officer, finding.id, status=FindingStatus.DISMISSED, reason="不认可")
    with pytest.raises(InvalidInput) as skipped:
        services.change_status(session, officer, finding.id, status=FindingStatus.RESOLVED)
    assert "status" in skipped.value.errors
    services.change_status(session, auditor, finding.id, status=FindingStatus.ACKNOWLEDGED)
    with pytest.raises(NotPermitted):
        services.change_status(session, auditor, finding.id, status=FindingStatus.RESOLVED)
    with pytest.raises(InvalidInput) as blank:
        services.change_status(session, auditor, finding.id, status=FindingStatus.DISMISSED, reason=" ")
    assert list(blank.value.errors) == ["reason"]
    assert finding.status is FindingStatus.ACKNOWLEDGED


def test_a_barrier_audit_stores_its_findings_and_an_unreadable_file_stores_nothing(session: Session) -> None:
    school = factories.OrganizationFactory()
    officer = actor(school)
    text = "资格要求：\n投标人注册资本不低于500万元。\n投标人须成立3年以上。\n"
    result = barrier_audits.audit_document(
        session, officer, data=text.encode("gbk"), filename="公告.txt", media_type="text/plain"
    )
    assert [f.category for f in result.findings] == ["scale.registered_capital", "age.years_in_business"]
    assert result.audit.summary["clauses_read"] == 3
    fetched = barrier_audits.get_audit(session, officer, result.audit.id)
    assert [f.id for f in fetched.findings] == [f.id for f in result.findings]
    audits_before = session.execute(select(func.count()).select_from(DocumentAudit)).scalar_one()
    with pytest.raises(UnreadableScan):
        barrier_audits.audit_document(
            session, officer, data=_image_only_pdf(), filename="scan.pdf", media_type="application/pdf"
        )
    with pytest.raises(UnsupportedFormat):
        barrier_audits.audit_document(session, officer, data=b"x", filename="a.xls", media_type="x")
    assert session.execute(select(func.count()).select_from(DocumentAudit)).scalar_one() == audits_before
    with pytest.raises(NotFound):
        barrier_audits.get_audit(session, actor(factories.OrganizationFactory()), result.audit.id)


def _image_only_pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
