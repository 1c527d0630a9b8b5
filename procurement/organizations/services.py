"""Create organizations and API keys, and turn a presented key into an ``Actor``."""

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.errors import InvalidInput, NotAuthenticated, NotFound
from procurement.organizations.models import ApiKey, Organization, Role
from procurement.orm import utcnow
from procurement.pagination import Page, fetch_page
from procurement.scope import Actor, one_visible, region_prefix
from rules.vocabulary import OrganizationKind

KEY_SCHEME = "smp"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_organization(
    session: Session,
    *,
    name: str,
    kind: OrganizationKind,
    region_code: str,
    parent_id: int | None = None,
) -> Organization:
    if len(region_code) != 6 or not region_code.isdigit():
        raise InvalidInput({"region_code": "行政区划代码应为6位数字 / must be 6 digits"})
    organization = Organization(name=name, kind=kind, region_code=region_code, parent_id=parent_id)
    session.add(organization)
    session.flush()
    return organization


def create_api_key(
    session: Session,
    *,
    organization_id: int,
    role: Role,
    label: str = "",
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Store a new key's hash and return the key itself, which is shown this once only."""
    if session.get(Organization, organization_id) is None:
        raise NotFound("机构", "organization", organization_id)
    prefix = secrets.token_hex(6)
    key = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(24)}"
    api_key = ApiKey(
        organization_id=organization_id,
        role=role,
        prefix=prefix,
        key_hash=_hash(key),
        label=label,
        expires_at=expires_at,
    )
    session.add(api_key)
    session.flush()
    return api_key, key


def authenticate(session: Session, presented: str) -> Actor:
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME:
        raise NotAuthenticated("API密钥格式不正确", "the API key is malformed")
    api_key = session.execute(select(ApiKey).where(ApiKey.prefix == parts[1])).scalar_one_or_none()
    if api_key is None or not hmac.compare_digest(api_key.key_hash, _hash(presented)):
        raise NotAuthenticated("API密钥无效", "the API key is not valid")
    if api_key.revoked_at is not None:
        raise NotAuthenticated("API密钥已被吊销", "the API key has been revoked")
    if api_key.expires_at is not None and api_key.expires_at <= utcnow():
        raise NotAuthenticated("API密钥已过期", "the API key has expired")
    return Actor(
        api_key_id=api_key.id,
        organization_id=api_key.organization_id,
        role=api_key.role,
        region_code=api_key.organization.region_code,
    )


def list_organizations(
    session: Session,
    actor: Actor,
    *,
    region_code: str | None = None,
    kind: OrganizationKind | None = None,
    external_id: str | None = None,
    after: int | None,
    limit: int,
) -> Page[Any]:
    """The organizations the caller may act for or see: its own (officer), those in its region and
    below (platform, auditor), all (admin)."""
    query = select(Organization).where(actor.visible(Organization.id, Organization.region_code))
    if region_code is not None:
        query = query.where(Organization.region_code.startswith(region_prefix(region_code), autoescape=True))
    if kind is not None:
        query = query.where(Organization.kind == kind)
    if external_id is not None:
        query = query.where(Organization.external_id == external_id)
    return fetch_page(session, query, Organization.id, after=after, limit=limit)


def get_organization(session: Session, actor: Actor, organization_id: int) -> Organization:
    return one_visible(
        session,
        actor,
        Organization,
        organization_id,
        org_column=Organization.id,
        region_column=Organization.region_code,
        names=("机构", "organization"),
    )
