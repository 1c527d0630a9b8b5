"""A one-time sign-in link (a platform vouches for a named officer) and a browser session.

Only SHA-256 hashes of the link and session tokens are stored, like API keys.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from procurement.organizations.models import Role
from procurement.orm import Base, enum_column, utcnow


class DeskLink(Base):
    __tablename__ = "desk_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # the platform key that issued it: the platform stays the identity provider and answers for it
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    # whom it signs in: an officer of a purchaser (issued by a platform), or, from the command
    # line on the server, the holder of a key with that key's own role and organization
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    person_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # the key whose scope the session has (for a desk link: the issuing platform's key, which must
    # stay unrevoked); organization, role and region are the person's
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    region_code: Mapped[str] = mapped_column(String(6))
    person_name: Mapped[str] = mapped_column(String(100), default="")
    csrf_token: Mapped[str] = mapped_column(String(64))
    desk_link_id: Mapped[int | None] = mapped_column(ForeignKey("desk_links.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
