"""Digests: one e-mail per person and period, around 07:00 in their time zone, only when there is news.

A digest is composed in SQL from indexed columns, section by section; each domain adds its sections
with @digest_section. People are streamed in batches of ids, so memory does not grow with their number,
and each (person, period) is recorded once in DigestRun: running the task twice sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import Table, exists, func, insert, select
from sqlalchemy.exc import IntegrityError

from council.dbtypes import among
from council.directory.models import User
from council.extensions import db
from council.notifications.letters import digest_letter
from council.notifications.messages import external_url
from council.notifications.models import (
    Channel,
    DeliveryState,
    DigestRun,
    EmailMode,
    Notification,
    NotificationPreference,
)
from council.notifications.outbox import deliver_after_commit, deliver_in_chunks, dispatch
from council.notifications.sections import Readers, Window, in_order
from council.notifications.services import preference_of
from council.notifications.tokens import unsubscribe_token
from council.timeutil import utcnow

logger = logging.getLogger(__name__)

SEND_TASK = "council.digests.send"
PERIOD_LENGTH = {EmailMode.DAILY: timedelta(days=1), EmailMode.WEEKLY: timedelta(days=7)}
# However long ago the last digest was, a digest looks back at most this far.
LONGEST_WINDOW = timedelta(days=31)


# Composing ----------------------------------------------------------------------------------------


def compose(person: User, window: Window) -> dict[str, Any] | None:
    """The digest's content as JSON (stored on the outbox row), or None when there is nothing to say."""
    return compose_many([(person, window)])[0]


def compose_many(readers: Readers) -> list[dict[str, Any] | None]:
    """The digests of a batch of readers, in order: each section collects for the whole batch with a
    fixed number of queries, so a batch costs the same number of queries for 1 reader or 200."""
    collected = [(section, section.collect(readers)) for section in in_order()]
    digests: list[dict[str, Any] | None] = []
    for position, (_person, window) in enumerate(readers):
        sections = [{"key": section.key, "items": items, "total": total}
                    for section, results in collected
                    for items, total in [results[position]] if items]
        digests.append({"mode": window.mode.value, "since": window.since.isoformat(),
                        "until": window.until.isoformat(), "sections": sections} if sections else None)
    return digests


# Periods and windows ------------------------------------------------------------------------------


def period_for(mode: EmailMode, weekday: int, time_zone: str, at: datetime) -> str | None:
    """The period whose digest is due at `at` for such a person, or None if none is due."""
    local = at.astimezone(ZoneInfo(time_zone))
    if local.hour < current_app.config["DIGEST_HOUR"]:
        return None
    if mode == EmailMode.DAILY:
        return f"daily:{local.date().isoformat()}"
    if mode == EmailMode.WEEKLY and local.weekday() == weekday:
        year, week, _day = local.isocalendar()
        return f"weekly:{year}-W{week:02d}"
    return None


def window_for(person: User, mode: EmailMode, until: datetime) -> Window:
    """Since the person's last digest (at most LONGEST_WINDOW ago), else one period back."""
    last = db.session.scalar(select(func.max(DigestRun.until)).where(DigestRun.user_id == person.id))
    return _window(mode, until, last)


def _window(mode: EmailMode, until: datetime, last: datetime | None) -> Window:
    since = until - PERIOD_LENGTH[mode] if last is None else max(last, until - LONGEST_WINDOW)
    return Window(since, until, mode)


# Sending ------------------------------------------------------------------------------------------


def create_digest(person: User, preference: NotificationPreference, at: datetime) -> bool:
    """Record one person's digest for the period due at `at`, with its outbox row if there is news;
    True when an e-mail was queued.

    Safe to run twice and concurrently: the (person, period) unique constraint lets one through.
    """
    if not person.active or preference.email_mode not in PERIOD_LENGTH:
        return False
    user_id = person.id
    period = period_for(preference.email_mode, preference.digest_weekday, person.time_zone, at)
    if period is None or db.session.scalar(select(DigestRun.id).where(
            DigestRun.user_id == user_id, DigestRun.period == period)) is not None:
        return False
    window = window_for(person, preference.email_mode, at)
    content = compose(person, window)
    run = DigestRun(user_id=user_id, period=period, since=window.since, until=window.until)
    db.session.add(run)
    if content is not None:
        run.notification = Notification(
            council_id=person.council_id, recipient_id=user_id, kind="digest", channel=Channel.EMAIL,
            state=DeliveryState.PENDING, payload=content, dedupe_key=f"digest:{period}",
            next_attempt_at=utcnow())
    try:
        db.session.flush()
        if run.notification is not None:
            deliver_after_commit([run.notification.id])
        db.session.commit()
    except IntegrityError:  # another worker recorded this digest first
        db.session.rollback()
        return False
    return content is not None


def send_due(user_ids: list[int], at: datetime) -> int:
    """Create the due digests of these people (one batch); returns how many e-mails were queued.

    The batch is read, composed and recorded with a fixed number of queries and one commit; its e-mails
    are then handed to one delivery task per DELIVERY_CHUNK rows. If another worker recorded one of
    these digests meanwhile (the unique (person, period) refuses the batch), each person is done on
    their own instead, and that one is skipped."""
    people = db.session.execute(
        select(User, NotificationPreference)
        .join(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(among(User.id, user_ids)).order_by(User.id)).all()
    due = []
    for person, preference in people:
        if not person.active or preference.email_mode not in PERIOD_LENGTH:
            continue
        period = period_for(preference.email_mode, preference.digest_weekday, person.time_zone, at)
        if period is not None:
            due.append((person, preference, period))
    if not due:
        db.session.rollback()
        return 0
    # Each digest's session objects stay readable after the commit below (and the fallback's commits).
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        queued = _record_batch(due, at)
        if queued is None:  # someone else recorded some of them: one by one, each once
            queued = sum(create_digest(person, preference, at) for person, preference, _period in due)
        return queued
    finally:
        session.expire_on_commit = expire_on_commit


def _record_batch(due: list[tuple[User, NotificationPreference, str]], at: datetime) -> int | None:
    """Record the batch's digests in one transaction; None when one was recorded by someone else."""
    ids = [person.id for person, _preference, _period in due]
    done = set(db.session.execute(select(DigestRun.user_id, DigestRun.period).where(
        among(DigestRun.user_id, ids),
        DigestRun.period.in_(sorted({period for *_rest, period in due})))).all())
    last = dict(db.session.execute(select(DigestRun.user_id, func.max(DigestRun.until))
                                   .where(among(DigestRun.user_id, ids)).group_by(DigestRun.user_id)).all())
    todo = [(person, preference, period) for person, preference, period in due
            if (person.id, period) not in done]
    windows = [_window(preference.email_mode, at, last.get(person.id)) for person, preference, _ in todo]
    contents = compose_many([(person, window) for (person, _, _), window in zip(todo, windows, strict=True)])
    # Written set-based, a statement a table for the batch (the ORM inserts one row at a time on SQLite,
    # where it cannot match RETURNING to its objects): the outbox rows, then their ids read back by
    # recipient and key (unique together), then the runs pointing at them. A plain executemany, which
    # psycopg sends as one prepared statement in a pipeline: with RETURNING, SQLAlchemy writes the batch
    # as one statement of 2,200 parameters, which psycopg converts anew every time (twice the time).
    now = utcnow()
    outbox_rows = [dict(council_id=person.council_id, recipient_id=person.id, kind="digest",
                        channel=Channel.EMAIL, state=DeliveryState.PENDING, payload=content,
                        dedupe_key=f"digest:{period}", next_attempt_at=now, created_at=now)
                   for (person, _preference, period), content in zip(todo, contents, strict=True)
                   if content is not None]
    try:
        notification_of: dict[int, int] = {}
        if outbox_rows:
            db.session.execute(insert(_table(Notification)), outbox_rows)
            keys = {(row["recipient_id"], row["dedupe_key"]) for row in outbox_rows}
            notification_of.update(
                (recipient, notification) for recipient, key, notification in db.session.execute(
                    select(Notification.recipient_id, Notification.dedupe_key, Notification.id).where(
                        among(Notification.recipient_id, [recipient for recipient, _key in keys]),
                        Notification.channel == Channel.EMAIL,
                        Notification.dedupe_key.in_(sorted({key for _recipient, key in keys}))))
                if (recipient, key) in keys)
        if todo:
            db.session.execute(insert(_table(DigestRun)), [
                dict(user_id=person.id, period=period, since=window.since, until=window.until,
                     notification_id=notification_of.get(person.id), created_at=now)
                for (person, _preference, period), window in zip(todo, windows, strict=True)])
        db.session.commit()
    except IntegrityError:  # another worker recorded one of these digests first
        db.session.rollback()
        return None
    ids_to_send = [notification_of[person.id] for (person, _preference, _period), content
                   in zip(todo, contents, strict=True) if content is not None]
    deliver_in_chunks(ids_to_send)
    return len(ids_to_send)


def _table(model: type[Any]) -> Table:
    """The model's table, for Core's executemany (no ORM objects, no per-row flush)."""
    table: Table = model.__table__
    return table


def _digest_zones() -> list[str]:
    return list(db.session.scalars(
        select(User.time_zone).distinct()
        .join(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(NotificationPreference.email_mode.in_(list(PERIOD_LENGTH)), User.active.is_(True))))


def due_batches(at: datetime) -> Iterator[list[int]]:
    """Ids of people whose digest is due at `at` and not yet recorded, zone by zone, in batches."""
    batch_size = current_app.config["DIGEST_BATCH_SIZE"]
    for zone in _digest_zones():
        try:
            local = at.astimezone(ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            logger.warning("Skipping digests of people in the unknown time zone %r", zone)
            continue
        for mode in PERIOD_LENGTH:
            period = period_for(mode, local.weekday(), zone, at)
            if period is None:
                continue
            query = (select(User.id)
                     .join(NotificationPreference, NotificationPreference.user_id == User.id)
                     .where(NotificationPreference.email_mode == mode, User.time_zone == zone,
                            User.active.is_(True),
                            ~exists().where(DigestRun.user_id == User.id, DigestRun.period == period)))
            if mode == EmailMode.WEEKLY:
                query = query.where(NotificationPreference.digest_weekday == local.weekday())
            last_id = 0
            while True:
                ids = list(db.session.scalars(query.where(User.id > last_id)
                                              .order_by(User.id).limit(batch_size)))
                db.session.rollback()
                if not ids:
                    break
                yield ids
                last_id = ids[-1]


def plan(at: datetime | None = None) -> int:
    """Hand the due digests to workers in batches; returns how many people were handed over."""
    at = at or utcnow()
    handed = 0
    for ids in due_batches(at):
        if not dispatch(SEND_TASK, ids, at.isoformat()):
            break  # the broker is down: the next beat tick plans them again
        handed += len(ids)
    return handed


def preview(person: User, mode: EmailMode | None = None,
            at: datetime | None = None) -> tuple[str, str, str] | None:
    """What the person's next digest would say now (subject, text, HTML), without recording it."""
    preference = preference_of(person)
    if mode is None:
        mode = preference.email_mode if preference.email_mode in PERIOD_LENGTH else EmailMode.DAILY
    content = compose(person, window_for(person, mode, at or utcnow()))
    if content is None:
        return None
    return digest_letter(content, person, external_url("notifications.unsubscribe",
                                                        token=unsubscribe_token(person)))
