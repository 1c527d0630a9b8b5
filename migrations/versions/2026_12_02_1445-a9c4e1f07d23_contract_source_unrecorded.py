"""contracts.source_unrecorded: event kinds the imported file records nowhere

Revision ID: a9c4e1f07d23
Revises: 5e1d0c2b7a41
Create Date: 2026-12-02 14:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "a9c4e1f07d23"
down_revision: str | None = "5e1d0c2b7a41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # contracts imported before this column keep None: their obligations stay as derived until the
    # file is imported again (the import then records what the file does not)
    with op.batch_alter_table("contracts") as batch_op:
        batch_op.add_column(sa.Column("source_unrecorded", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contracts") as batch_op:
        batch_op.drop_column("source_unrecorded")
