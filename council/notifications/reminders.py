"""Reminders: notifications made by the calendar rather than by a change (due soon, overdue, tomorrow).

Each domain registers a source with @reminder_source: given the moment of the run, it yields the
reminders due then. Every reminder carries a key ("commitment:12:due-7:2026-12-01") that is unique per
person and channel, so running the reminders hourly, twice, or on two workers sends each one once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from council.extensions import db
from council.notifications.audiences import Importance
from council.notifications.models import Notification, ReminderKind
from council.notifications.services import write_notifications
from council.timeutil import utcnow

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reminder:
    kind: ReminderKind  # with a headline in messages.EVENT_HEADLINES
    council_id: int
    recipient_ids: frozenset[int]
    key: str
    group_id: int | None = None
    # What the message needs (code, title, due_date, days, …) and the record it is about
    # (subject_type, subject_id), so the e-mail can link to its page.
    payload: dict[str, Any] = field(default_factory=dict)


ReminderSource = Callable[[datetime], Iterable[Reminder]]
SOURCES: list[ReminderSource] = []


def reminder_source(source: ReminderSource) -> ReminderSource:
    if source not in SOURCES:
        SOURCES.append(source)
    return source


def write_reminder(reminder: Reminder) -> int:
    """Write one reminder for whoever has not had it yet, in its own transaction; returns rows written."""
    already = set(db.session.scalars(select(Notification.recipient_id).where(
        Notification.dedupe_key == reminder.key,
        Notification.recipient_id.in_(sorted(reminder.recipient_ids)))))
    recipients = set(reminder.recipient_ids) - already
    if not recipients:
        return 0
    try:  # write_notifications inserts the rows at once, so another run's rows can clash there too
        written = write_notifications(kind=reminder.kind, council_id=reminder.council_id, direct=recipients,
                                      group_members=set(), importance=Importance.IMPORTANT,
                                      group_id=reminder.group_id, payload=reminder.payload,
                                      dedupe_key=reminder.key)
        db.session.commit()
    except IntegrityError:  # another run wrote it a moment ago
        db.session.rollback()
        return 0
    return written


def send_reminders(at: datetime | None = None) -> int:
    """Run every source once; returns how many notification rows were written."""
    at = at or utcnow()
    written = 0
    for source in SOURCES:
        for reminder in source(at):
            written += write_reminder(reminder)
    return written
