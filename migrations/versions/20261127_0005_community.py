"""community: events, notes, home visits, non-face verifications

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lifecert.core.db

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_TS = lifecert.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('community_event',
    sa.Column('community_id', _ID, nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('health_talk', 'birthday_party', 'class', 'outing', 'other', name='eventkind', native_enum=False, length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_at', _TS, nullable=False),
    sa.Column('ends_at', _TS, nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'cancelled', name='eventstatus', native_enum=False, length=16), nullable=False),
    sa.Column('created_by', _ID, nullable=True),
    sa.Column('id', _ID, nullable=False),
    sa.Column('created_at', _TS, nullable=False),
    sa.Column('updated_at', _TS, nullable=False),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_community_event_capacity_positive')),
    sa.ForeignKeyConstraint(['community_id'], ['region.id'], name=op.f('fk_community_event_community_id_region')),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], name=op.f('fk_community_event_created_by_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_event'))
    )
    with op.batch_alter_table('community_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_event_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_event_starts_at'), ['starts_at'], unique=False)

    op.create_table('event_signup',
    sa.Column('event_id', _ID, nullable=False),
    sa.Column('retiree_id', _ID, nullable=False),
    sa.Column('status', sa.Enum('signed_up', 'cancelled', name='signupstatus', native_enum=False, length=16), nullable=False),
    sa.Column('channel', sa.Enum('mobile', 'staff', name='signupchannel', native_enum=False, length=16), nullable=False),
    sa.Column('signed_up_at', _TS, nullable=False),
    sa.Column('signed_up_by', _ID, nullable=True),
    sa.Column('cancelled_at', _TS, nullable=True),
    sa.Column('cancelled_by', _ID, nullable=True),
    sa.Column('attendance', sa.Enum('attended', 'absent', name='attendance', native_enum=False, length=16), nullable=True),
    sa.Column('attendance_recorded_at', _TS, nullable=True),
    sa.Column('attendance_recorded_by', _ID, nullable=True),
    sa.Column('id', _ID, nullable=False),
    sa.ForeignKeyConstraint(['attendance_recorded_by'], ['staff.id'], name=op.f('fk_event_signup_attendance_recorded_by_staff')),
    sa.ForeignKeyConstraint(['cancelled_by'], ['staff.id'], name=op.f('fk_event_signup_cancelled_by_staff')),
    sa.ForeignKeyConstraint(['event_id'], ['community_event.id'], name=op.f('fk_event_signup_event_id_community_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['retiree_id'], ['retiree.id'], name=op.f('fk_event_signup_retiree_id_retiree'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signed_up_by'], ['staff.id'], name=op.f('fk_event_signup_signed_up_by_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_signup')),
    sa.UniqueConstraint('event_id', 'retiree_id', name=op.f('uq_event_signup_event_id_retiree_id'))
    )
    with op.batch_alter_table('event_signup', schema=None) as batch_op:
        batch_op.create_index('ix_event_signup_retiree_attendance', ['retiree_id', 'attendance'], unique=False)

    op.create_table('home_visit',
    sa.Column('retiree_id', _ID, nullable=False),
    sa.Column('scheduled_for', sa.Date(), nullable=False),
    sa.Column('assigned_to', _ID, nullable=False),
    sa.Column('status', sa.Enum('planned', 'done', 'cancelled', name='visitstatus', native_enum=False, length=16), nullable=False),
    sa.Column('purpose', sa.String(length=500), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('created_by', _ID, nullable=True),
    sa.Column('closed_at', _TS, nullable=True),
    sa.Column('closed_by', _ID, nullable=True),
    sa.Column('id', _ID, nullable=False),
    sa.Column('created_at', _TS, nullable=False),
    sa.Column('updated_at', _TS, nullable=False),
    sa.ForeignKeyConstraint(['assigned_to'], ['staff.id'], name=op.f('fk_home_visit_assigned_to_staff')),
    sa.ForeignKeyConstraint(['closed_by'], ['staff.id'], name=op.f('fk_home_visit_closed_by_staff')),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], name=op.f('fk_home_visit_created_by_staff')),
    sa.ForeignKeyConstraint(['retiree_id'], ['retiree.id'], name=op.f('fk_home_visit_retiree_id_retiree'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_home_visit'))
    )
    with op.batch_alter_table('home_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_visit_assigned_to'), ['assigned_to'], unique=False)
        batch_op.create_index(batch_op.f('ix_home_visit_retiree_id'), ['retiree_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_home_visit_scheduled_for'), ['scheduled_for'], unique=False)

    op.create_table('retiree_note',
    sa.Column('retiree_id', _ID, nullable=False),
    sa.Column('author_id', _ID, nullable=True),
    sa.Column('author_name', sa.String(length=100), nullable=False),
    sa.Column('created_at', _TS, nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('id', _ID, nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['staff.id'], name=op.f('fk_retiree_note_author_id_staff')),
    sa.ForeignKeyConstraint(['retiree_id'], ['retiree.id'], name=op.f('fk_retiree_note_retiree_id_retiree'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retiree_note'))
    )
    with op.batch_alter_table('retiree_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retiree_note_retiree_id'), ['retiree_id'], unique=False)
    _append_only_notes()


def _append_only_notes() -> None:
    """Notes are never edited or deleted (a wrong note is corrected by a newer one); only the
    removal of the retiree themselves (cascade) takes their notes with them."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION retiree_note_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF TG_OP = 'DELETE' AND NOT EXISTS "
            "(SELECT 1 FROM retiree WHERE id = OLD.retiree_id) THEN RETURN OLD; END IF; "
            "RAISE EXCEPTION 'retiree_note is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER retiree_note_append_only BEFORE UPDATE OR DELETE ON retiree_note "
            "FOR EACH ROW EXECUTE FUNCTION retiree_note_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER retiree_note_no_update BEFORE UPDATE ON retiree_note "
            "BEGIN SELECT RAISE(ABORT, 'retiree_note is append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER retiree_note_no_delete BEFORE DELETE ON retiree_note "
            "WHEN EXISTS (SELECT 1 FROM retiree WHERE id = OLD.retiree_id) "
            "BEGIN SELECT RAISE(ABORT, 'retiree_note is append-only'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE retiree_note")
        op.execute("DROP FUNCTION retiree_note_append_only()")
    else:
        with op.batch_alter_table('retiree_note', schema=None) as batch_op:
            batch_op.drop_index(batch_op.f('ix_retiree_note_retiree_id'))
        op.drop_table('retiree_note')
    with op.batch_alter_table('home_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_home_visit_scheduled_for'))
        batch_op.drop_index(batch_op.f('ix_home_visit_retiree_id'))
        batch_op.drop_index(batch_op.f('ix_home_visit_assigned_to'))

    op.drop_table('home_visit')
    with op.batch_alter_table('event_signup', schema=None) as batch_op:
        batch_op.drop_index('ix_event_signup_retiree_attendance')

    op.drop_table('event_signup')
    with op.batch_alter_table('community_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_event_starts_at'))
        batch_op.drop_index(batch_op.f('ix_community_event_community_id'))

    op.drop_table('community_event')
