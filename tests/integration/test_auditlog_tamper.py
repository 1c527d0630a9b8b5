"""What the probe hid from the plain hash chain, now detected: entries deleted from the end with the
head rewound, the whole log deleted and its head reset, and an entry edited with every later hash
recomputed by the project's own function. The keyed MAC catches rewriting; a signed checkpoint
(outside the database) catches truncation."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, delete, select, update
from sqlalchemy.orm import Session

from procurement.auditlog import mac
from procurement.auditlog import services as auditlog
from procurement.auditlog.checkpoints import (
    CheckpointError,
    create_checkpoint,
    load_checkpoint,
    write_checkpoint,
)
from procurement.auditlog.models import AuditLogEntry, AuditLogHead


def _write(session: Session, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        auditlog.record(
            session, actor="test", action="x", entity_type="t", entity_id=i, before=None, after={"i": i}
        )
    session.flush()


@pytest.fixture
def mac_key() -> Iterator[str]:
    mac.configure("test-mac-key-kept-outside-the-database")
    yield "key"
    mac.configure(None)


@pytest.fixture
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _rewind_head(session: Session, to_seq: int) -> None:
    """What an attacker with write access does after deleting entries: point the head at what is left."""
    last_hash = session.execute(select(AuditLogEntry.hash).where(AuditLogEntry.seq == to_seq)).scalar()
    session.execute(
        update(AuditLogHead).where(AuditLogHead.id == 1).values(seq=to_seq, hash=last_hash or "0" * 64)
    )
    session.expire_all()


def _rehash_from(session: Session, seq: int) -> None:
    """Edit entry ``seq`` and recompute every later hash with the project's own chain_hash."""
    session.execute(update(AuditLogEntry).where(AuditLogEntry.seq == seq).values(actor="intruder"))
    session.expire_all()
    entries = session.execute(select(AuditLogEntry).order_by(AuditLogEntry.seq)).scalars().all()
    prev = "0" * 64
    for entry in entries:
        entry.prev_hash = prev
        entry.hash = auditlog.entry_hash(entry)
        prev = entry.hash
    session.flush()
    last = entries[-1]
    session.execute(update(AuditLogHead).where(AuditLogHead.id == 1).values(seq=last.seq, hash=last.hash))
    session.expire_all()


def _head_seq(session: Session) -> int:
    return int(session.execute(select(AuditLogHead.seq)).scalar_one())


def test_truncation_with_a_rewound_head_passes_the_plain_chain_but_fails_the_checkpoint(
    session: Session, signing_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    _write(session, 6)
    checkpoint = create_checkpoint(session, signing_key)
    _write(session, 2, start=6)
    keep = checkpoint.entries - 3
    session.execute(delete(AuditLogEntry).where(AuditLogEntry.seq > keep))
    _rewind_head(session, keep)
    assert auditlog.verify(session)[1] is None  # the defect: the chain alone cannot tell
    path = write_checkpoint(checkpoint, tmp_path)
    loaded = load_checkpoint(path, signing_key.public_key())
    broken = auditlog.verify_log(session, checkpoint=loaded).broken
    assert broken is not None and "truncated" in broken.reason_en


def test_a_log_deleted_whole_with_its_head_reset_fails_the_checkpoint(
    session: Session, signing_key: Ed25519PrivateKey
) -> None:
    _write(session, 4)
    checkpoint = create_checkpoint(session, signing_key)
    session.execute(delete(AuditLogEntry))
    session.execute(update(AuditLogHead).where(AuditLogHead.id == 1).values(seq=0, hash="0" * 64))
    session.expire_all()
    assert auditlog.verify(session)[1] is None  # the defect
    broken = auditlog.verify_log(session, checkpoint=checkpoint).broken
    assert broken is not None and broken.seq == 1


def test_rewriting_and_rehashing_passes_the_plain_chain_but_fails_the_mac(
    session: Session, mac_key: str
) -> None:
    _write(session, 5)
    first = _head_seq(session) - 4
    _rehash_from(session, first + 1)
    assert (
        auditlog.entry_hash(session.get(AuditLogEntry, first + 1))
        == session.get(AuditLogEntry, first + 1).hash
    )
    result = auditlog.verify_log(session)
    assert result.broken is not None and result.broken.seq == first + 1
    assert "MAC" in result.broken.reason_en


def test_rewriting_and_rehashing_before_a_checkpoint_fails_it_even_without_a_mac_key(
    session: Session, signing_key: Ed25519PrivateKey
) -> None:
    _write(session, 5)
    checkpoint = create_checkpoint(session, signing_key)
    _rehash_from(session, checkpoint.entries - 2)
    assert auditlog.verify(session)[1] is None  # the defect
    broken = auditlog.verify_log(session, checkpoint=checkpoint).broken
    assert broken is not None and broken.seq == checkpoint.entries
    assert "rewritten" in broken.reason_en


def test_stripping_the_macs_of_later_entries_is_detected(session: Session, mac_key: str) -> None:
    _write(session, 4)
    last = _head_seq(session)
    session.execute(update(AuditLogEntry).where(AuditLogEntry.seq == last).values(mac=None))
    session.expire_all()
    broken = auditlog.verify_log(session).broken
    assert broken is not None and broken.seq == last


def test_an_untouched_log_with_later_entries_verifies_against_an_older_checkpoint(
    session: Session, signing_key: Ed25519PrivateKey, mac_key: str
) -> None:
    _write(session, 3)
    checkpoint = create_checkpoint(session, signing_key)
    _write(session, 3, start=3)
    result = auditlog.verify_log(session, checkpoint=checkpoint)
    assert result.broken is None and result.macs_checked


def test_an_edited_checkpoint_or_another_key_is_refused(
    session: Session, signing_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    _write(session, 2)
    path = write_checkpoint(create_checkpoint(session, signing_key), tmp_path)
    with pytest.raises(CheckpointError):
        load_checkpoint(path, Ed25519PrivateKey.generate().public_key())
    text = path.read_text()
    entries = create_checkpoint(session, signing_key).entries
    path.write_text(text.replace(f'"entries": {entries}', f'"entries": {entries - 1}'))
    with pytest.raises(CheckpointError):
        load_checkpoint(path, signing_key.public_key())


def test_the_worker_chore_signs_a_checkpoint_when_the_log_grew(
    session: Session, connection: Connection, signing_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    from procurement.auditlog.checkpoints import PeriodicCheckpoint
    from tests.conftest import _savepoint_session

    _write(session, 2)
    chore = PeriodicCheckpoint(lambda: _savepoint_session(connection), signing_key, tmp_path, every_seconds=0)
    chore()
    chore()  # nothing new: no second file
    _write(session, 1, start=2)
    chore()
    files = sorted(tmp_path.glob("checkpoint-*.json"))
    assert len(files) == 2
    assert load_checkpoint(files[-1], signing_key.public_key()).entries == _head_seq(session)
