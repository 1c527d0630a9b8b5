"""Organizations with their administrative region, and hashed API keys with a role."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.orm import Base, enum_column, utcnow
from rules.vocabulary import OrganizationKind


class Role(StrEnum):
    OFFICER = "officer"  # acts for its own organization
    PLATFORM = "platform"  # acts for the purchasers of its region
    AUDITOR = "auditor"  # reads everything in its region and below
    ADMIN = "admin"


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganizationKind] = mapped_column(enum_column(OrganizationKind))
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # 行政区划代码
    # False for a buyer imported without a region code: it is placed in the importer's region (for
    # scoping) but reports show it under "unknown region", never as the importer's region
    region_known: Mapped[bool] = mapped_column(default=True, server_default=true())
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    # the id another system knows it by (an OCDS buyer's party id): imports find it again by this
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped["Organization | None"] = relationship(remote_side=[id])


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    # the public prefix finds the row; only the SHA-256 of the whole key is stored
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]  # None: does not expire
    # when the key last authenticated (to the minute: written at most once a minute per key)
    last_used_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship(lazy="joined")
