"""People are found by their position too (the @ picker's search, the people list): each person's
search_text is made again from their name, position and e-mail address, case-folded by Python as
council.i18n.search_key does (so Kazakh and Turkmen letters fold as they should).

Revision ID: picker0001
Revises: conv18b0001
Create Date: 2026-12-06 18:40:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'picker0001'
down_revision = 'conv18b0001'
branch_labels = None
depends_on = None

person = sa.table("user", sa.column("id", sa.Integer), sa.column("name", sa.String),
                  sa.column("position", sa.String), sa.column("email", sa.String),
                  sa.column("search_text", sa.Text))


def _refill(*columns: str) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(person.c.id, *(person.c[name] for name in columns))).all()
    for row in rows:
        text = " ".join(value.casefold() for value in row[1:] if value)
        connection.execute(person.update().where(person.c.id == row[0]).values(search_text=text))


def upgrade():
    _refill("name", "position", "email")


def downgrade():
    _refill("name", "email")
