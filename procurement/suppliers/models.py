"""The supplier row: credit code, industry, the previous year's figures and the declared size."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from procurement.orm import Base, Wan, enum_column, utcnow
from rules.vocabulary import Industry, Size, SpecialStatus


class Supplier(Base):
    __tablename__ = "suppliers"
    __table_args__ = (
        UniqueConstraint("owner_org_id", "credit_code"),
        UniqueConstraint("owner_org_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # the owner's, for scoping
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))  # 统一社会信用代码
    external_id: Mapped[str | None] = mapped_column(String(200))  # e.g. an OCDS party id
    industry: Mapped[Industry | None] = mapped_column(enum_column(Industry))
    employees: Mapped[int | None]
    revenue_wan: Mapped[Decimal | None] = mapped_column(Wan)
    assets_wan: Mapped[Decimal | None] = mapped_column(Wan)
    declared_size: Mapped[Size | None] = mapped_column(enum_column(Size))  # 中小企业声明函
    special_status: Mapped[SpecialStatus] = mapped_column(
        enum_column(SpecialStatus), default=SpecialStatus.NONE
    )
    linked_to_large: Mapped[bool] = mapped_column(default=False)
    # a welfare unit for the disabled: how many of its staff (employees) are disabled (141号)
    disabled_staff: Mapped[int | None]
    # a firm founded this year or last may declare its size with blank figures (declared_only)
    founded_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
