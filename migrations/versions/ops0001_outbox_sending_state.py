"""notification: "sending" before the SMTP conversation, its Message-ID, in-doubt re-sends, failed_at

Revision ID: ops0001
Revises: trust0004sessions
Create Date: 2026-12-05 13:30:00

The state column is a VARCHAR (council.dbtypes.enum_type): the new "sending" value needs no change to
it. A row pending while held by a worker of the old code is left as it is: its claim expires and it is
sent as before.
"""
import sqlalchemy as sa

import council.dbtypes
from alembic import op

# revision identifiers, used by Alembic.
revision = 'ops0001'
down_revision = 'trust0004sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=250), nullable=True))
        batch_op.add_column(sa.Column('in_doubt_sends', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('failed_at', council.dbtypes.UTCDateTime(), nullable=True))


def downgrade():
    # A row caught "sending" is pending again for the old code (which may send it a second time).
    op.execute("UPDATE notification SET state = 'pending' WHERE state = 'sending'")
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('failed_at')
        batch_op.drop_column('in_doubt_sends')
        batch_op.drop_column('message_id')
