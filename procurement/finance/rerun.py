"""A re-run over contracts nothing changed in since the last run on the same day: refresh, in SQL.

A set-based run marks each ``contract_audits`` row it audited with its id (``audited_run_id``);
its findings carry the same id as ``source_id``. What the audit of a contract says is decided by its
derived rows (rederiving them, as every change to the contract, its terms or events does, deletes
the row and so the mark), the packs (``book``) and the day of the audit. So when the row still bears
the mark of a run on the same day under the same packs, the audit would find exactly the findings
that run found, with the same texts and evidence: those are the findings of that contract whose
``source_id`` is that run's. They are refreshed (the run that saw them, ``last_seen_at``) in one
statement per chunk and counted, with the coverage, by SQL ``GROUP BY``, with no finding built.

The lifecycle is that of ``procurement.findings.upsert``: such a finding is found again unchanged,
so it keeps its status (a dismissed one stays dismissed) and no transition is written; the
findings of the contract the marking run did not find stay as they are (it resolved them).
"""

import json
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, Text, and_, cast, func, select, update
from sqlalchemy.orm import Session

from procurement.contracts.models import Contract
from procurement.finance.derived import default_fingerprint
from procurement.finance.models import AuditRun, StoredAudit
from procurement.finance.set_audit import Tally
from procurement.findings.models import FindingSource, StoredFinding


def _unchanged(in_scope: ColumnElement[bool], lo: int, hi: int, as_of: date) -> ColumnElement[bool]:
    """Rows of contracts in scope between ``lo`` and ``hi`` last audited set-based by a run on
    ``as_of`` under the packs the run reads (joins ``contract_audits``, ``audit_runs``, ``contracts``)."""
    a = StoredAudit
    return and_(
        a.contract_id.between(lo, hi),
        a.book == default_fingerprint(),
        AuditRun.id == a.audited_run_id,
        AuditRun.as_of == as_of,
        Contract.id == a.contract_id,
        in_scope,
    )


def refresh_unchanged(
    session: Session,
    in_scope: ColumnElement[bool],
    lo: int,
    hi: int,
    *,
    run_id: int,
    as_of: date,
    now: datetime,
    tally: Tally,
) -> tuple[set[int], int]:
    """Refresh the findings of the unchanged contracts between ``lo`` and ``hi`` (see the module) and
    count them and their coverage in ``tally``; (those contracts' ids, findings refreshed)."""
    a, f = StoredAudit, StoredFinding
    unchanged = _unchanged(in_scope, lo, hi, as_of)
    ids = set(session.scalars(select(a.contract_id).where(unchanged)))
    if not ids:
        return ids, 0
    coverage = cast(a.coverage, Text)  # few distinct tables: each is read once
    for text, n in session.execute(select(coverage, func.count()).where(unchanged).group_by(coverage)):
        tally.add_many(json.loads(text), n)
    theirs = and_(
        unchanged,
        f.contract_id == a.contract_id,
        f.contract_id.between(lo, hi),
        f.source == FindingSource.AUDIT_RUN,
        f.source_id == a.audited_run_id,
    )
    refreshed = 0
    for rule_id, force, n in session.execute(
        select(f.rule_id, f.legal_force, func.count()).where(theirs).group_by(f.rule_id, f.legal_force)
    ):
        tally.counts[rule_id] += n
        tally.forces[force.value] += n
        refreshed += n
    if refreshed:
        session.execute(
            update(f)
            .where(theirs)
            .values(source_id=run_id, last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
    return ids, refreshed


def mark_audited(
    session: Session, in_scope: ColumnElement[bool], lo: int, hi: int, run_id: int, alone: Sequence[int]
) -> None:
    """Mark the rows of the contracts in scope between ``lo`` and ``hi`` as audited set-based by
    ``run_id``, but for ``alone`` (audited one by one: their findings are not the rows' to vouch for)."""
    a = StoredAudit
    chunk = select(Contract.id).where(in_scope, Contract.id.between(lo, hi))
    session.execute(
        update(a)
        .where(a.contract_id.between(lo, hi), a.contract_id.in_(chunk))
        .values(audited_run_id=run_id)
        .execution_options(synchronize_session=False)
    )
    clear(session, alone)


def clear(session: Session, contract_ids: Sequence[int]) -> None:
    """Forget the marks of contracts audited one by one (see ``mark_audited``)."""
    for start in range(0, len(contract_ids), 5000):
        session.execute(
            update(StoredAudit)
            .where(StoredAudit.contract_id.in_(contract_ids[start : start + 5000]))
            .values(audited_run_id=None)
            .execution_options(synchronize_session=False)
        )
