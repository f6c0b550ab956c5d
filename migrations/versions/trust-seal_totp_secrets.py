"""second factors sealed at rest

Revision ID: trust0003seal
Revises: c4f1e2a9b7d3
Create Date: 2026-12-05 13:20:00

The TOTP secret of each person was stored in clear in user.totp_secret: a copy of the database gave
away everyone's second factor. It is now user.totp_secret_sealed, encrypted with Fernet under a key
derived from COUNCIL_SECRET_KEY (council/sealing.py), so the upgrade must run with the production key
set. Downgrade opens them again (a secret no key opens is dropped: that person sets up again).
"""
from alembic import op
import sqlalchemy as sa

from council.sealing import seal, unseal

# revision identifiers, used by Alembic.
revision = 'trust0003seal'
down_revision = 'c4f1e2a9b7d3'
branch_labels = None
depends_on = None

# Frozen here: the label the secrets of this revision are sealed under.
PURPOSE = b"council/totp-secret/v1"
user = sa.table('user', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String),
                sa.column('totp_secret_sealed', sa.String), sa.column('totp_enabled_at'))


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret_sealed', sa.String(length=255), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(user.c.id, user.c.totp_secret)
                              .where(user.c.totp_secret.is_not(None))).all()
    for row in rows:
        connection.execute(user.update().where(user.c.id == row.id)
                           .values(totp_secret_sealed=seal(row.totp_secret, PURPOSE)))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('totp_secret')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(user.c.id, user.c.totp_secret_sealed)
                              .where(user.c.totp_secret_sealed.is_not(None))).all()
    for row in rows:
        secret = unseal(row.totp_secret_sealed, PURPOSE)
        values = {'totp_secret': secret} if secret else {'totp_secret': None, 'totp_enabled_at': None}
        connection.execute(user.update().where(user.c.id == row.id).values(**values))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('totp_secret_sealed')
