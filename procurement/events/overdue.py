"""payment.overdue: the worker tells subscribers once of each payment that passed its due date unpaid.

Obligations are rewritten when their contract changes, so a notice is keyed by what it is about
(contract, term, due date), not by the obligation row: a new due date is a new notice.
"""

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, and_, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from procurement.db import begin_write
from procurement.events.services import emit_event
from procurement.finance.models import ContractObligation, ObligationKind
from procurement.orm import Base, utcnow

BATCH = 500


class OverdueNotice(Base):
    __tablename__ = "overdue_notices"
    __table_args__ = (UniqueConstraint("contract_id", "ref", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(100))
    due_on: Mapped[date]
    notified_at: Mapped[datetime] = mapped_column(default=utcnow)


def notify_overdue(session_factory: Callable[[], Session], *, today: date, batch: int = BATCH) -> int:
    """Emit payment.overdue for up to ``batch`` unpaid payments due before ``today`` not yet told."""
    with session_factory() as session, session.begin():
        begin_write(session)
        overdue = list(
            session.execute(
                select(ContractObligation)
                .outerjoin(
                    OverdueNotice,
                    and_(
                        OverdueNotice.contract_id == ContractObligation.contract_id,
                        OverdueNotice.ref == ContractObligation.ref,
                        OverdueNotice.due_on == ContractObligation.due_on,
                    ),
                )
                .where(
                    ContractObligation.kind == ObligationKind.PAYMENT,
                    ContractObligation.due_on < today,
                    ContractObligation.settled_on.is_(None),
                    OverdueNotice.id.is_(None),
                )
                .order_by(ContractObligation.id)
                .limit(batch)
                .with_for_update(skip_locked=True, of=ContractObligation)
            ).scalars()
        )
        for obligation in overdue:
            assert obligation.due_on is not None  # the query asked for a due date
            emit_event(
                session,
                type="payment.overdue",
                organization_id=obligation.purchaser_id,
                region_code=obligation.region_code,
                data={
                    "contract_id": obligation.contract_id,
                    "contract": f"/v1/contracts/{obligation.contract_id}",
                    "ref": obligation.ref,
                    "amount": obligation.amount,
                    "due_on": obligation.due_on,
                    "days_overdue": (today - obligation.due_on).days,
                    "approximate": obligation.approximate,
                    "policy_version": obligation.policy_version,
                },
            )
        if overdue:
            session.execute(
                insert(OverdueNotice),
                [
                    {"contract_id": o.contract_id, "ref": o.ref, "due_on": o.due_on, "notified_at": utcnow()}
                    for o in overdue
                ],
            )
        return len(overdue)
