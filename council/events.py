"""Domain events: the audit history of every record, and what notifications are made from.

Services call record() inside their own transaction, so an event exists exactly when the change does.
Listeners (notifications) run in that same transaction and may add rows of their own; the tracker and
meetings never import them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import JSON, ForeignKey, Index, Select, String, select
from sqlalchemy.orm import Mapped, mapped_column

from council.extensions import Model, db
from council.timeutil import utcnow


class Subject(Protocol):
    id: Any


class Event(Model):
    __tablename__ = "event"
    __table_args__ = (Index("ix_event_subject", "subject_type", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    council_id: Mapped[int | None] = mapped_column(ForeignKey("council.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


Listener = Callable[[Event], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> Listener:
    """Register a function called with every recorded event (usable as a decorator)."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def record(kind: StrEnum, subject: Subject, actor: Subject | None = None, *,
           council_id: int | None = None, **payload: Any) -> Event:
    """Add an event for `subject` to the current transaction; the caller commits."""
    if subject.id is None:
        db.session.flush()
    event = Event(kind=str(kind), subject_type=subject.__class__.__name__.lower(),
                  subject_id=subject.id, actor_id=actor.id if actor is not None else None,
                  council_id=council_id if council_id is not None else getattr(subject, "council_id", None),
                  payload=payload, created_at=utcnow())
    db.session.add(event)
    db.session.flush()
    for listener in _listeners:
        listener(event)
    return event


def history_query(subject_type: str, subject_id: int) -> Select[Event]:
    """A record's events, newest first (pages show it a page at a time: tracker.queries.newest_first)."""
    return (select(Event).where(Event.subject_type == subject_type, Event.subject_id == subject_id)
            .order_by(Event.id.desc()))


def history(subject_type: str, subject_id: int, limit: int = 200) -> list[Event]:
    """A record's latest events, newest first."""
    return list(db.session.scalars(history_query(subject_type, subject_id).limit(limit)))
