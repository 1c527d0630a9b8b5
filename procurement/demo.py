"""A small demo region (Xinjiang): a finance department, a platform, purchasers, suppliers, contracts."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.contracts.services import add_event, create_contract
from procurement.organizations.models import Organization, Role
from procurement.organizations.services import create_api_key, create_organization
from procurement.scope import Actor
from procurement.suppliers.services import create_supplier
from rules.credit_code import with_check_character
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    ContractStatus,
    DayType,
    EventKind,
    Industry,
    OrganizationKind,
    PaymentKind,
    PurchaserType,
    Size,
    Trigger,
)

PLATFORM_NAME = "新疆政府采购电子卖场（演示）"


@dataclass(frozen=True)
class DemoKeys:
    platform_key: str
    organization_ids: dict[str, int]


def _actor(org: Organization, key_id: int, role: Role) -> Actor:
    return Actor(api_key_id=key_id, organization_id=org.id, role=role, region_code=org.region_code)


def load_demo(session: Session) -> DemoKeys:
    """Create the demo region once (later calls reuse it) and return a fresh platform key."""
    platform = session.execute(
        select(Organization).where(Organization.name == PLATFORM_NAME)
    ).scalar_one_or_none()
    if platform is not None:
        _, key = create_api_key(session, organization_id=platform.id, role=Role.PLATFORM, label="demo")
        orgs = {o.name: o.id for o in session.execute(select(Organization)).scalars()}
        return DemoKeys(platform_key=key, organization_ids=orgs)

    region = create_organization(
        session,
        name="新疆维吾尔自治区财政厅（演示）",
        kind=OrganizationKind.FINANCE_DEPARTMENT,
        region_code="650000",
    )
    urumqi = create_organization(
        session,
        name="乌鲁木齐市财政局（演示）",
        kind=OrganizationKind.FINANCE_DEPARTMENT,
        region_code="650100",
        parent_id=region.id,
    )
    platform = create_organization(
        session, name=PLATFORM_NAME, kind=OrganizationKind.PLATFORM, region_code="650000"
    )
    school = create_organization(
        session,
        name="乌鲁木齐市第一中学（演示）",
        kind=OrganizationKind.PURCHASER,
        region_code="650102",
        parent_id=urumqi.id,
    )
    hospital = create_organization(
        session,
        name="克拉玛依市人民医院（演示）",
        kind=OrganizationKind.PURCHASER,
        region_code="650200",
        parent_id=region.id,
    )
    platform_key_row, platform_key = create_api_key(
        session, organization_id=platform.id, role=Role.PLATFORM, label="demo"
    )
    actor = _actor(platform, platform_key_row.id, Role.PLATFORM)

    small = create_supplier(
        session,
        actor,
        fields={
            "name": "新疆天山办公设备有限公司（演示）",
            "credit_code": with_check_character("91650102MA7" + "8Q9K2L"),
            "industry": Industry.WHOLESALE,
            "employees": 12,
            "revenue_wan": Decimal("3200"),
            "assets_wan": Decimal("900"),
            "declared_size": Size.SMALL,
        },
    )
    builder = create_supplier(
        session,
        actor,
        fields={
            "name": "克拉玛依市昆仑建设工程有限公司（演示）",
            "credit_code": with_check_character("91650200MA7" + "7R3T5W"),
            "industry": Industry.CONSTRUCTION,
            "employees": 160,
            "revenue_wan": Decimal("15000"),
            "assets_wan": Decimal("12000"),
            "declared_size": Size.MEDIUM,
        },
    )
    contract = create_contract(
        session,
        actor,
        fields={
            "external_ref": "DEMO-2025-0001",
            "purchaser_id": school.id,
            "supplier_id": small.id,
            "title": "办公设备采购合同（演示）",
            "category": Category.GOODS,
            "amount": Decimal("1000000.00"),
            "purchaser_type": PurchaserType.PUBLIC_BODY,
            "announced_on": date(2025, 7, 1),
            "signed_on": date(2025, 8, 1),
            "status": ContractStatus.SIGNED,
            "acceptance_period_days": 15,
            "warranty_months": 12,
            "payment_terms": [
                {
                    "kind": PaymentKind.FINAL,
                    "percent": Decimal("90"),
                    "trigger": Trigger.ACCEPTANCE,
                    "days": 60,
                    "day_type": DayType.CALENDAR,
                },
                {
                    "kind": PaymentKind.RETENTION,
                    "percent": Decimal("10"),
                    "trigger": Trigger.WARRANTY_END,
                    "days": 30,
                    "day_type": DayType.CALENDAR,
                    "held_months": 12,
                },
            ],
            "bonds": [{"kind": BondKind.PERFORMANCE, "percent": Decimal("10"), "forms": [BondForm.CASH]}],
        },
    )
    add_event(
        session,
        actor,
        contract.id,
        fields={"kind": EventKind.DELIVERED, "occurred_on": date(2025, 8, 20)},
    )
    add_event(
        session,
        actor,
        contract.id,
        fields={"kind": EventKind.ACCEPTED, "occurred_on": date(2025, 8, 25)},
    )
    create_contract(
        session,
        actor,
        fields={
            "external_ref": "DEMO-2025-0002",
            "purchaser_id": hospital.id,
            "supplier_id": builder.id,
            "title": "门诊楼维修工程合同（演示）",
            "category": Category.WORKS,
            "amount": Decimal("3600000.00"),
            "purchaser_type": PurchaserType.PUBLIC_BODY,
            "signed_on": date(2025, 9, 10),
            "status": ContractStatus.SIGNED,
            "acceptance_period_days": 30,
            "payment_terms": [
                {
                    "kind": PaymentKind.PREPAYMENT,
                    "percent": Decimal("10"),
                    "trigger": Trigger.SIGNING,
                    "days": 10,
                },
                {
                    "kind": PaymentKind.FINAL,
                    "percent": Decimal("85"),
                    "trigger": Trigger.ACCEPTANCE,
                    "days": 30,
                },
                {
                    "kind": PaymentKind.RETENTION,
                    "percent": Decimal("5"),
                    "trigger": Trigger.WARRANTY_END,
                    "days": 14,
                    "held_months": 24,
                },
            ],
            "bonds": [
                {
                    "kind": BondKind.PERFORMANCE,
                    "percent": Decimal("5"),
                    "forms": [BondForm.BANK_GUARANTEE, BondForm.INSURANCE],
                }
            ],
        },
    )
    for org, role in ((region, Role.AUDITOR), (school, Role.OFFICER)):
        create_api_key(session, organization_id=org.id, role=role, label="demo")
    orgs = {o.name: o.id for o in (region, urumqi, platform, school, hospital)}
    return DemoKeys(platform_key=platform_key, organization_ids=orgs)
