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
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from council.directory.models import User
from council.extensions import db
from council.notifications.messages import Reader, external_url
from council.notifications.models import (
    Channel,
    DeliveryState,
    DigestRun,
    EmailMode,
    Notification,
    NotificationPreference,
)
from council.notifications.outbox import deliver_after_commit, dispatch
from council.notifications.sections import Window, digest_context, in_order
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
    sections = []
    for section in in_order():
        items, total = section.collect(person, window)
        if items:
            sections.append({"key": section.key, "items": items, "total": total})
    if not sections:
        return None
    return {"mode": window.mode.value, "since": window.since.isoformat(),
            "until": window.until.isoformat(), "sections": sections}


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
    """Create the due digests of these people (one batch); returns how many e-mails were queued."""
    people = db.session.execute(
        select(User, NotificationPreference)
        .join(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(User.id.in_(user_ids)).order_by(User.id)).all()
    # Each digest commits on its own; the batch's people, read once above, need not be read again.
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        return sum(create_digest(person, preference, at) for person, preference in people)
    finally:
        session.expire_on_commit = expire_on_commit


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
    from flask_babel import force_locale

    from council.emails import render_email

    preference = preference_of(person)
    if mode is None:
        mode = preference.email_mode if preference.email_mode in PERIOD_LENGTH else EmailMode.DAILY
    content = compose(person, window_for(person, mode, at or utcnow()))
    if content is None:
        return None
    reader = Reader.of(person)
    with force_locale(person.language):
        context = digest_context(content, reader)
    return render_email("digest", person.language, person=person, reader=reader,
                        unsubscribe_link=external_url("notifications.unsubscribe",
                                                      token=unsubscribe_token(person)),
                        preferences_link=external_url("notifications.preferences"), **context)
