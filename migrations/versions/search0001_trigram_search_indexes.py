"""The lists' free-text search through a trigram index: pg_trgm's GIN index on PostgreSQL, an FTS5
trigram table (kept in step by triggers) on SQLite, for commitments and recommendations.

Revision ID: search0001
Revises: home0001
Create Date: 2026-12-05 21:30:00

Not models: council/tracker/search.py makes the same objects with `db.create_all()` and explains them;
Alembic's comparison leaves them out (council.tracker.search.is_search_index).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'search0001'
down_revision = 'home0001'
branch_labels = None
depends_on = None

TABLES = ("commitment", "recommendation")


def upgrade():
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        if dialect == "postgresql":
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            op.execute(f'CREATE INDEX IF NOT EXISTS ix_{table}_search_trgm ON "{table}" '
                       "USING gin (search_text gin_trgm_ops)")
        elif dialect == "sqlite":
            fts = f"{table}_search"
            op.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(search_text, "
                       f"content='{table}', content_rowid='id', tokenize='trigram case_sensitive 1')")
            old = f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
            new = f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text);"
            for name, when, body in (("insert", "AFTER INSERT", new), ("delete", "AFTER DELETE", old),
                                     ("update", "AFTER UPDATE OF search_text", old + " " + new)):
                op.execute(f'CREATE TRIGGER IF NOT EXISTS {fts}_{name} {when} ON "{table}" BEGIN {body} END')
            op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        if dialect == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_trgm")
        elif dialect == "sqlite":
            # The triggers are on the table itself: they outlive the FTS table unless dropped.
            for name in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_search_{name}")
            op.execute(f"DROP TABLE IF EXISTS {table}_search")
