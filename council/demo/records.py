"""get-or-create by natural key: what makes every demo loader safe to run twice."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select

from council.extensions import db

T = TypeVar("T")


def upsert(model: type[T], key: dict[str, Any], **values: Any) -> T:
    """The row with `key`, created with `values` when missing; existing rows are left as they are."""
    query = select(model).filter_by(**key)
    record = db.session.scalar(query)
    if record is None:
        record = model(**key, **values)
        db.session.add(record)
        db.session.flush()
    return record
