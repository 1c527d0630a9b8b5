"""Signed checkpoints of the audit log, after Certificate Transparency's signed tree heads (RFC 6962
s. 3.5): the entry count, the head entry's hash and MAC, and the time, signed with Ed25519 and kept
outside the database (a file per checkpoint in a directory the database's writers cannot rewrite).

A checkpoint commits to every entry up to its count (each hash covers the one before), so verifying
the log against it (``verify_log(checkpoint=...)``) detects entries deleted from the end with the head
rewound, a log emptied and its head reset, and entries rewritten and re-hashed before it.
"""

import base64
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auditlog.models import GENESIS_HASH, AuditLogEntry, AuditLogHead

LOG_NAME = "smeproc audit log"
HEAD_ID = 1


class CheckpointError(Exception):
    """A checkpoint file that cannot be read or whose signature does not hold."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    log: str
    entries: int
    head_hash: str
    head_mac: str | None
    signed_at: str  # ISO 8601, UTC
    key_id: str  # SHA-256 of the raw public key, first 16 hex digits
    signature: str = ""  # base64 Ed25519 over payload()

    def payload(self) -> bytes:
        fields = {k: v for k, v in asdict(self).items() if k != "signature"}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def create_checkpoint(
    session: Session, private_key: Ed25519PrivateKey, *, now: datetime | None = None
) -> Checkpoint:
    """Sign the log's head as it is now."""
    # a query, not session.get: appends move the head with Core statements the identity map misses
    head = session.execute(
        select(AuditLogHead.seq, AuditLogHead.hash).where(AuditLogHead.id == HEAD_ID)
    ).one_or_none()
    entries, head_hash = (head.seq, head.hash) if head is not None else (0, GENESIS_HASH)
    head_mac = None
    if entries:
        head_mac = session.execute(select(AuditLogEntry.mac).where(AuditLogEntry.seq == entries)).scalar()
    unsigned = Checkpoint(
        log=LOG_NAME,
        entries=entries,
        head_hash=head_hash,
        head_mac=head_mac,
        signed_at=(now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds"),
        key_id=key_id(private_key.public_key()),
    )
    signature = base64.b64encode(private_key.sign(unsigned.payload())).decode()
    return Checkpoint(**{**asdict(unsigned), "signature": signature})


def write_checkpoint(checkpoint: Checkpoint, directory: Path) -> Path:
    """One file per checkpoint, written whole (temporary file, then rename)."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = checkpoint.signed_at.replace(":", "").replace("+0000", "Z")
    path = directory / f"checkpoint-{checkpoint.entries:012d}-{stamp}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(checkpoint), indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path


def load_checkpoint(path: Path, public_key: Ed25519PublicKey) -> Checkpoint:
    """The checkpoint in ``path``, its signature verified with ``public_key``."""
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
        checkpoint = Checkpoint(**raw)
    except (OSError, ValueError, TypeError) as exc:
        raise CheckpointError(f"cannot read checkpoint {path}: {exc}") from exc
    if checkpoint.log != LOG_NAME or checkpoint.key_id != key_id(public_key):
        raise CheckpointError(f"checkpoint {path} was not signed with this key")
    try:
        public_key.verify(base64.b64decode(checkpoint.signature), checkpoint.payload())
    except (InvalidSignature, ValueError) as exc:
        raise CheckpointError(f"checkpoint {path}: the signature does not hold (edited?)") from exc
    return checkpoint


def generate_key(path: Path) -> Ed25519PublicKey:
    """A new Ed25519 private key in ``path`` (PEM, mode 0600) and its public key beside it (.pub)."""
    private_key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    public_key = private_key.public_key()
    public_pem = public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    path.with_name(path.name + ".pub").write_bytes(public_pem)
    return public_key


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """From a public key file, or from the private key file (its public half)."""
    data = path.read_bytes()
    if b"PRIVATE KEY" in data:
        return load_private_key(path).public_key()
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(f"{path} is not an Ed25519 public key")
    return key


class PeriodicCheckpoint:
    """A worker chore: sign and write a checkpoint every ``every_seconds`` when the log has grown."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        private_key: Ed25519PrivateKey,
        directory: Path,
        every_seconds: float,
    ) -> None:
        self._factory = session_factory
        self._key = private_key
        self._directory = directory
        self._every = every_seconds
        self._due = 0.0
        self._last_entries = -1

    def __call__(self) -> bool:
        now = time.monotonic()
        if now < self._due:
            return False
        self._due = now + self._every
        with self._factory() as session:
            checkpoint = create_checkpoint(session, self._key)
        if checkpoint.entries != self._last_entries:
            write_checkpoint(checkpoint, self._directory)
            self._last_entries = checkpoint.entries
        return False
