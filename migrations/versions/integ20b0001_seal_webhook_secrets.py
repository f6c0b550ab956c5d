"""webhook signing secrets sealed at rest

Revision ID: integ20b0001
Revises: conv0001
Create Date: 2026-12-06 03:30:00

The signing secrets of webhook endpoints were stored in clear in webhook_endpoint.secret and
.previous_secret: a copy of the database let anyone sign deliveries the receiving systems would take for
the council's. They are now .secret_sealed and .previous_secret_sealed, encrypted with Fernet under a
key derived from COUNCIL_SECRET_KEY (council/sealing.py), as the TOTP secrets are (trust0003seal), so the
upgrade must run with the production key set. Downgrade opens them again (a current secret no key opens
is replaced by a new one, which its owner copies from the endpoint's page).
"""
import base64
import secrets

from alembic import op
import sqlalchemy as sa

from council.sealing import seal, unseal

# revision identifiers, used by Alembic.
revision = 'integ20b0001'
down_revision = 'pages170001'
branch_labels = None
depends_on = None

# Frozen here: the label the secrets of this revision are sealed under.
PURPOSE = b"council/webhook-secret/v1"
endpoint = sa.table('webhook_endpoint', sa.column('id', sa.Integer),
                    sa.column('secret', sa.String), sa.column('previous_secret', sa.String),
                    sa.column('secret_sealed', sa.String), sa.column('previous_secret_sealed', sa.String))


def upgrade():
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret_sealed', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('previous_secret_sealed', sa.String(length=255), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(endpoint.c.id, endpoint.c.secret, endpoint.c.previous_secret)).all()
    for row in rows:
        connection.execute(endpoint.update().where(endpoint.c.id == row.id).values(
            secret_sealed=seal(row.secret, PURPOSE),
            previous_secret_sealed=seal(row.previous_secret, PURPOSE) if row.previous_secret else None))
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.alter_column('secret_sealed', existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_column('secret')
        batch_op.drop_column('previous_secret')


def downgrade():
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('previous_secret', sa.String(length=100), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(endpoint.c.id, endpoint.c.secret_sealed,
                                        endpoint.c.previous_secret_sealed)).all()
    for row in rows:
        secret = unseal(row.secret_sealed, PURPOSE) \
            or "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        previous = unseal(row.previous_secret_sealed, PURPOSE) if row.previous_secret_sealed else None
        connection.execute(endpoint.update().where(endpoint.c.id == row.id)
                           .values(secret=secret, previous_secret=previous))
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=100), nullable=False)
        batch_op.drop_column('secret_sealed')
        batch_op.drop_column('previous_secret_sealed')
