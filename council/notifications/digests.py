"""Digests: one e-mail per person and period, around 07:00 in their time zone, only when there is news.

A digest is composed in SQL from indexed columns, section by section; each domain adds its sections
with @digest_section. People are streamed in batches of ids, so memory does not grow with their number,
and each (person, period) is recorded once in DigestRun: running the task twice sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from council.directory.models import User, WorkingGroup
from council.events import Event
from council.extensions import db
from council.notifications.messages import Reader, describe, external_url, subject_details
from council.notifications.models import (
    Channel,
    DeliveryState,
    DigestRun,
    EmailMode,
    Notification,
    NotificationPreference,
)
from council.notifications.outbox import deliver_after_commit, dispatch
from council.timeutil import utcnow

logger = logging.getLogger(__name__)

SEND_TASK = "council.digests.send"
PERIOD_LENGTH = {EmailMode.DAILY: timedelta(days=1), EmailMode.WEEKLY: timedelta(days=7)}
# However long ago the last digest was, a digest looks back at most this far.
LONGEST_WINDOW = timedelta(days=31)
SECTION_LIMIT = 40


@dataclass(frozen=True)
class Window:
    """What one digest covers: changes after `since` up to `until`, for a daily or weekly reader."""

    since: datetime
    until: datetime
    mode: EmailMode


@dataclass(frozen=True)
class Line:
    text: str
    link: str
    when: str = ""


Items = list[dict[str, Any]]
Collect = Callable[[User, Window], tuple[Items, int]]
Render = Callable[[dict[str, Any], Reader], Line]


@dataclass(frozen=True)
class DigestSection:
    key: str
    title: Any  # a lazy string
    collect: Collect
    render: Render


SECTIONS: dict[str, DigestSection] = {}
# Kinds of notification that a section of their own lists, so "what changed" leaves them out.
SECTION_KINDS: set[str] = set()


def digest_section(key: str, title: Any, render: Render) -> Callable[[Collect], Collect]:
    """Register a section: `collect` returns JSON-ready items (at most SECTION_LIMIT) and their total."""

    def register(collect: Collect) -> Collect:
        SECTIONS[key] = DigestSection(key, title, collect, render)
        return collect

    return register


# Composing ----------------------------------------------------------------------------------------


def compose(person: User, window: Window) -> dict[str, Any] | None:
    """The digest's content as JSON (stored on the outbox row), or None when there is nothing to say."""
    sections = []
    for section in SECTIONS.values():
        items, total = section.collect(person, window)
        if items:
            sections.append({"key": section.key, "items": items, "total": total})
    if not sections:
        return None
    return {"mode": window.mode.value, "since": window.since.isoformat(),
            "until": window.until.isoformat(), "sections": sections}


def _render_change(item: dict[str, Any], reader: Reader) -> Line:
    message = describe(item["kind"], item["payload"], reader, actor=item.get("actor"),
                       group=item.get("group"))
    return Line(message.headline, external_url("notifications.open_notification", notification_id=item["id"]),
                reader.when(item["at"], "short"))


@digest_section("changes", _l("What changed in your working groups and commitments"), _render_change)
def collect_changes(person: User, window: Window) -> tuple[Items, int]:
    """The person's own notifications of the window (reminders have sections of their own)."""
    actor = aliased(User)
    conditions = (Notification.recipient_id == person.id, Notification.channel == Channel.IN_APP,
                  Notification.created_at > window.since, Notification.created_at <= window.until,
                  Notification.event_id.is_not(None), Notification.kind.not_in(sorted(SECTION_KINDS)))
    rows = db.session.execute(
        select(Notification.id, Notification.kind, Notification.created_at, Event.payload,
               Event.subject_type, Event.subject_id, actor.name, WorkingGroup.name)
        .join(Event, Notification.event_id == Event.id)
        .outerjoin(actor, Event.actor_id == actor.id)
        .outerjoin(WorkingGroup, Notification.group_id == WorkingGroup.id)
        .where(*conditions)
        .order_by(Notification.created_at, Notification.id).limit(SECTION_LIMIT)).all()
    details = subject_details((subject_type, subject_id) for *_, subject_type, subject_id, _a, _g in rows)
    items = [{"id": id_, "kind": kind, "at": at.isoformat(),
              "payload": {**payload, **details.get((subject_type, subject_id), {})},
              "actor": actor_name, "group": group_name}
             for id_, kind, at, payload, subject_type, subject_id, actor_name, group_name in rows]
    total = len(items)
    if total == SECTION_LIMIT:
        total = db.session.scalar(select(func.count()).select_from(Notification).where(*conditions)) or 0
    return items, total


def digest_context(content: dict[str, Any], reader: Reader) -> dict[str, Any]:
    """What the digest templates show, in the reader's words (call inside force_locale)."""
    until = datetime.fromisoformat(content["until"])
    if content["mode"] == EmailMode.WEEKLY:
        since = datetime.fromisoformat(content["since"])
        subject = _("Council: your weekly digest, %(start)s – %(end)s",
                    start=reader.date(since, "medium"), end=reader.date(until, "medium"))
    else:
        subject = _("Council: your digest for %(date)s", date=reader.date(until))
    sections = []
    count = 0
    for data in content["sections"]:
        section = SECTIONS.get(data["key"])
        if section is None:  # a section retired since the digest was composed
            continue
        lines = [section.render(item, reader) for item in data["items"]]
        more = max(data["total"] - len(lines), 0)
        count += data["total"]
        sections.append({"title": str(section.title), "lines": lines,
                         "more": ngettext("and %(num)d more in the app", "and %(num)d more in the app",
                                          more) if more else ""})
    summary = ngettext("%(num)d item for you", "%(num)d items for you", count)
    return {"subject": subject, "summary": summary, "sections": sections,
            "app_link": external_url("notifications.index")}


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
    from council.notifications.services import preference_of, unsubscribe_token

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
