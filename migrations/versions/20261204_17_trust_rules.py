"""trust rules: confirmed helper links, single-use invitations, four-eyes death records

Revision ID: 20261204_17
Revises: 0006
Create Date: 2026-12-04 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '20261204_17'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_DEATH_STATUS = sa.Enum('pending', 'approved', 'reversed', name='deathstatus',
                        native_enum=False, length=16)


def upgrade() -> None:
    op.create_table('invitation',
    sa.Column('retiree_id', _ID, nullable=False),
    sa.Column('issued_by', _ID, nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('certification_id', _ID, nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', _ID, nullable=True),
    sa.Column('id', _ID, nullable=False),
    sa.ForeignKeyConstraint(['certification_id'], ['certification.id'], name=op.f('fk_invitation_certification_id_certification'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issued_by'], ['staff.id'], name=op.f('fk_invitation_issued_by_staff')),
    sa.ForeignKeyConstraint(['retiree_id'], ['retiree.id'], name=op.f('fk_invitation_retiree_id_retiree'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revoked_by'], ['staff.id'], name=op.f('fk_invitation_revoked_by_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_retiree_id'), ['retiree_id'], unique=False)

    with op.batch_alter_table('family_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('confirmed_by', _ID, nullable=True))
        batch_op.add_column(sa.Column('confirmed_how', sa.String(length=16), nullable=False,
                                      server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_family_link_confirmed_by_staff'), 'staff',
                                    ['confirmed_by'], ['id'])

    # Deaths recorded before this revision already stopped payment: they count as approved.
    with op.batch_alter_table('death_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', _DEATH_STATUS, nullable=False,
                                      server_default='approved'))
        batch_op.add_column(sa.Column('approved_by', _ID, nullable=True))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reversed_by', _ID, nullable=True))
        batch_op.add_column(sa.Column('reversed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reversal_reason', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.create_index(batch_op.f('ix_death_record_status'), ['status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_death_record_approved_by_staff'), 'staff',
                                    ['approved_by'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_death_record_reversed_by_staff'), 'staff',
                                    ['reversed_by'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('death_record', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_death_record_reversed_by_staff'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_death_record_approved_by_staff'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_death_record_status'))
        for column in ('reversal_reason', 'reversed_at', 'reversed_by', 'approved_at',
                       'approved_by', 'status'):
            batch_op.drop_column(column)

    with op.batch_alter_table('family_link', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_family_link_confirmed_by_staff'), type_='foreignkey')
        for column in ('confirmed_how', 'confirmed_by', 'confirmed_at'):
            batch_op.drop_column(column)

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_retiree_id'))
    op.drop_table('invitation')
