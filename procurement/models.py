"""Every mapped class, imported in one place so Alembic and the metadata see all tables."""

from procurement.auditlog.models import AuditLogEntry, AuditLogHead
from procurement.contracts.models import (
    BondRow,
    ConsortiumMember,
    Contract,
    ContractEvent,
    PaymentTermRow,
)
from procurement.idempotency.models import IdempotencyRecord
from procurement.organizations.models import ApiKey, Organization, Role
from procurement.orm import Base
from procurement.suppliers.models import Supplier

__all__ = [
    "ApiKey",
    "AuditLogEntry",
    "AuditLogHead",
    "Base",
    "BondRow",
    "ConsortiumMember",
    "Contract",
    "ContractEvent",
    "IdempotencyRecord",
    "Organization",
    "PaymentTermRow",
    "Role",
    "Supplier",
]
