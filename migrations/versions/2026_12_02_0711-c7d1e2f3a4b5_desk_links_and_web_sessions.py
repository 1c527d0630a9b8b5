"""desk links and web sessions (the pages' sign-in)

Revision ID: c7d1e2f3a4b5
Revises: c3a1f0d2e911
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "c7d1e2f3a4b5"
down_revision: str | None = "c3a1f0d2e911"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "desk_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("officer", "platform", "auditor", "admin", name="role", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("person_name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name=op.f("fk_desk_links_api_key_id_api_keys")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_desk_links_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_desk_links_token_hash")),
    )
    with op.batch_alter_table("desk_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_links_api_key_id"), ["api_key_id"], unique=False)

    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("officer", "platform", "auditor", "admin", name="role", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("person_name", sa.String(length=100), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("desk_link_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name=op.f("fk_web_sessions_api_key_id_api_keys")
        ),
        sa.ForeignKeyConstraint(
            ["desk_link_id"], ["desk_links.id"], name=op.f("fk_web_sessions_desk_link_id_desk_links")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_web_sessions_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_api_key_id"), ["api_key_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_api_key_id"))
    op.drop_table("web_sessions")
    with op.batch_alter_table("desk_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_links_api_key_id"))
    op.drop_table("desk_links")
