"""``procurement.finance.rederive``: after a pack change, the contracts whose derived rows are
missing or name other packs are derived again, a batch at a time; a second pass finds none."""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.finance.derived import default_fingerprint
from procurement.finance.models import StoredAudit
from procurement.finance.obligations import refresh_obligations
from procurement.finance.rederive import rederive, stale_ids
from tests import factories


def _in(session: Session) -> Callable[[], AbstractContextManager[Session]]:
    return lambda: nullcontext(session)  # the test's transaction: rolled back by the fixture


def test_only_stale_contracts_are_derived_again_batch_by_batch(session: Session) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    contracts = [factories.ContractFactory(purchaser=school) for _ in range(5)]
    ids = [c.id for c in contracts]
    refresh_obligations(session, ids)
    assert stale_ids(session) == []
    # a pack changed under two of them, and one was stored before the audit rows existed
    for stored in session.scalars(select(StoredAudit).where(StoredAudit.contract_id.in_(ids[:2]))):
        stored.book = "packs of last year"
    session.delete(session.get(StoredAudit, ids[4]))
    session.flush()
    assert stale_ids(session) == [ids[0], ids[1], ids[4]]
    told: list[int] = []
    done, _rows = rederive(_in(session), batch=2, progress=lambda n, _r: told.append(n))
    assert (done, told) == (3, [2, 3])
    books = {i: b for i, b in session.execute(select(StoredAudit.contract_id, StoredAudit.book))}
    assert {books[i] for i in ids} == {default_fingerprint()}
    assert rederive(_in(session)) == (0, 0)  # nothing left: a re-run writes nothing
    assert rederive(_in(session), everything=True, batch=4)[0] == 5
