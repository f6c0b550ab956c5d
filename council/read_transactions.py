"""Transactions that only read end with COMMIT, so that PostgreSQL keeps its prepared statements.

SQLAlchemy ends each request's transaction with a ROLLBACK when the session closes. psycopg prepares a
statement on the server once it has run five times on a connection (PostgreSQL then parses and plans it
once instead of at every run), but forgets all of them at each ROLLBACK: a rolled-back transaction may
have dropped or changed what they refer to. Every request ending with one, no statement was ever
prepared, and PostgreSQL parsed and planned each of a page's statements each time (planning alone took
0.2–0.5 ms of the meetings' statements of a dashboard, EXPLAIN ANALYZE on the 10k bench data).

A transaction whose every statement was a SELECT built with SQLAlchemy changed nothing, so COMMIT and
ROLLBACK end it alike: it is committed just before SQLAlchemy's ROLLBACK, which then finds no transaction
to end, and psycopg keeps its statements. Anything else (an INSERT, UPDATE or DELETE, DDL, a savepoint, a
statement written as text, a transaction in error, another database) is rolled back as before.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql import CompoundSelect, Select

# Connection.info: set by any statement that is not a plain SELECT, until the transaction ends.
_WROTE = "council_transaction_wrote"


def _reads_only(context: Any) -> bool:
    compiled = getattr(context, "compiled", None)
    return (compiled is not None and isinstance(compiled.statement, Select | CompoundSelect)
            and not (context.isinsert or context.isupdate or context.isdelete))


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any,
                 executemany: bool) -> None:
    if executemany or not _reads_only(context):
        conn.info[_WROTE] = True


@event.listens_for(Engine, "commit")
def _committed(conn: Connection) -> None:
    conn.info.pop(_WROTE, None)


@event.listens_for(Engine, "rollback")
def _rolling_back(conn: Connection) -> None:
    """Called just before SQLAlchemy rolls the transaction back."""
    wrote = conn.info.pop(_WROTE, False)
    if wrote or conn.dialect.driver != "psycopg" or conn.invalidated:
        return
    import psycopg  # only ever on PostgreSQL

    connection = conn.connection.dbapi_connection
    if connection is not None and connection.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
        # A connection the server cut fails here first: SQLAlchemy's ROLLBACK then fails as it always
        # did, and is handled where it always was (council/outages.py).
        with contextlib.suppress(psycopg.Error):
            connection.commit()
