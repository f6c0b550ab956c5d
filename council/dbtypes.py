"""Column types shared by the domain models."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Enum, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB

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
