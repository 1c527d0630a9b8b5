"""Which audit run last found a finding, when runs took its contract as unchanged (``rerun``).

A run that takes an unchanged contract writes nothing of it: its findings keep the ``source_id`` and
``last_seen_at`` of the run that marked the contract. The run that last found such a finding is the
latest completed run covering the contract after that mark (any such run took it: one that audits a
contract anew marks it again, one that audits it one by one clears the mark), and it found it when it
finished. ``show_last_seen`` puts those on the findings shown (not stored), ``source_is`` selects by it.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, not_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from procurement.contracts.models import Contract
from procurement.finance.audit_runs import run_scope
from procurement.finance.models import AuditRun, AuditRunState, StoredAudit
from procurement.findings.models import FindingSource, StoredFinding
from procurement.scope import region_covers


def _covers(run: AuditRun, c: Any) -> bool:
    """``run_scope`` for one contract row."""
    return bool(
        region_covers(run.region_code, c.region_code)
        and c.signed_on is not None
        and run.period_from <= c.signed_on <= run.period_to
        and run.organization_id in (None, c.purchaser_id)
    )


def show_last_seen(session: Session, findings: Sequence[StoredFinding]) -> None:
    """Give each finding of an unchanged contract the run that last found it and when (in memory;
    read from the stored values, so that showing a finding twice shows it right twice)."""
    ours = {f.id: f for f in findings if f.source is FindingSource.AUDIT_RUN and f.contract_id is not None}
    if not ours:
        return
    f, a = StoredFinding, StoredAudit
    rows = session.execute(
        select(
            f.id,
            f.source_id,
            f.last_seen_at,
            a.audited_run_id,
            Contract.region_code,
            Contract.signed_on,
            Contract.purchaser_id,
        )
        .join(Contract, Contract.id == f.contract_id)
        .outerjoin(a, a.contract_id == f.contract_id)
        .where(f.id.in_(list(ours)))
    ).all()
    marked = [r for r in rows if r.audited_run_id is not None and r.source_id == r.audited_run_id]
    runs: Sequence[AuditRun] = ()
    if marked:
        runs = session.scalars(
            select(AuditRun)
            .where(AuditRun.state == AuditRunState.COMPLETED, AuditRun.id > min(r.source_id for r in marked))
            .order_by(AuditRun.id.desc())
        ).all()
    for row in rows:
        source_id, last_seen = row.source_id, row.last_seen_at
        if row.audited_run_id is not None and row.source_id == row.audited_run_id:
            run = next((r for r in runs if r.id > row.source_id and _covers(r, row)), None)
            if run is not None and run.finished_at is not None:
                source_id, last_seen = run.id, max(run.finished_at, row.last_seen_at)
        set_committed_value(ours[row.id], "source_id", source_id)
        set_committed_value(ours[row.id], "last_seen_at", last_seen)


def _taken(run: AuditRun, later: Sequence[AuditRun], *, by_later: bool) -> ColumnElement[bool]:
    """A finding's contract is marked with the finding's ``source_id``, in ``run``'s scope and in
    none of ``later`` (``by_later``: in one of them)."""
    f = StoredFinding
    others = [run_scope(other) for other in later]
    where = [or_(*others)] if by_later else [not_(o) for o in others]
    return exists(
        select(Contract.id)
        .join(StoredAudit, StoredAudit.contract_id == Contract.id)
        .where(
            Contract.id == f.contract_id, StoredAudit.audited_run_id == f.source_id, run_scope(run), *where
        )
    )


def source_is(session: Session, run_id: int) -> ColumnElement[bool]:
    """The findings that audit ``run_id`` found last, as ``show_last_seen`` shows them: stamped with
    it (an audit run's, unless a later completed run took the contract), or taken unchanged by it."""
    f = StoredFinding
    stamped = f.source_id == run_id
    run = session.get(AuditRun, run_id)
    if run is None or run.state is not AuditRunState.COMPLETED:
        return stamped
    later = session.scalars(
        select(AuditRun).where(AuditRun.state == AuditRunState.COMPLETED, AuditRun.id > run_id)
    ).all()
    run_stamped = and_(f.source == FindingSource.AUDIT_RUN, stamped)
    return or_(
        and_(f.source != FindingSource.AUDIT_RUN, stamped),
        and_(run_stamped, not_(_taken(run, later, by_later=True))) if later else run_stamped,
        and_(f.source == FindingSource.AUDIT_RUN, f.source_id < run_id, _taken(run, later, by_later=False)),
    )
