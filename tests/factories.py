"""factory-boy factories; they share the test's session (bound by the ``session`` fixture)."""

from datetime import date
from decimal import Decimal

import factory
from sqlalchemy.orm import Session

from procurement.contracts.models import BondRow, Contract, ContractEvent, PaymentTermRow
from procurement.organizations.models import ApiKey, Organization, Role
from procurement.organizations.services import create_api_key
from procurement.suppliers.models import Supplier
from rules.credit_code import with_check_character
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    ContractStatus,
    EventKind,
    Industry,
    OrganizationKind,
    PaymentKind,
    PurchaserType,
    Size,
    Trigger,
)

_session: Session | None = None


def bind(session: Session | None) -> None:
    global _session
    _session = session


def current_session() -> Session:
    if _session is None:
        raise RuntimeError("factories need the `session` fixture")
    return _session


class Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = current_session
        sqlalchemy_session_persistence = "flush"


class OrganizationFactory(Base):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试采购单位{n}")
    kind = OrganizationKind.PURCHASER
    region_code = "650102"


class SupplierFactory(Base):
    class Meta:
        model = Supplier
        exclude = ("owner",)

    owner = factory.SubFactory(OrganizationFactory)
    owner_org_id = factory.SelfAttribute("owner.id")
    region_code = factory.SelfAttribute("owner.region_code")
    name = factory.Sequence(lambda n: f"新疆测试供应商{n}有限公司")
    credit_code = factory.Sequence(lambda n: with_check_character(f"91650102MA{n:07d}"))
    industry = Industry.WHOLESALE
    employees = 12
    revenue_wan = Decimal("3200")
    assets_wan = Decimal("900")
    declared_size = Size.SMALL


class ContractFactory(Base):
    class Meta:
        model = Contract

    purchaser = factory.SubFactory(OrganizationFactory)
    purchaser_id = factory.SelfAttribute("purchaser.id")
    owner_org_id = factory.SelfAttribute("purchaser.id")
    region_code = factory.SelfAttribute("purchaser.region_code")
    jurisdiction = factory.SelfAttribute("purchaser.region_code")
    external_ref = factory.Sequence(lambda n: f"REF-{n:06d}")
    title = "办公设备采购合同"
    category = Category.GOODS
    amount = Decimal("1000000.00")
    purchaser_type = PurchaserType.PUBLIC_BODY
    signed_on = date(2025, 8, 1)
    status = ContractStatus.SIGNED
    acceptance_period_days = 15
    payment_terms = factory.LazyFunction(
        lambda: [
            PaymentTermRow(
                position=0, kind=PaymentKind.FINAL, percent=Decimal(100), trigger=Trigger.ACCEPTANCE, days=30
            )
        ]
    )
    bonds = factory.LazyFunction(
        lambda: [
            BondRow(
                position=0, kind=BondKind.PERFORMANCE, percent=Decimal(5), forms=[BondForm.BANK_GUARANTEE]
            )
        ]
    )


class EventFactory(Base):
    class Meta:
        model = ContractEvent
        exclude = ("contract",)

    contract = factory.SubFactory(ContractFactory)
    contract_id = factory.SelfAttribute("contract.id")
    recorded_by_org_id = factory.SelfAttribute("contract.purchaser_id")
    kind = EventKind.DELIVERED
    occurred_on = date(2025, 8, 20)


def api_key(organization: Organization, role: Role = Role.OFFICER) -> tuple[ApiKey, str]:
    """A real key for the organization (hash stored, key returned) in the test's session."""
    return create_api_key(current_session(), organization_id=organization.id, role=role)
