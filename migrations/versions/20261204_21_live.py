"""live: streamed sessions (host, window, hashed stream key, audience), viewers, attendance, questions

Revision ID: 20261204_21
Revises: 20261204_16
Create Date: 2026-12-04 16:19:40.734681
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '20261204_21'
down_revision: str | None = '20261204_16'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('live_session',
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('host_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('audience_kind', sa.Enum('community', 'class', 'list', name='audiencekind', native_enum=False, length=16), nullable=False),
    sa.Column('community_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('audience_ref', sa.String(length=100), nullable=False),
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('stream_key_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'live', 'ended', 'cancelled', name='livestatus', native_enum=False, length=16), nullable=False),
    sa.Column('went_live_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recording_status', sa.Enum('none', 'recorded', 'converted', 'published', 'failed', name='recordingstatus', native_enum=False, length=16), nullable=False),
    sa.Column('recording_path', sa.String(length=500), nullable=False),
    sa.Column('vod_path', sa.String(length=500), nullable=False),
    sa.Column('recording_error', sa.String(length=500), nullable=False),
    sa.Column('published_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_live_session_window_ordered')),
    sa.ForeignKeyConstraint(['community_id'], ['region.id'], name=op.f('fk_live_session_community_id_region')),
    sa.ForeignKeyConstraint(['event_id'], ['community_event.id'], name=op.f('fk_live_session_event_id_community_event'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['host_id'], ['staff.id'], name=op.f('fk_live_session_host_id_staff')),
    sa.ForeignKeyConstraint(['published_by'], ['staff.id'], name=op.f('fk_live_session_published_by_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_session'))
    )
    with op.batch_alter_table('live_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_session_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_session_host_id'), ['host_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_session_starts_at'), ['starts_at'], unique=False)

    op.create_table('live_attendance',
    sa.Column('session_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('retiree_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('renewals', sa.Integer(), nullable=False),
    sa.Column('on_demand', sa.Boolean(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['retiree_id'], ['retiree.id'], name=op.f('fk_live_attendance_retiree_id_retiree'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['live_session.id'], name=op.f('fk_live_attendance_session_id_live_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_attendance')),
    sa.UniqueConstraint('session_id', 'retiree_id', name=op.f('uq_live_attendance_session_id_retiree_id'))
    )
    with op.batch_alter_table('live_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_attendance_retiree_id'), ['retiree_id'], unique=False)

    op.create_table('live_block',
    sa.Column('session_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('retiree_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('blocked_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['blocked_by'], ['staff.id'], name=op.f('fk_live_block_blocked_by_staff')),
    sa.ForeignKeyConstraint(['retiree_id'], ['retiree.id'], name=op.f('fk_live_block_retiree_id_retiree'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['live_session.id'], name=op.f('fk_live_block_session_id_live_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_block')),
    sa.UniqueConstraint('session_id', 'retiree_id', name=op.f('uq_live_block_session_id_retiree_id'))
    )
    op.create_table('live_question',
    sa.Column('session_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('retiree_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'shown', 'hidden', name='questionstatus', native_enum=False, length=16), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['retiree_id'], ['retiree.id'], name=op.f('fk_live_question_retiree_id_retiree'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['live_session.id'], name=op.f('fk_live_question_session_id_live_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_question'))
    )
    with op.batch_alter_table('live_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_question_session_id'), ['session_id'], unique=False)

    op.create_table('live_viewer',
    sa.Column('session_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('retiree_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['retiree_id'], ['retiree.id'], name=op.f('fk_live_viewer_retiree_id_retiree'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['live_session.id'], name=op.f('fk_live_viewer_session_id_live_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_viewer')),
    sa.UniqueConstraint('session_id', 'retiree_id', name=op.f('uq_live_viewer_session_id_retiree_id'))
    )



def downgrade() -> None:

    op.drop_table('live_viewer')
    with op.batch_alter_table('live_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_question_session_id'))

    op.drop_table('live_question')
    op.drop_table('live_block')
    with op.batch_alter_table('live_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_attendance_retiree_id'))

    op.drop_table('live_attendance')
    with op.batch_alter_table('live_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_session_starts_at'))
        batch_op.drop_index(batch_op.f('ix_live_session_host_id'))
        batch_op.drop_index(batch_op.f('ix_live_session_community_id'))

    op.drop_table('live_session')

