"""Stored contracts as ``ContractFacts`` in bulk: one events query for a batch of contracts.

Builds on ``procurement.contracts.facts.contract_facts`` (which already reads stated amounts and
terms whose days were never agreed) and adds the scale an imported release published.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from procurement.contracts.facts import contract_facts
from procurement.contracts.models import Contract, ContractEvent
from procurement.ocds.mapping import SCALES
from procurement.ocds.mapping import UNRECORDED as OCDS_UNRECORDED
from rules.contract import ContractFacts, Event
from rules.policy import PolicyBook
from rules.vocabulary import EventKind


def load_contracts(session: Session, contract_ids: Sequence[int]) -> list[Contract]:
    """The contracts with their terms, bonds and supplier, in id order."""
    query = (
        select(Contract)
        .where(Contract.id.in_(contract_ids))
        .options(selectinload(Contract.supplier))
        .order_by(Contract.id)
    )
    return list(session.execute(query).scalars())


def events_by_contract(session: Session, contract_ids: Iterable[int]) -> dict[int, tuple[Event, ...]]:
    query = (
        select(ContractEvent)
        .where(ContractEvent.contract_id.in_(list(contract_ids)))
        .order_by(ContractEvent.contract_id, ContractEvent.occurred_on, ContractEvent.id)
    )
    found: dict[int, list[Event]] = defaultdict(list)
    for e in session.execute(query).scalars():
        found[e.contract_id].append(Event(kind=e.kind, on=e.occurred_on, amount=e.amount, ref=e.ref))
    return {k: tuple(v) for k, v in found.items()}


def facts_of(
    session: Session, contract: Contract, events: tuple[Event, ...], book: PolicyBook | None = None
) -> ContractFacts:
    """One stored contract's facts with the given events (see the module docstring)."""
    facts = contract_facts(session, contract, book=book, with_events=False)
    size = facts.supplier_size
    published = SCALES.get(contract.supplier_scale or "")
    if contract.ocid is not None and published is not None:
        size = published  # an imported contract: the scale its release published, as the batch reads it
    unrecorded: frozenset[EventKind] = frozenset()
    if contract.ocid is not None:
        # imported from OCDS, which records no bond return or retention release, nor payments when
        # its file held no transaction at all, unless the platform has since pushed such events
        unrecorded = (OCDS_UNRECORDED | set(contract.source_unrecorded or ())) - {e.kind for e in events}
    return replace(facts, supplier_size=size, events=events, unrecorded=unrecorded)


def stored_facts(
    session: Session, contracts: Sequence[Contract], book: PolicyBook | None = None
) -> dict[int, ContractFacts]:
    """Facts of each contract by id, events loaded in one query."""
    events = events_by_contract(session, [c.id for c in contracts])
    return {c.id: facts_of(session, c, events.get(c.id, ()), book) for c in contracts}
