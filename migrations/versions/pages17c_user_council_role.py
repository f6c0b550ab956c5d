"""A council's people by role (issue 17).

The @ picker offers a record's concerned people on its page, the council's secretaries among them. With
no index on the role, finding them read every person of the council (1 ms of a commitment page at 2,000
people, and growing with the council).

Revision ID: pages17c0001
Revises: pages17b0001
Create Date: 2026-12-07 16:00:00
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'pages17c0001'
down_revision = 'pages17b0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index('ix_user_council_role', ['council_id', 'role'], unique=False)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index('ix_user_council_role')
