"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from council import create_app
from council.extensions import db
from council.tracker.search import include_in_migrations
from tests.conftest import scratch_database_url, settings_for

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def test_migrations_match_the_models(tmp_path: Path) -> None:
    url = scratch_database_url(tmp_path, "migrations")
    migrated = create_app(settings_for(url, smtp_port=0))
    with migrated.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            # The search indexes are no models (council/tracker/search.py); the migration makes them.
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "include_object": include_in_migrations})
            differences = compare_metadata(context, db.metadata)
        db.session.remove()
        db.engine.dispose()
    assert differences == []
