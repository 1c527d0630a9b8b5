"""contract_audits: terms findings and rule coverage derived with a contract's obligations

Revision ID: 5e1d0c2b7a41
Revises: b24a5eb88b5b
Create Date: 2026-12-02 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "5e1d0c2b7a41"
down_revision: str | None = "b24a5eb88b5b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # contracts stored before this revision have no row: an audit run audits them one by one
    op.create_table(
        "contract_audits",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("book", sa.String(length=64), nullable=False),
        sa.Column("consistent", sa.Boolean(), nullable=False),
        sa.Column("coverage", sa.JSON(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_audits_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contract_id", name=op.f("pk_contract_audits")),
    )


def downgrade() -> None:
    op.drop_table("contract_audits")
