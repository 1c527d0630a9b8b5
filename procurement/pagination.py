"""Keyset pagination: a page of rows after an id, and whether more follow."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_after: int | None  # the id to pass as ``after`` for the next page, None on the last


def fetch_page(
    session: Session,
    query: Select[Any],
    id_column: InstrumentedAttribute[int],
    *,
    after: int | None,
    limit: int,
) -> Page[Any]:
    if after is not None:
        query = query.where(id_column > after)
    rows = list(session.execute(query.order_by(id_column).limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_after=getattr(rows[-1], id_column.key) if more and rows else None)
