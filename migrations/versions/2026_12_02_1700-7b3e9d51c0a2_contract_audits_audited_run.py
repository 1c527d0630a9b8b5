"""contract_audits.audited_run_id: the run that last audited the row set-based

Revision ID: 7b3e9d51c0a2
Revises: 2f68d6b8d371
Create Date: 2026-12-02 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "7b3e9d51c0a2"
down_revision: str | None = "2f68d6b8d371"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # empty on every existing row: the next run audits them and marks them
    with op.batch_alter_table("contract_audits") as batch_op:
        batch_op.add_column(sa.Column("audited_run_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contract_audits") as batch_op:
        batch_op.drop_column("audited_run_id")
