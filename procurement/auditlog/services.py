"""Append to the audit log and verify its chain."""

import hashlib
import json
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
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
    fields = (
        entry.prev_hash,
        str(entry.seq),
        _canonical_time(entry.created_at),
        entry.actor,
        entry.action,
        entry.entity_type,
        entry.entity_id,
        entry.before_digest or "",
        entry.after_digest or "",
    )
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


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
) -> AuditLogEntry:
    """Append one entry in the caller's transaction; the head row lock keeps the chain linear."""
    session.flush()
    head = session.execute(
        update(AuditLogHead)
        .where(AuditLogHead.id == HEAD_ID)
        .values(seq=AuditLogHead.seq + 1)
        .returning(AuditLogHead.seq, AuditLogHead.hash)
    ).one_or_none()
    if head is None:
        session.add(AuditLogHead(id=HEAD_ID, seq=1, hash=GENESIS_HASH))
        session.flush()
        seq, prev_hash = 1, GENESIS_HASH
    else:
        seq, prev_hash = head.seq, head.hash
    entry = AuditLogEntry(
        seq=seq,
        created_at=clock(),
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before_digest=digest(before),
        after_digest=digest(after),
        prev_hash=prev_hash,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.execute(update(AuditLogHead).where(AuditLogHead.id == HEAD_ID).values(hash=entry.hash))
    return entry


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
