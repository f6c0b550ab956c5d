"""Commitments of one status per working group (the verification queue of "my work") read as a range.

Revision ID: pages170001
Revises: conv0001
Create Date: 2026-12-06 03:30:00
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'pages170001'
down_revision = 'conv0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.create_index('ix_commitment_status_group', ['council_id', 'status', 'group_id'], unique=False)


def downgrade():
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.drop_index('ix_commitment_status_group')
