"""Notifications by their key (issue 17).

A progress report marks done the reminders of its commitment: the in-app items whose key starts with
"commitment:<id>:". No index served that LIKE, so each report read the whole notification table (94 ms
at 300,000 rows, against 0.08 ms with this index); settling a request for everyone (its key alone) read
it too. The pattern operators let PostgreSQL use the index for a LIKE whatever the database's collation.

Revision ID: pages17d0001
Revises: pages17c0001
Create Date: 2026-12-07 21:30:00
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'pages17d0001'
down_revision = 'pages17c0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_dedupe_key', ['dedupe_key'], unique=False,
                              postgresql_ops={'dedupe_key': 'varchar_pattern_ops'})


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_dedupe_key')
