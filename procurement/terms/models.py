"""A stored terms evaluation: what was shown, under which policy pack version, and what was accepted."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from procurement.orm import Base, utcnow


class TermsResult(Base):
    __tablename__ = "terms_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    contract_version: Mapped[int]  # the version the adjustments were computed on
    policy_pack: Mapped[str] = mapped_column(String(32))
    policy_version: Mapped[str] = mapped_column(String(64))
    evaluated_on: Mapped[date]  # the date that selected the pack values (the signing date)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)  # adjustments and findings as shown
    accepted_rule_ids: Mapped[list[str]] = mapped_column(JSON)
    declined: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # [{rule_id, reason}]
    applied_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
