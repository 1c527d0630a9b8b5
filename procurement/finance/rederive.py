"""Derive the stored rows of contracts again after the policy packs changed.

A contract's obligations and its ``contract_audits`` row are derived under the packs in force when
it was last refreshed. After a pack changes (a new value, a corrected citation), an audit run trusts
no row of the old packs and audits those contracts one by one, and the payments report still reads
the old obligations. ``smeproc db rederive`` brings them up to date: the contracts whose row is
missing or names other packs (or, with ``everything``, all), a batch per transaction, so a stopped
run loses nothing and the next one goes on with what is still stale (delete + insert: no duplicate).
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from procurement.contracts.models import Contract
from procurement.finance.derived import default_fingerprint
from procurement.finance.models import StoredAudit
from procurement.finance.obligations import refresh_obligations

BATCH = 2000


def stale_ids(session: Session, *, everything: bool = False, after: int = 0, limit: int = BATCH) -> list[int]:
    """The next ``limit`` contract ids above ``after`` whose derived rows are missing or stale."""
    query = select(Contract.id).where(Contract.id > after).order_by(Contract.id).limit(limit)
    if not everything:
        query = query.outerjoin(StoredAudit, StoredAudit.contract_id == Contract.id).where(
            or_(StoredAudit.contract_id.is_(None), StoredAudit.book != default_fingerprint())
        )
    return list(session.scalars(query))


def rederive(
    begin: Callable[[], AbstractContextManager[Session]],
    *,
    everything: bool = False,
    batch: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Refresh every stale contract (all with ``everything``); returns (contracts, obligation rows).

    ``begin`` opens a session whose transaction commits on leaving the block (one per batch) and
    has declared its intent to write (``procurement.db.begin_write``: SQLite's write gate).
    ``progress(contracts, rows)`` is told after each.
    """
    contracts = rows = 0
    for ids in _batches(begin, everything, batch):
        with begin() as session:
            rows += refresh_obligations(session, ids)
        contracts += len(ids)
        if progress is not None:
            progress(contracts, rows)
    return contracts, rows


def _batches(
    begin: Callable[[], AbstractContextManager[Session]], everything: bool, batch: int
) -> Iterator[list[int]]:
    after = 0
    while True:
        with begin() as session:
            ids = stale_ids(session, everything=everything, after=after, limit=batch)
        if not ids:
            return
        yield ids
        after = ids[-1]
