"""Every mapped class, imported in one place so Alembic and the metadata see all tables."""

from procurement.auditlog.models import AuditLogEntry, AuditLogHead
from procurement.barrier_audits.models import DocumentAudit, DocumentAuditPage
from procurement.contracts.models import (
    BondRow,
    ConsortiumMember,
    Contract,
    ContractEvent,
    GoodsItemRow,
    PaymentTermRow,
)
from procurement.events.models import OutboxEvent
from procurement.events.overdue import OverdueNotice
from procurement.finance.models import AuditRun, ContractObligation
from procurement.findings.models import StoredFinding
from procurement.idempotency.models import IdempotencyRecord
from procurement.imports.models import OcdsImport
from procurement.jobs.models import Job
from procurement.organizations.models import ApiKey, Organization, Role
from procurement.orm import Base
from procurement.signin.models import DeskLink, WebSession
from procurement.suppliers.models import Supplier
from procurement.terms.models import TermsResult
from procurement.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "ApiKey",
    "AuditLogEntry",
    "AuditLogHead",
    "AuditRun",
    "Base",
    "BondRow",
    "ConsortiumMember",
    "Contract",
    "ContractEvent",
    "ContractObligation",
    "DeskLink",
    "DocumentAudit",
    "DocumentAuditPage",
    "GoodsItemRow",
    "IdempotencyRecord",
    "Job",
    "OcdsImport",
    "Organization",
    "OutboxEvent",
    "OverdueNotice",
    "PaymentTermRow",
    "Role",
    "StoredFinding",
    "Supplier",
    "TermsResult",
    "WebSession",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
