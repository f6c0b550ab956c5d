"""A working group's public recommendations in the order the portal lists them (issue 17).

The portal's page of a working group lists its public recommendations by code. With no index in that
order, SQLite walked the council's recommendations by code (its unique index) from the first group's
codes to this group's, 4 ms of a 15 ms page at 10,000 recommendations.

Revision ID: pages17b0001
Revises: picker0001
Create Date: 2026-12-07 07:30:00
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'pages17b0001'
down_revision = 'picker0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.create_index('ix_recommendation_public_order', ['council_id', 'is_public', 'group_id', 'code'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.drop_index('ix_recommendation_public_order')
