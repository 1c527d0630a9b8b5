"""A re-run over contracts nothing changed in since the last run on the same day: refresh, in SQL.

A set-based run marks each ``contract_audits`` row it audited with its id (``audited_run_id``);
the findings it found carry that id as ``source_id``. What the audit of a contract says is decided by
its derived rows (rederiving them, as every change to the contract, its terms or events does,
deletes the row and so the mark), the packs (``book``) and the day of the audit. So when the row
still bears the mark of a run on the same day under the same packs, the audit would find exactly the
findings that run found, with the same texts and evidence: those findings of the contract whose
``source_id`` is the mark. Such a contract is not audited again and nothing of it is written: its
findings are counted, with the coverage, by SQL ``GROUP BY``. A completed run that covers a contract
and is later than its mark can only have taken it so (a run that audits it anew marks it, or clears
the mark when it audits it one by one): ``procurement.finance.seen`` shows such a finding as last
found by that run, and ``resolve_unseen`` takes it as found.

The lifecycle is that of ``procurement.findings.upsert``: such a finding is found again unchanged,
so it keeps its status (a dismissed one stays dismissed) and no transition is written; the
findings of the contract the marking run did not find stay as they are (it resolved them).
"""

import json
from collections import Counter
from collections.abc import Sequence
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Integer,
    Text,
    and_,
    any_,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session

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
        Contract.id.between(lo, hi),
        in_scope,
    )


def _among(session: Session, column: InstrumentedAttribute[int], ids: set[int]) -> ColumnElement[bool]:
    """``column IN ids``; on PostgreSQL one array parameter rather than one per id."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(sorted(ids), ARRAY(Integer)))
    return column.in_(sorted(ids))


def refresh_unchanged(
    session: Session,
    in_scope: ColumnElement[bool],
    lo: int,
    hi: int,
    *,
    as_of: date,
    tally: Tally,
) -> tuple[set[int], int]:
    """Take the unchanged contracts between ``lo`` and ``hi`` (see the module): count their findings
    and coverage in ``tally``; (those contracts' ids, their findings, found again)."""
    a, f = StoredAudit, StoredFinding
    rows = session.execute(
        select(a.contract_id, cast(a.coverage, Text)).where(_unchanged(in_scope, lo, hi, as_of))
    )
    tables: Counter[str] = Counter()
    ids: set[int] = set()
    for contract_id, coverage in rows:
        ids.add(contract_id)
        tables[coverage] += 1
    if not ids:
        return ids, 0
    for coverage, n in tables.items():  # few distinct tables: each is parsed once
        tally.add_many(json.loads(coverage), n)
    refreshed = 0
    for rule_id, force, n in session.execute(
        select(f.rule_id, f.legal_force, func.count())
        .join(a, and_(a.contract_id == f.contract_id, a.audited_run_id == f.source_id))
        .where(
            f.contract_id.between(lo, hi),
            f.source == FindingSource.AUDIT_RUN,
            _among(session, a.contract_id, ids),
        )
        .group_by(f.rule_id, f.legal_force)
    ):
        tally.counts[rule_id] += n
        tally.forces[force.value] += n
        refreshed += n
    return ids, refreshed


def mark_audited(
    session: Session,
    in_scope: ColumnElement[bool],
    lo: int,
    hi: int,
    *,
    run_id: int,
    as_of: date,
    alone: Sequence[int],
) -> None:
    """Mark the rows of the contracts in scope between ``lo`` and ``hi`` that the run audited
    (those ``refresh_unchanged`` did not take) as audited set-based by ``run_id``, but for ``alone``
    (audited one by one: their findings are not the rows' to vouch for). A row it took keeps its
    mark (its findings' ``source_id``): nothing is written when nothing changed."""
    a = StoredAudit
    chunk = select(Contract.id).where(in_scope, Contract.id.between(lo, hi))
    same_day = select(AuditRun.id).where(AuditRun.as_of == as_of)
    session.execute(
        update(a)
        .where(
            a.contract_id.between(lo, hi),
            a.contract_id.in_(chunk),
            or_(
                a.audited_run_id.is_(None), a.book != default_fingerprint(), a.audited_run_id.not_in(same_day)
            ),
        )
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


def found_unchanged() -> ColumnElement[bool]:
    """For ``resolve_unseen``: a finding of a contract the run took unchanged, found as its mark
    says (a contract it audited anew bears its own mark, one audited one by one none)."""
    a = StoredAudit
    return exists(
        select(a.contract_id).where(
            a.contract_id == StoredFinding.contract_id, a.audited_run_id == StoredFinding.source_id
        )
    )
