"""Job kinds: a name, the function that does the work, and how often a failure may be retried."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session


class JobContext(Protocol):
    """What a job function gets besides its parameters."""

    job_id: int
    attempt: int  # 1 on the first run

    def session(self) -> Session:
        """A new session on the job's database; the job commits its own work."""
        ...

    def progress(self, done: int, total: int | None = None) -> None:
        """Record how far the job got (committed at once in its own session, readable at
        GET /v1/jobs/{id}). Call it between your transactions: on SQLite an open write
        transaction holds the write lock this needs."""
        ...

    def input_data(self) -> bytes:
        """The bytes given to ``enqueue_job(input_data=...)`` (empty if none)."""
        ...


# returns the job's result (JSON-able, shown on the job) or None
JobFunc = Callable[[JobContext, dict[str, Any]], dict[str, Any] | None]


@dataclass(frozen=True)
class JobKind:
    name: str
    func: JobFunc
    # more than 1 only where running the work twice is harmless (it must be idempotent)
    max_attempts: int = 1


_KINDS: dict[str, JobKind] = {}


def job_kind(name: str, *, max_attempts: int = 1) -> Callable[[JobFunc], JobFunc]:
    """Register ``func`` as the job kind ``name`` (at import of its module, see catalog)."""

    def register(func: JobFunc) -> JobFunc:
        existing = _KINDS.get(name)
        if existing is not None and existing.func is not func:
            raise ValueError(f"job kind {name!r} is defined twice")
        _KINDS[name] = JobKind(name, func, max_attempts)
        return func

    return register


def registered_kind(name: str) -> JobKind | None:
    return _KINDS.get(name)
