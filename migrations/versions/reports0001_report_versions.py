"""report_version: the council's progress reports, numbered, with their DOCX and PDF

Revision ID: reports0001
Revises: search0001
Create Date: 2026-12-05 21:40:00
"""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import council.dbtypes
from alembic import op

# revision identifiers, used by Alembic.
revision = 'reports0001'
down_revision = 'search0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('parameters', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
                  nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', council.dbtypes.UTCDateTime(), nullable=False),
        sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='reportstatus',
                                    native_enum=False, length=30), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('finished_at', council.dbtypes.UTCDateTime(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('published_at', council.dbtypes.UTCDateTime(), nullable=True),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('docx', sa.LargeBinary(), nullable=True),
        sa.Column('pdf', sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_report_version_council_id_council')),
        sa.ForeignKeyConstraint(['group_id'], ['working_group.id'],
                                name=op.f('fk_report_version_group_id_working_group')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], ondelete='SET NULL',
                                name=op.f('fk_report_version_requested_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_version')),
        sa.UniqueConstraint('council_id', 'number', name='uq_report_version_number'),
    )
    with op.batch_alter_table('report_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_version_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_version_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_version_requested_by_id'), ['requested_by_id'],
                              unique=False)


def downgrade():
    op.drop_table('report_version')
