"""Column types and SQL expressions shared by the domain models."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ColumnElement, DateTime, Dialect, Enum, TypeDecorator, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

# JSONB on PostgreSQL (indexable, compact), plain JSON text on SQLite.
JSONText = JSON().with_variant(JSONB(), "postgresql")


def enum_type(enum: type[StrEnum]) -> Enum:
    """Store a StrEnum by its value in a VARCHAR: portable, and new values need no ALTER TYPE."""
    return Enum(enum, native_enum=False, create_constraint=False, length=30,
                values_callable=lambda members: [m.value for m in members],
                validate_strings=True)


def choices(enum: type[Any]) -> list[Any]:
    """WTForms choices for an enum whose members carry a translatable `label`.

    The label is read when the option is drawn, not when the form class is defined (at import time,
    when there is no reader and the label would stay in English)."""
    from flask_babel import LazyString
    from wtforms.fields.choices import SelectChoice

    return [SelectChoice(member.value, LazyString(lambda member=member: member.label))
            for member in enum]


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on PostgreSQL (timestamptz) and SQLite (naive text) alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use council.timeutil.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Among(ColumnElement[bool]):
    """`column IN (values)` for a batch's ids, written as one array parameter on PostgreSQL
    (`column = ANY(:values)`). An IN list is one parameter per value: SQLAlchemy writes each one, with
    its type cast, into the statement at every execution, psycopg converts that text anew (it keeps
    only short statements) and PostgreSQL parses it: for a digest batch's lists of 200 ids, more time
    than the queries themselves. Elsewhere it is the IN list. Both parameters are kept, and only the
    dialect's one is written, so the compiled statement is cached and reused like any other."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("listed", InternalTraversal.dp_clauseelement),
                           ("array", InternalTraversal.dp_clauseelement)]
    type = Boolean()
    _is_implicitly_boolean = True  # a predicate: no "= 1" after it where booleans are integers

    def __init__(self, column: ColumnElement[Any], values: Iterable[Any]) -> None:
        values = list(values)
        self.column = column
        self.listed = bindparam(None, values, expanding=True, type_=column.type)
        self.array = bindparam(None, values, type_=ARRAY(column.type))


def among(column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """`column` is one of `values` (see Among)."""
    return Among(column, values)


@compiles(Among)
def _among_listed(element: Among, compiler: Any, **options: Any) -> str:
    return str(compiler.process(element.column.in_(element.listed), **options))


@compiles(Among, "postgresql")
def _among_array(element: Among, compiler: Any, **options: Any) -> str:
    return str(compiler.process(element.column == any_(element.array), **options))
