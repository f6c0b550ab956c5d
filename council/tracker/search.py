"""The lists' free-text search, served by an index whatever the volume.

Each searched record keeps `search_text`: its texts in every language, case-folded by Python
(`i18n.search_key`, so Kazakh ә/қ/ү and Turkmen ş/ž/ň fold as they should). A search is a substring of
it, also case-folded. A plain `LIKE '%…%'` reads every row, so its cost grew with the council's records;
an index of the text's trigrams finds the few rows holding a substring of three characters or more:

- PostgreSQL: `pg_trgm`'s GIN index on `search_text`, which `LIKE '%…%'` uses as it is (PostgreSQL has no
  Kazakh or Turkmen dictionary, and a trigram needs none).
- SQLite: an FTS5 table with the `trigram` tokenizer, case-sensitive (the text is folded already),
  kept in step with its table by triggers; a phrase query is a substring search.

Shorter searches (one or two characters) read the rows as before. The indexes are not models: they are
made with the tables (`db.create_all()`, below) and by the migration `search0001`; Alembic's comparison
leaves them out (`is_search_index`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, bindparam, column, event, select, text
from sqlalchemy import table as table_clause

from council.extensions import db

# The tables whose search_text is indexed: the two that grow with the council's work.
INDEXED = ("commitment", "recommendation")
MIN_INDEXED_LENGTH = 3  # a trigram


def fts_table(table: str) -> str:
    return f"{table}_search"


def trigram_index(table: str) -> str:
    return f"ix_{table}_search_trgm"


def is_search_index(name: str | None) -> bool:
    """An object made here (Alembic's autogenerate and comparison leave them alone)."""
    return bool(name) and any(str(name) == trigram_index(table) or str(name).startswith(fts_table(table))
                              for table in INDEXED)


def include_in_migrations(_item: Any, name: str | None, _type: str, _reflected: bool,
                          _compare_to: Any) -> bool:
    """Alembic's include_object: everything but the search indexes."""
    return not is_search_index(name)


def install(connection: Connection, table: str) -> None:
    """Make `table`'s search index (and fill it from the rows there are)."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        connection.execute(text(f'CREATE INDEX IF NOT EXISTS {trigram_index(table)} ON "{table}" '
                                "USING gin (search_text gin_trgm_ops)"))
    elif dialect == "sqlite":
        # Names from INDEXED above, never from input (S608).
        fts = fts_table(table)
        connection.execute(text(f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(search_text, "
                                f"content='{table}', content_rowid='id', "
                                "tokenize='trigram case_sensitive 1')"))
        old = f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"  # noqa: S608
        new = f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text);"  # noqa: S608
        for name, when, body in (("insert", "AFTER INSERT", new), ("delete", "AFTER DELETE", old),
                                 ("update", "AFTER UPDATE OF search_text", old + " " + new)):
            connection.execute(text(f"CREATE TRIGGER IF NOT EXISTS {fts}_{name} {when} ON \"{table}\" "
                                    f"BEGIN {body} END"))
        connection.execute(text(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"))  # noqa: S608


def uninstall(connection: Connection, table: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"DROP INDEX IF EXISTS {trigram_index(table)}"))
    elif connection.dialect.name == "sqlite":
        # The triggers are on `table`: they would outlive the FTS table (and break its next change).
        for name in ("insert", "delete", "update"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS {fts_table(table)}_{name}"))
        connection.execute(text(f"DROP TABLE IF EXISTS {fts_table(table)}"))


@event.listens_for(db.metadata, "after_create")
def _created(metadata: Any, connection: Connection, **_: Any) -> None:
    for table in INDEXED:
        if table in metadata.tables:
            install(connection, table)


@event.listens_for(db.metadata, "before_drop")
def _dropping(metadata: Any, connection: Connection, **_: Any) -> None:
    for table in INDEXED:
        uninstall(connection, table)


def _fts_phrase(words: str) -> str:
    """An FTS5 phrase: the words as one string (a trigram phrase matches them as a substring)."""
    return '"' + words.replace('"', '""') + '"'


def matching_ids(model: Any, words: str) -> Select[Any]:
    """SQL: the ids of `model`'s rows whose search_text holds `words` (case-folded), by the index."""
    folded = words.casefold()
    table = model.__tablename__
    if table in INDEXED and len(folded) >= MIN_INDEXED_LENGTH and db.engine.dialect.name == "sqlite":
        fts = table_clause(fts_table(table), column("rowid"))
        match = column(fts_table(table)).op("MATCH")(bindparam(None, _fts_phrase(folded), unique=True))
        return select(fts.c.rowid).where(match)
    return select(model.id).where(contains(model.search_text, folded))


def contains(column: Any, words: str) -> ColumnElement[bool]:
    """SQL: `column` (case-folded text) holds `words`; on PostgreSQL served by the trigram index."""
    return column.contains(words.casefold(), autoescape=True)
