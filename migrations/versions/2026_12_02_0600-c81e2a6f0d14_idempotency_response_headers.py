"""idempotency records keep the response headers a replay must carry (Location, ETag, Content-Type)

Revision ID: c81e2a6f0d14
Revises: 5430efd6f1f7
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'c81e2a6f0d14'
down_revision: str | None = '5430efd6f1f7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('idempotency_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_headers', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('idempotency_records', schema=None) as batch_op:
        batch_op.drop_column('response_headers')
