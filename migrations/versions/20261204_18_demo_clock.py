"""demo clock: how far the embedded demo's clock runs ahead of the real date

Revision ID: 20261204_18
Revises: 20261204_17
Create Date: 2026-12-04 13:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lifecert.core.db

revision: str = '20261204_18'
down_revision: str | None = '20261204_17'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('demo_clock',
    sa.Column('offset_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', lifecert.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demo_clock'))
    )


def downgrade() -> None:
    op.drop_table('demo_clock')
