"""load: atomic rate counters; audit rows appended unsealed, chained by a keyed sealer

Revision ID: 20261204_16
Revises: 20261204_22
Create Date: 2026-12-04 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lifecert.core.db

revision: str = '20261204_16'
down_revision: str | None = '20261204_22'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Content columns: never changed, not even by the sealer.
_CONTENT = ("at", "actor_id", "actor_username", "actor_role", "action", "target_type",
            "target_id", "details", "id")

_PG_SEALABLE = (
    "CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL AND "
    + " AND ".join(
        f"NEW.{c}::text IS NOT DISTINCT FROM OLD.{c}::text" for c in _CONTENT
    )
    + " THEN RETURN NEW; END IF; "
    "RAISE EXCEPTION 'audit_entry is append-only'; END $$"
)
_PG_STRICT = (
    "CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_entry is append-only'; END $$"
)


def _sqlite_triggers(sealable: bool) -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
    when = ""
    if sealable:  # only sealing an unsealed row: seq, prev_hash, hash and key_id set once
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _CONTENT)
        when = f"WHEN OLD.seq IS NOT NULL OR NEW.seq IS NULL OR {changed} "
    op.execute(
        f"CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry {when}"
        "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
        "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END"
    )


def upgrade() -> None:
    op.create_table('rate_counter',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.Column('window_end', lifecert.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', lifecert.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('strikes', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_counter'))
    )
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=False,
                                      server_default=''))
    postgresql = op.get_bind().dialect.name == "postgresql"
    if not postgresql:  # batch mode copies the table: its triggers would be lost
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=True)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)
    if postgresql:
        op.execute(_PG_SEALABLE)
    else:
        _sqlite_triggers(sealable=True)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute(_PG_STRICT)
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_column('key_id')
    if not postgresql:
        _sqlite_triggers(sealable=False)
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.drop_column('mac')
    op.drop_table('rate_counter')
