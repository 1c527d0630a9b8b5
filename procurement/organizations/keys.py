"""Managing API keys after they are made: list, revoke, expire, and record when each was last used.

Revocation and expiry take effect at the next lookup of the key: within the authentication cache's
time to live (10 s) on every worker.
"""

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from procurement.auditlog import services as auditlog
from procurement.errors import InvalidInput, NotFound
from procurement.organizations.models import ApiKey, Role
from procurement.orm import utcnow
from procurement.pagination import Page, fetch_page
from procurement.scope import Actor

# last_used_at is written at most this often per key: a busy key is not a write per request
LAST_USED_RESOLUTION = timedelta(minutes=1)


def key_state(key: ApiKey) -> dict[str, object]:
    return {
        "id": key.id,
        "organization_id": key.organization_id,
        "role": key.role.value,
        "prefix": key.prefix,
        "label": key.label,
        "revoked_at": key.revoked_at,
        "expires_at": key.expires_at,
    }


def list_keys(
    session: Session, actor: Actor, *, after: int | None, limit: int, organization_id: int | None = None
) -> Page[ApiKey]:
    actor.require(Role.ADMIN)
    query = select(ApiKey)
    if organization_id is not None:
        query = query.where(ApiKey.organization_id == organization_id)
    return fetch_page(session, query, ApiKey.id, after=after, limit=limit)


def find_key(session: Session, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound("API密钥", "API key", key_id)
    return key


def change_key(
    session: Session,
    actor_label: str,
    key: ApiKey,
    *,
    revoke: bool = False,
    expires_at: datetime | None = None,
    clear_expiry: bool = False,
) -> ApiKey:
    """Revoke (for good: a revoked key is never restored) and/or set or clear the expiry."""
    if expires_at is not None and expires_at.tzinfo is None:
        raise InvalidInput({"expires_at": "须带时区 / must carry a time zone"})
    before = key_state(key)
    if revoke and key.revoked_at is None:
        key.revoked_at = utcnow()
    if expires_at is not None:
        key.expires_at = expires_at
    elif clear_expiry:
        key.expires_at = None
    after = key_state(key)
    if after != before:
        session.flush()
        auditlog.record(
            session,
            actor=actor_label,
            action="api_key.revoke" if revoke else "api_key.update",
            entity_type="api_key",
            entity_id=key.id,
            before=before,
            after=after,
        )
    return key


def touch_last_used(session: Session, key_id: int, *, now: datetime | None = None) -> bool:
    """Record that the key was used now, unless that was already recorded within the resolution;
    True when a row was written (the caller commits)."""
    now = now or utcnow()
    threshold = now - LAST_USED_RESOLUTION
    result = session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id)
        .where((ApiKey.last_used_at.is_(None)) | (ApiKey.last_used_at < threshold))
        .values(last_used_at=now)
    )
    return bool(getattr(result, "rowcount", 0))
