"""The officer's contract list (drafts first, search), a purchaser's contracts, open findings by
kind and legal force, and a finding's history from the audit log."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, case, cast, func, or_, select
from sqlalchemy.orm import Session

from procurement.auditlog.models import AuditLogEntry
from procurement.contracts.models import Contract, PaymentTermRow
from procurement.errors import NotFound
from procurement.finance.models import AuditRun
from procurement.findings.models import FindingStatus, StoredFinding
from procurement.findings.services import get_finding
from procurement.organizations.models import Organization, Role
from procurement.scope import Actor, one_visible, region_prefix
from procurement.suppliers.models import Supplier
from rules.vocabulary import ContractStatus, OrganizationKind, PaymentKind

SEARCH_MAX_CHARS = 100


def contracts_for_desk(
    session: Session, actor: Actor, *, search: str = "", purchaser_id: int | None = None, limit: int = 100
) -> list[tuple[Contract, str | None]]:
    """Visible contracts with their supplier's name: drafts first, then newest first; ``search``
    matches the reference, the title or the supplier's name."""
    query = (
        select(Contract, Supplier.name)
        .outerjoin(Supplier, Supplier.id == Contract.supplier_id)
        .where(actor.visible(Contract.purchaser_id, Contract.region_code))
    )
    if purchaser_id is not None:
        query = query.where(Contract.purchaser_id == purchaser_id)
    text = search.strip()[:SEARCH_MAX_CHARS]
    if text:
        pattern = f"%{text}%"
        query = query.where(
            or_(
                Contract.external_ref.ilike(pattern),
                Contract.title.ilike(pattern),
                Supplier.name.ilike(pattern),
            )
        )
    drafts_first = case((Contract.status == ContractStatus.DRAFT, 0), else_=1)
    query = query.order_by(drafts_first, Contract.id.desc()).limit(limit)
    return [(row[0], row[1]) for row in session.execute(query)]


def purchaser(session: Session, actor: Actor, purchaser_id: int) -> Organization:
    """A purchaser the caller may see (its own organization, or one in its region)."""
    org = one_visible(
        session,
        actor,
        Organization,
        purchaser_id,
        org_column=Organization.id,
        region_column=Organization.region_code,
        names=("采购人", "purchaser"),
    )
    if org.kind is not OrganizationKind.PURCHASER:
        raise NotFound("采购人", "purchaser", purchaser_id)
    return org


@dataclass(frozen=True, slots=True)
class FindingCount:
    category: str
    legal_force: str
    count: int


def open_findings_by_kind(
    session: Session, actor: Actor, *, region_code: str, signed_from: date | None, signed_to: date | None
) -> list[FindingCount]:
    """Open and acknowledged findings in the region, by category and legal force.

    A finding about a contract counts when the contract was signed in the period; a document
    audit's finding (no contract) when it was found in the period.
    """
    signed = Contract.signed_on
    found = func.date(StoredFinding.created_at)
    query = (
        select(StoredFinding.category, StoredFinding.legal_force, func.count())
        .outerjoin(Contract, Contract.id == StoredFinding.contract_id)
        .where(
            actor.visible(StoredFinding.organization_id, StoredFinding.region_code),
            StoredFinding.region_code.startswith(region_prefix(region_code), autoescape=True),
            StoredFinding.status.in_((FindingStatus.OPEN, FindingStatus.ACKNOWLEDGED)),
        )
        .group_by(StoredFinding.category, StoredFinding.legal_force)
        .order_by(StoredFinding.category, StoredFinding.legal_force)
    )
    if signed_from is not None:
        query = query.where(
            or_(signed >= signed_from, (StoredFinding.contract_id.is_(None)) & (found >= signed_from))
        )
    if signed_to is not None:
        query = query.where(
            or_(signed <= signed_to, (StoredFinding.contract_id.is_(None)) & (found <= signed_to))
        )
    return [FindingCount(c, f.value, n) for c, f, n in session.execute(query)]


def findings_about(
    session: Session,
    actor: Actor,
    *,
    contract_id: int | None = None,
    organization_id: int | None = None,
    statuses: Sequence[FindingStatus] = (),
    limit: int = 200,
) -> list[StoredFinding]:
    query = select(StoredFinding).where(
        actor.visible(StoredFinding.organization_id, StoredFinding.region_code)
    )
    if contract_id is not None:
        query = query.where(StoredFinding.contract_id == contract_id)
    if organization_id is not None:
        query = query.where(StoredFinding.organization_id == organization_id)
    if statuses:
        query = query.where(StoredFinding.status.in_(statuses))
    return list(session.execute(query.order_by(StoredFinding.id.desc()).limit(limit)).scalars())


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]


def finding_history(session: Session, actor: Actor, finding_id: int) -> list[HistoryEntry]:
    """What happened to a finding, oldest first, from the hash-chained audit log (which keeps who,
    what and when; the current reason is on the finding itself)."""
    get_finding(session, actor, finding_id)  # NotFound when invisible
    query = (
        select(AuditLogEntry)
        .where(AuditLogEntry.entity_type == "finding", AuditLogEntry.entity_id == str(finding_id))
        .order_by(AuditLogEntry.seq)
    )
    return [HistoryEntry(e.created_at, e.actor, e.action, {}) for e in session.execute(query).scalars()]


def prepayment_by_region(
    session: Session, actor: Actor, *, region_code: str, signed_from: date | None, signed_to: date | None
) -> dict[str, tuple[int, int]]:
    """Per region code: (contracts, contracts with a prepayment term) among the visible signed
    contracts of the period — the prepayment rate measure 12 encourages."""
    has_prepayment = (
        select(PaymentTermRow.contract_id)
        .where(PaymentTermRow.contract_id == Contract.id, PaymentTermRow.kind == PaymentKind.PREPAYMENT)
        .exists()
    )
    query = (
        select(Contract.region_code, func.count(), func.count().filter(has_prepayment))
        .where(
            actor.visible(Contract.purchaser_id, Contract.region_code),
            Contract.region_code.startswith(region_prefix(region_code), autoescape=True),
            Contract.signed_on.is_not(None),
        )
        .group_by(Contract.region_code)
    )
    if signed_from is not None:
        query = query.where(Contract.signed_on >= signed_from)
    if signed_to is not None:
        query = query.where(Contract.signed_on <= signed_to)
    return {region: (int(n), int(k)) for region, n, k in session.execute(query)}


def region_names(session: Session, codes: Sequence[str]) -> dict[str, str]:
    """A name for each region code that has a finance department (its name), else nothing."""
    if not codes:
        return {}
    query = select(Organization.region_code, Organization.name).where(
        Organization.kind == OrganizationKind.FINANCE_DEPARTMENT, Organization.region_code.in_(list(codes))
    )
    return {code: name for code, name in session.execute(query)}


def child_region(scope_code: str, region_code: str) -> str:
    """The region one level below ``scope_code`` that holds ``region_code`` (GB/T 2260: province
    650000 -> prefecture 6501xx -> county 650102)."""
    prefix = region_prefix(scope_code)
    if len(prefix) >= 6:
        return region_code
    width = len(prefix) + 2
    return region_code[:width].ljust(6, "0")


def organization_name(session: Session, organization_id: int) -> str:
    """The name of an organization the caller already reached through a visible row."""
    name = session.execute(select(Organization.name).where(Organization.id == organization_id)).scalar()
    return str(name or organization_id)


def late_interest_open(
    session: Session, actor: Actor, *, region_code: str, signed_from: date | None, signed_to: date | None
) -> Decimal:
    """Late interest on the overdue payments that audit runs found and nobody has closed yet (the
    payment rule's evidence carries it, computed by the payment clock at the run's date)."""
    interest = cast(StoredFinding.evidence["late_interest"].as_string(), Numeric(18, 2))
    query = (
        select(func.coalesce(func.sum(interest), 0))
        .join(Contract, Contract.id == StoredFinding.contract_id)
        .where(
            actor.visible(StoredFinding.organization_id, StoredFinding.region_code),
            StoredFinding.region_code.startswith(region_prefix(region_code), autoescape=True),
            StoredFinding.status.in_((FindingStatus.OPEN, FindingStatus.ACKNOWLEDGED)),
            StoredFinding.category == "payment",
        )
    )
    if signed_from is not None:
        query = query.where(Contract.signed_on >= signed_from)
    if signed_to is not None:
        query = query.where(Contract.signed_on <= signed_to)
    return Decimal(str(session.execute(query).scalar() or 0)).quantize(Decimal("0.01"))


def recent_audit_runs(session: Session, actor: Actor, *, limit: int = 20) -> list[AuditRun]:
    """The newest finance audit runs the caller may see (as ``get_audit_run`` decides one by one)."""
    query = select(AuditRun).order_by(AuditRun.id.desc()).limit(limit)
    if actor.role is Role.OFFICER:
        query = query.where(
            or_(
                AuditRun.requested_by_org_id == actor.organization_id,
                AuditRun.organization_id == actor.organization_id,
            )
        )
    elif actor.role is not Role.ADMIN:
        query = query.where(
            AuditRun.region_code.startswith(region_prefix(actor.region_code), autoescape=True)
        )
    return list(session.execute(query).scalars())
