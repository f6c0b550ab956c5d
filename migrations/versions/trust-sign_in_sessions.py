"""one browser's session can be ended alone

Revision ID: trust0004sessions
Revises: trust0003seal
Create Date: 2026-12-05 13:30:00

"Sign out" ended every session of the person (one session version each). Each sign-in now has a row
whose random key is in that browser's cookies: plain sign-out ends that row only; "sign out everywhere"
still raises the version. Cookies made before this upgrade carry no key, so everyone signs in again once.
"""
from alembic import op
import sqlalchemy as sa

import council.dbtypes  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = 'trust0004sessions'
down_revision = 'trust0003seal'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('user_version', sa.Integer(), nullable=False),
    sa.Column('created_at', council.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', council.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sign_in_session_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_session')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_sign_in_session_key_hash'))
    )
    with op.batch_alter_table('sign_in_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_session_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sign_in_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_session_user_id'))
    op.drop_table('sign_in_session')
