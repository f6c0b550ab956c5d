"""notification: done_at, when the action an item asked for was done (approving, verifying, answering)

Revision ID: home0001
Revises: ops0001
Create Date: 2026-12-06 10:00:00
"""
import sqlalchemy as sa

import council.dbtypes
from alembic import op

# revision identifiers, used by Alembic.
revision = 'home0001'
down_revision = 'ops0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done_at', council.dbtypes.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('done_at')
