"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import os
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from council import create_app
from council.extensions import db
from tests.conftest import settings_for

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def scratch_database_url(tmp_path: Path) -> str:
    """An empty database beside the test one: a file on SQLite, a sibling database on PostgreSQL."""
    url = os.environ.get("COUNCIL_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    parsed = make_url(url)
    scratch = f"{parsed.database}_migrations"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{scratch}"'))
    engine.dispose()
    return parsed.set(database=scratch).render_as_string(hide_password=False)


def test_migrations_match_the_models(tmp_path: Path) -> None:
    url = scratch_database_url(tmp_path)
    migrated = create_app(settings_for(url, smtp_port=0))
    with migrated.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.session.remove()
        db.engine.dispose()
    assert differences == []
