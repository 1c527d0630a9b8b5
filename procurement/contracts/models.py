"""Contract, consortium members, goods items, payment terms, bonds and performance events."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.organizations.models import Organization
from procurement.orm import Base, EnumList, Money, Percent, enum_column, utcnow
from procurement.suppliers.models import Supplier
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    ContractStatus,
    DayType,
    EventKind,
    PaymentKind,
    PurchaserType,
    Size,
    Trigger,
)


class Contract(Base):
    __tablename__ = "contracts"
    __table_args__ = (UniqueConstraint("owner_org_id", "external_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # the organization that sent it (a platform or the purchaser): external_ref is unique per owner
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    purchaser_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # the purchaser's, for scoping
    external_ref: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500), default="")
    category: Mapped[Category] = mapped_column(enum_column(Category))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    purchaser_type: Mapped[PurchaserType] = mapped_column(enum_column(PurchaserType))
    announced_on: Mapped[date | None]
    signed_on: Mapped[date | None]
    jurisdiction: Mapped[str] = mapped_column(String(16))  # a region code or a policy pack id
    sme_reserved: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ContractStatus] = mapped_column(enum_column(ContractStatus), default=ContractStatus.DRAFT)
    acceptance_period_days: Mapped[int | None]
    warranty_months: Mapped[int | None]
    settlement_tied_to_audit: Mapped[bool] = mapped_column(default=False)
    # the supplier's scale when the contract was recorded (micro, small, medium, large, or sme when
    # only "an SME" is known, as OCDS often says): reports aggregate on it without a join
    supplier_scale: Mapped[str | None] = mapped_column(String(16))
    # who benefits (46号 Art. 4): goods declared all made by firms of at most this size (when no
    # items are listed), and the works builder when it is not the supplier
    all_goods_made_by: Mapped[Size | None] = mapped_column(enum_column(Size))
    builder_name: Mapped[str | None] = mapped_column(String(200))
    builder_size: Mapped[Size | None] = mapped_column(enum_column(Size))
    ocid: Mapped[str | None] = mapped_column(String(200), index=True)  # OCDS open contracting id
    # kinds of event the contract's source file records nowhere (an OCDS file without any
    # transaction: payments); no row is derived and no finding raised for them. None: not imported.
    source_unrecorded: Mapped[list[EventKind] | None] = mapped_column(EnumList(EventKind))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    purchaser: Mapped[Organization] = relationship(foreign_keys=[purchaser_id])
    supplier: Mapped[Supplier | None] = relationship()
    consortium: Mapped[list["ConsortiumMember"]] = relationship(
        cascade="all, delete-orphan", order_by="ConsortiumMember.id", lazy="selectin"
    )
    goods_items: Mapped[list["GoodsItemRow"]] = relationship(
        cascade="all, delete-orphan", order_by="GoodsItemRow.position", lazy="selectin"
    )
    payment_terms: Mapped[list["PaymentTermRow"]] = relationship(
        cascade="all, delete-orphan", order_by="PaymentTermRow.position", lazy="selectin"
    )
    bonds: Mapped[list["BondRow"]] = relationship(
        cascade="all, delete-orphan", order_by="BondRow.position", lazy="selectin"
    )


class ConsortiumMember(Base):
    __tablename__ = "consortium_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    share_percent: Mapped[Decimal] = mapped_column(Percent)

    supplier: Mapped[Supplier] = relationship(lazy="selectin")


class GoodsItemRow(Base):
    """One goods item and its manufacturer's size, as the SME declaration letter lists them."""

    __tablename__ = "contract_goods_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    manufacturer: Mapped[str] = mapped_column(String(200))
    manufacturer_size: Mapped[Size | None] = mapped_column(enum_column(Size))


class PaymentTermRow(Base):
    __tablename__ = "payment_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kind: Mapped[PaymentKind] = mapped_column(enum_column(PaymentKind))
    percent: Mapped[Decimal] = mapped_column(Percent)
    trigger: Mapped[Trigger] = mapped_column(enum_column(Trigger))
    days: Mapped[int]
    day_type: Mapped[DayType] = mapped_column(enum_column(DayType), default=DayType.CALENDAR)
    held_months: Mapped[int | None]
    # False when the source names no days (OCDS milestones): the statutory term applies
    days_agreed: Mapped[bool] = mapped_column(default=True, server_default=true())
    # the amount the source states (OCDS milestone value), exact where percent is rounded
    amount: Mapped[Decimal | None] = mapped_column(Money)


class BondRow(Base):
    __tablename__ = "bonds"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kind: Mapped[BondKind] = mapped_column(enum_column(BondKind))
    percent: Mapped[Decimal] = mapped_column(Percent)
    forms: Mapped[list[BondForm]] = mapped_column(EnumList(BondForm))  # forms the buyer accepts
    return_days: Mapped[int | None]
    amount: Mapped[Decimal | None] = mapped_column(Money)  # as stated by the source (OCDS guarantee)


class ContractEvent(Base):
    """Append-only: a performance event is never updated or deleted, only added."""

    __tablename__ = "contract_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind))
    occurred_on: Mapped[date]
    amount: Mapped[Decimal | None] = mapped_column(Money)
    ref: Mapped[str | None] = mapped_column(String(100))  # the term or bond it settles
    note: Mapped[str] = mapped_column(String(1000), default="")
    recorded_by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
