"""Sign-in links and browser sessions: issue, redeem, resolve to an ``Actor``, end.

A session acts with exactly the scope an API key with its role would have (``procurement.scope``):
the pages call the same services with the ``Actor`` this module returns.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from procurement.auditlog.services import record
from procurement.errors import InvalidInput, NotAuthenticated, NotFound, NotPermitted
from procurement.organizations.models import ApiKey, Organization, Role
from procurement.organizations.services import authenticate
from procurement.orm import utcnow
from procurement.scope import Actor, region_covers
from procurement.signin.models import DeskLink, WebSession
from rules.vocabulary import OrganizationKind

# how long a desk link may wait to be opened, and how long a browser session lasts: short, since
# a link travels through the platform's pages and a session sits in a shared office browser
DESK_LINK_MINUTES = 5
DESK_LINK_MAX_MINUTES = 30
SESSION_HOURS = 8
# who may sign in with a key on the form: the people the pages are for (platforms use desk links)
FORM_ROLES = frozenset({Role.OFFICER, Role.AUDITOR, Role.ADMIN})
PERSON_NAME_MAX_CHARS = 100


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedLink:
    token: str  # shown this once, in the URL
    link: DeskLink


@dataclass(frozen=True, slots=True)
class StartedSession:
    token: str  # goes into the cookie; only its hash is stored
    row: WebSession


@dataclass(frozen=True, slots=True)
class Person:
    """Who is signed in: the actor the services see, and what the pages show."""

    actor: Actor
    name: str
    organization_name: str
    csrf_token: str
    session_id: int


def issue_desk_link(
    session: Session,
    actor: Actor,
    *,
    purchaser_id: int,
    person_name: str,
    valid_minutes: int = DESK_LINK_MINUTES,
    now: datetime | None = None,
) -> IssuedLink:
    """A one-time link signing ``person_name`` in as an officer of a purchaser the platform serves."""
    actor.require(Role.PLATFORM, Role.ADMIN)
    name = person_name.strip()
    if not name:
        raise InvalidInput({"officer_name": "须写明经办人姓名 / name the officer"})
    if len(name) > PERSON_NAME_MAX_CHARS:
        raise InvalidInput({"officer_name": f"至多{PERSON_NAME_MAX_CHARS}字 / too long"})
    if not 1 <= valid_minutes <= DESK_LINK_MAX_MINUTES:
        raise InvalidInput(
            {"valid_minutes": f"有效期为1至{DESK_LINK_MAX_MINUTES}分钟 / 1 to {DESK_LINK_MAX_MINUTES}"}
        )
    purchaser = session.get(Organization, purchaser_id)
    if (
        purchaser is None
        or purchaser.kind is not OrganizationKind.PURCHASER
        or (actor.role is Role.PLATFORM and not region_covers(actor.region_code, purchaser.region_code))
    ):
        raise InvalidInput({"purchaser_id": "采购人不存在或不在您的辖区 / no such purchaser in your region"})
    moment = now or utcnow()
    token = secrets.token_urlsafe(32)
    link = DeskLink(
        token_hash=_hash(token),
        api_key_id=actor.api_key_id,
        organization_id=purchaser.id,
        role=Role.OFFICER,
        person_name=name,
        created_at=moment,
        expires_at=moment + timedelta(minutes=valid_minutes),
    )
    session.add(link)
    session.flush()
    record(
        session,
        actor=actor.label,
        action="desk_link.issue",
        entity_type="desk_link",
        entity_id=link.id,
        before=None,
        after={"purchaser_id": purchaser.id, "person_name": name, "expires_at": link.expires_at.isoformat()},
    )
    return IssuedLink(token, link)


def _start(
    session: Session,
    *,
    api_key_id: int,
    organization_id: int,
    role: Role,
    region_code: str,
    person_name: str,
    desk_link_id: int | None,
    now: datetime,
) -> StartedSession:
    token = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=_hash(token),
        api_key_id=api_key_id,
        organization_id=organization_id,
        role=role,
        region_code=region_code,
        person_name=person_name,
        csrf_token=secrets.token_urlsafe(32),
        desk_link_id=desk_link_id,
        created_at=now,
        expires_at=now + timedelta(hours=SESSION_HOURS),
    )
    session.add(row)
    session.flush()
    return StartedSession(token, row)


LINK_UNUSABLE = (
    "登录链接无效、已过期或已使用，请回到电子卖场重新打开",
    "this sign-in link is unknown, expired or already used: open it again from the e-mall",
)


def redeem_desk_link(session: Session, token: str, *, now: datetime | None = None) -> StartedSession:
    """Use a link once: NotAuthenticated if unknown, expired, used, or its key was revoked."""
    moment = now or utcnow()
    link = session.execute(select(DeskLink).where(DeskLink.token_hash == _hash(token))).scalar_one_or_none()
    if link is None or link.used_at is not None or link.expires_at <= moment:
        raise NotAuthenticated(*LINK_UNUSABLE)
    # one winner when the same link is opened twice at once: the update that still sees it unused
    claimed = session.execute(
        update(DeskLink).where(DeskLink.id == link.id, DeskLink.used_at.is_(None)).values(used_at=moment)
    )
    key = session.get(ApiKey, link.api_key_id)
    if claimed.rowcount != 1 or key is None or key.revoked_at is not None:  # type: ignore[attr-defined]
        raise NotAuthenticated(*LINK_UNUSABLE)
    organization = session.get(Organization, link.organization_id)
    assert organization is not None  # a foreign key
    started = _start(
        session,
        api_key_id=link.api_key_id,
        organization_id=organization.id,
        role=link.role,
        region_code=organization.region_code,
        person_name=link.person_name,
        desk_link_id=link.id,
        now=moment,
    )
    record(
        session,
        actor=f"key:{link.api_key_id} org:{organization.id} role:{link.role.value}",
        action="desk_link.redeem",
        entity_type="desk_link",
        entity_id=link.id,
        before=None,
        after={"web_session_id": started.row.id, "person_name": link.person_name},
    )
    return started


def issue_key_link(
    session: Session,
    *,
    api_key_id: int,
    person_name: str = "",
    valid_minutes: int = DESK_LINK_MAX_MINUTES,
    now: datetime | None = None,
) -> IssuedLink:
    """A one-time link signing in with a stored key's own role and organization.

    For the operator on the server (``smeproc signin-link``, ``make run``'s demo links): whoever
    can run the command can read the database anyway; it is never offered over HTTP.
    """
    key = session.get(ApiKey, api_key_id)
    if key is None or key.revoked_at is not None:
        raise NotFound("API密钥", "API key", api_key_id)
    if key.role not in FORM_ROLES:
        raise InvalidInput(
            {"api_key_id": "只能为经办人、审计或管理员密钥生成登录链接 / officer, auditor or admin keys only"}
        )
    moment = now or utcnow()
    token = secrets.token_urlsafe(32)
    link = DeskLink(
        token_hash=_hash(token),
        api_key_id=key.id,
        organization_id=key.organization_id,
        role=key.role,
        person_name=person_name.strip()[:PERSON_NAME_MAX_CHARS],
        created_at=moment,
        expires_at=moment + timedelta(minutes=valid_minutes),
    )
    session.add(link)
    session.flush()
    record(
        session,
        actor="cli",
        action="desk_link.issue",
        entity_type="desk_link",
        entity_id=link.id,
        before=None,
        after={"api_key_id": key.id, "role": key.role.value, "expires_at": link.expires_at.isoformat()},
    )
    return IssuedLink(token, link)


def sign_in_with_key(session: Session, presented: str, *, now: datetime | None = None) -> StartedSession:
    """A session with the scope of an officer's, auditor's (or admin's) API key."""
    actor = authenticate(session, presented.strip())
    if actor.role not in FORM_ROLES:
        raise NotPermitted(
            "平台密钥不能登录页面：请由电子卖场生成登录链接（POST /v1/desk-links）",
            "a platform key does not sign in here: have the e-mall issue a desk link (POST /v1/desk-links)",
        )
    return _start(
        session,
        api_key_id=actor.api_key_id,
        organization_id=actor.organization_id,
        role=actor.role,
        region_code=actor.region_code,
        person_name="",
        desk_link_id=None,
        now=now or utcnow(),
    )


def person_of(session: Session, token: str, *, now: datetime | None = None) -> Person | None:
    """The signed-in person for a session cookie, or None (unknown, ended, expired, key revoked)."""
    moment = now or utcnow()
    found = session.execute(
        select(WebSession, ApiKey.revoked_at, Organization.name)
        .join(ApiKey, ApiKey.id == WebSession.api_key_id)
        .join(Organization, Organization.id == WebSession.organization_id)
        .where(WebSession.token_hash == _hash(token))
    ).first()
    if found is None:
        return None
    row, revoked_at, organization_name = found
    if row.ended_at is not None or row.expires_at <= moment or revoked_at is not None:
        return None
    actor = Actor(
        api_key_id=row.api_key_id,
        organization_id=row.organization_id,
        role=row.role,
        region_code=row.region_code,
    )
    return Person(actor, row.person_name, organization_name, row.csrf_token, row.id)


def end_session(session: Session, token: str, *, now: datetime | None = None) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.token_hash == _hash(token), WebSession.ended_at.is_(None))
        .values(ended_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
