"""idempotent_request: the first answer to a POST sent with an Idempotency-Key, kept 24 hours

Revision ID: apiw0001
Revises: reports0001
Create Date: 2026-12-06 00:40:00
"""
import sqlalchemy as sa

import council.dbtypes
from alembic import op

# revision identifiers, used by Alembic.
revision = 'apiw0001'
down_revision = 'reports0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'idempotent_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('location', sa.String(length=500), nullable=True),
        sa.Column('created_at', council.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['token_id'], ['api_token.id'], ondelete='CASCADE',
                                name=op.f('fk_idempotent_request_token_id_api_token')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotent_request')),
        sa.UniqueConstraint('token_id', 'key', name='uq_idempotent_request_token_key'),
    )
    with op.batch_alter_table('idempotent_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotent_request_created_at'), ['created_at'], unique=False)


def downgrade():
    op.drop_table('idempotent_request')
