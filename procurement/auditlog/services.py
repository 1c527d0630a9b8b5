"""Append to the audit log and verify its chain."""

import hashlib
import json
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from procurement.auditlog import mac as keyed
from procurement.auditlog.models import GENESIS_HASH, AuditLogEntry, AuditLogHead
from procurement.orm import utcnow

if TYPE_CHECKING:
    from procurement.auditlog.checkpoints import Checkpoint

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
    values["mac"] = keyed.mac_of(values["hash"])
    connection.execute(_INSERT_ENTRY, values)
    connection.execute(_SET_HEAD_HASH, {"new_hash": values["hash"]})
    return str(values["hash"])


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason_zh: str
    reason_en: str


@dataclass(frozen=True, slots=True)
class Verification:
    checked: int
    broken: ChainBreak | None
    unkeyed: int  # entries without a MAC (written before a key was configured)
    macs_checked: bool  # False when no key is configured: rewriting cannot be detected


def verify(session: Session, *, batch_size: int = 5000) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order: (entries checked, the first break or None)."""
    result = verify_log(session, batch_size=batch_size)
    return result.checked, result.broken


def verify_log(
    session: Session, *, checkpoint: "Checkpoint | None" = None, batch_size: int = 5000
) -> Verification:
    """Walk the chain in order, checking each entry's hash, its MAC when a key is configured, and
    (given a signed checkpoint) that the entry the checkpoint names is still there, unchanged."""
    expected_seq, prev_hash, checked, unkeyed, keyed_seen = 1, GENESIS_HASH, 0, 0, False
    at_checkpoint: str | None = None

    def done(broken: ChainBreak | None) -> Verification:
        return Verification(checked, broken, unkeyed, keyed.configured())

    query = select(AuditLogEntry).order_by(AuditLogEntry.seq).execution_options(yield_per=batch_size)
    with closing(session.execute(query)) as result:  # a server-side cursor on PostgreSQL: close it early
        for entry in result.scalars():
            broken = _check_link(entry, expected_seq, prev_hash) or _check_mac(entry, keyed_seen)
            if broken is not None:
                return done(broken)
            keyed_seen = keyed_seen or entry.mac is not None
            unkeyed += entry.mac is None
            if checkpoint is not None and entry.seq == checkpoint.entries:
                at_checkpoint = entry.hash
            prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    last_seq = expected_seq - 1
    if checkpoint is not None:
        broken = _check_checkpoint(checkpoint, last_seq, at_checkpoint)
        if broken is not None:
            return done(broken)
    head = session.get(AuditLogHead, HEAD_ID)
    if head is not None and (head.seq != last_seq or head.hash != prev_hash):
        return done(
            ChainBreak(
                last_seq + 1,
                f"日志末尾的第{last_seq + 1}条起记录缺失",
                f"entries from {last_seq + 1} on are missing",
            )
        )
    return done(None)


def _check_mac(entry: AuditLogEntry, keyed_seen: bool) -> ChainBreak | None:
    if not keyed.configured():
        return None
    if entry.mac is None:
        if not keyed_seen:
            return None  # written before the key was configured
        return ChainBreak(
            entry.seq,
            f"第{entry.seq}条记录缺少密钥校验码（已被改写）",
            f"entry {entry.seq} has no MAC after keyed entries (rewritten)",
        )
    if not keyed.mac_matches(entry.hash, entry.mac):
        return ChainBreak(
            entry.seq,
            f"第{entry.seq}条记录的密钥校验码不符（记录或其前序已被改写）",
            f"entry {entry.seq} fails its MAC (it or an entry before it was rewritten)",
        )
    return None


def _check_checkpoint(
    checkpoint: "Checkpoint", last_seq: int, at_checkpoint: str | None
) -> ChainBreak | None:
    if last_seq < checkpoint.entries:
        return ChainBreak(
            last_seq + 1,
            f"日志只剩{last_seq}条，少于{checkpoint.signed_at}签名检查点的{checkpoint.entries}条（被截断）",
            f"the log has {last_seq} entries, fewer than the {checkpoint.entries} of the checkpoint "
            f"signed at {checkpoint.signed_at} (truncated)",
        )
    if at_checkpoint != checkpoint.head_hash:
        return ChainBreak(
            checkpoint.entries,
            f"第{checkpoint.entries}条记录与签名检查点不符（此前的记录被改写）",
            f"entry {checkpoint.entries} differs from the signed checkpoint "
            "(entries up to it were rewritten)",
        )
    return None


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
