"""Pages at 100k (issue 17). Indexes: commitments of one status per working group (the verification
queue of "my work"), a working group's by status and due date (its overdue list), a recommendation's
as the lists ask about them (from the index alone). And each council's number of commitments, kept as
they are recorded (the unfiltered list's count), filled here from the commitments there are.

Revision ID: pages170001
Revises: conv0001
Create Date: 2026-12-06 03:30:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'pages170001'
down_revision = 'conv0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.create_index('ix_commitment_status_group', ['council_id', 'status', 'group_id'], unique=False)
        batch_op.create_index('ix_commitment_group_status_due', ['council_id', 'group_id', 'status', 'due_date'],
                              unique=False)
        batch_op.create_index('ix_commitment_recommendation_due',
                              ['recommendation_id', 'due_date', 'status', 'organisation_id', 'progress'],
                              unique=False)
    op.create_table('commitment_count',
    sa.Column('council_id', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_commitment_count_council_id_council'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('council_id', name=op.f('pk_commitment_count'))
    )
    op.execute("INSERT INTO commitment_count (council_id, total) "
               "SELECT council_id, count(*) FROM commitment GROUP BY council_id")


def downgrade():
    op.drop_table('commitment_count')
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.drop_index('ix_commitment_recommendation_due')
        batch_op.drop_index('ix_commitment_group_status_due')
        batch_op.drop_index('ix_commitment_status_group')
