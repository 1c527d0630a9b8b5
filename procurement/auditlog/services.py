"""Append to the audit log and verify its chain."""

import hashlib
import json
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from procurement.auditlog.models import GENESIS_HASH, AuditLogEntry, AuditLogHead
from procurement.orm import utcnow

HEAD_ID = 1


def digest(state: Mapping[str, Any] | None) -> str | None:
    """SHA-256 of a canonical JSON form of an entity's state (None for no state)."""
    if state is None:
        return None
    text = json.dumps(state, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical_time(moment: datetime) -> str:
    # SQLite hands back naive datetimes, PostgreSQL aware ones: hash the same UTC text for both.
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def entry_hash(entry: AuditLogEntry) -> str:
    return chain_hash(
        entry.prev_hash,
        entry.seq,
        entry.created_at,
        entry.actor,
        entry.action,
        entry.entity_type,
        entry.entity_id,
        entry.before_digest,
        entry.after_digest,
    )


def chain_hash(
    prev_hash: str,
    seq: int,
    created_at: datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    before_digest: str | None,
    after_digest: str | None,
) -> str:
    fields = (
        prev_hash,
        str(seq),
        _canonical_time(created_at),
        actor,
        action,
        entity_type,
        entity_id,
        before_digest or "",
        after_digest or "",
    )
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


_HEAD = cast(Table, AuditLogHead.__table__)
# Core statements built once: appending is on every write request's path.
_ADVANCE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == HEAD_ID)
    .values(seq=_HEAD.c.seq + 1)
    .returning(_HEAD.c.seq, _HEAD.c.hash)
)
_SET_HEAD_HASH = update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(hash=bindparam("new_hash"))
_INSERT_ENTRY = insert(cast(Table, AuditLogEntry.__table__))


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: object,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    clock: Callable[[], datetime] = utcnow,
) -> str:
    """Append one entry in the caller's transaction and return its hash.

    Advancing the head row first takes its row lock (PostgreSQL) or runs under the write lock
    (SQLite), so concurrent writers queue there and the chain stays one line.
    """
    connection = session.connection()
    seq, prev_hash = connection.execute(_ADVANCE_HEAD).one()
    values = {
        "seq": seq,
        "created_at": clock(),
        "actor": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "before_digest": digest(before),
        "after_digest": digest(after),
        "prev_hash": prev_hash,
    }
    values["hash"] = chain_hash(**values)
    connection.execute(_INSERT_ENTRY, values)
    connection.execute(_SET_HEAD_HASH, {"new_hash": values["hash"]})
    return str(values["hash"])


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason_zh: str
    reason_en: str


def verify(session: Session, *, batch_size: int = 5000) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order: (entries checked, the first break or None)."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    query = select(AuditLogEntry).order_by(AuditLogEntry.seq).execution_options(yield_per=batch_size)
    with closing(session.execute(query)) as result:  # a server-side cursor on PostgreSQL: close it early
        for entry in result.scalars():
            broken = _check_link(entry, expected_seq, prev_hash)
            if broken is not None:
                return checked, broken
            prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    head = session.get(AuditLogHead, HEAD_ID)
    last_seq = expected_seq - 1
    if head is not None and (head.seq != last_seq or head.hash != prev_hash):
        return checked, ChainBreak(
            last_seq + 1,
            f"日志末尾的第{last_seq + 1}条起记录缺失",
            f"entries from {last_seq + 1} on are missing",
        )
    return checked, None


def _check_link(entry: AuditLogEntry, expected_seq: int, prev_hash: str) -> ChainBreak | None:
    if entry.seq != expected_seq:
        return ChainBreak(
            expected_seq,
            f"第{expected_seq}条记录缺失（已被删除）",
            f"entry {expected_seq} is missing (deleted)",
        )
    if entry.prev_hash != prev_hash:
        return ChainBreak(
            entry.seq,
            f"第{entry.seq}条记录的前序哈希不符",
            f"entry {entry.seq} does not link to the one before",
        )
    if entry_hash(entry) != entry.hash:
        return ChainBreak(
            entry.seq,
            f"第{entry.seq}条记录内容已被改动",
            f"entry {entry.seq} was edited after it was written",
        )
    return None
