"""files attached to comments (under the evidence rules)

Revision ID: conv18b0001
Revises: conv0001
Create Date: 2026-12-06 03:20:00

"""
from alembic import op
import sqlalchemy as sa

import council.dbtypes  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = 'conv18b0001'
down_revision = 'integ20b0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('comment_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', council.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_comment_attachment_comment_id_comment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_attachment'))
    )
    with op.batch_alter_table('comment_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_attachment_comment_id'), ['comment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('comment_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_attachment_comment_id'))

    op.drop_table('comment_attachment')
