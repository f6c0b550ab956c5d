"""A transaction that only read ends with COMMIT, so PostgreSQL keeps its prepared statements; one that
wrote anything is rolled back as before (council/read_transactions.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import column, func, insert, select, table, text
from sqlalchemy.exc import DBAPIError, OperationalError

from council.directory.models import Country
from council.extensions import db


def countries(code: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Country).where(Country.code == code)) or 0


def test_a_row_written_through_the_orm_and_rolled_back_is_not_kept(app):
    db.session.add(Country(code="UZ", name={"en": "Uzbekistan"}, time_zone="Asia/Tashkent"))
    db.session.flush()
    db.session.rollback()
    assert countries("UZ") == 0


def test_a_row_written_as_a_statement_and_rolled_back_is_not_kept(app):
    with db.engine.connect() as connection:
        connection.execute(insert(Country).values(code="UZ", name={"en": "Uzbekistan"}, time_zone="UTC"))
        connection.execute(select(Country.code)).all()  # reads after the write do not make it a reader
        connection.rollback()
        connection.execute(text("INSERT INTO country (code, name, time_zone) VALUES ('AF', '{}', 'UTC')"))
        connection.rollback()
    assert countries("UZ") == 0 and countries("AF") == 0


def test_a_row_written_in_a_savepoint_and_rolled_back_is_not_kept(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pysqlite opens no transaction before a first SAVEPOINT, whose RELEASE then commits")
    with db.engine.connect() as connection:
        with connection.begin_nested():
            connection.execute(insert(Country).values(code="UZ", name={"en": "Uzbekistan"}, time_zone="UTC"))
        connection.rollback()
    assert countries("UZ") == 0


def test_statements_of_transactions_that_only_read_stay_prepared(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (psycopg's); SQLite has none to keep")
    with db.engine.connect() as connection:
        for _ in range(7):  # psycopg prepares a statement at its sixth run on a connection
            connection.execute(select(Country.code).where(Country.code == "KZ")).all()
            connection.rollback()  # as every request ends
        prepared = connection.execute(text(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%FROM country%'")).scalar()
        connection.rollback()
    assert prepared == 1


def test_a_statement_prepared_before_its_column_changed_type_fails_once_then_works_again(app):
    """A migration under a running process: its connection's prepared statement fails once, the
    ROLLBACK after the failure makes psycopg forget every statement it prepared, and the next run is
    prepared anew (README, "Several hosts")."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (psycopg's)")
    with db.engine.begin() as setup:
        setup.execute(text("CREATE TABLE scratch_prepared (id integer PRIMARY KEY, value integer)"))
        setup.execute(text("INSERT INTO scratch_prepared VALUES (1, 5)"))
    scratch = table("scratch_prepared", column("id"), column("value"))
    query = select(scratch.c.value).where(scratch.c.id == 1)
    try:
        with db.engine.connect() as reader:
            for _ in range(7):
                assert reader.execute(query).scalar() == 5
                reader.rollback()
            with db.engine.begin() as migration:
                migration.execute(text("ALTER TABLE scratch_prepared ALTER COLUMN value TYPE text"))
            with pytest.raises(DBAPIError, match="cached plan must not change result type"):
                reader.execute(query).scalar()
            reader.rollback()
            assert reader.execute(query).scalar() == "5"
            reader.rollback()
    finally:
        with db.engine.begin() as cleanup:
            cleanup.execute(text("DROP TABLE scratch_prepared"))


def test_a_read_transaction_on_a_connection_the_server_cut_fails_as_it_always_did(app):
    """SQLAlchemy's OperationalError, which council/outages.py turns into a logged outage, not a raw
    psycopg error from the COMMIT tried first."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a server that cuts its connections is PostgreSQL's case")
    with db.engine.connect() as reader:
        backend = reader.execute(select(func.pg_backend_pid())).scalar()
        with db.engine.begin() as other:
            other.execute(select(func.pg_terminate_backend(backend)))
        with pytest.raises(OperationalError):
            reader.rollback()
