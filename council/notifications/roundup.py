"""The day's round-up: for people who chose an e-mail for each notification, once a day, the news they
were not e-mailed about at once (a colleague's routine progress report, say: audiences.REPORTED).

Such news is held as a row on the "roundup" channel, pending, written with the in-app item in the
change's own transaction (services.write_notifications). From DIGEST_HOUR in the person's time zone, the
round-up of that day lists the held rows' records as a digest's "what changed" section does (its lines,
its rendering, the digest's e-mail template and the outbox), and marks exactly those rows sent in the
transaction that records it, once per person and day (a DigestRun of period "roundup:<date>"). So a held
report is in one round-up and never in two, however often or concurrently the task runs, and a row
committed a moment late waits for the next day's instead of being lost. Someone who meanwhile chose a
digest (which reads the same in-app items) or no e-mails has their held rows closed without an e-mail.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from council.directory.models import User, WorkingGroup
from council.events import Event
from council.extensions import db
from council.notifications.changes import STATES, _items
from council.notifications.models import (
    Channel,
    DeliveryState,
    DigestRun,
    EmailMode,
    Notification,
    NotificationPreference,
)
from council.notifications.outbox import deliver_after_commit, dispatch
from council.notifications.sections import SECTION_LIMIT
from council.timeutil import utcnow

SEND_TASK = "council.roundups.send"
SECTION = "changes"  # the round-up is the digest's "what changed" section, of the held news alone
_CHUNK = 500  # ids per IN (…) when marking rows


def period_for(time_zone: str, at: datetime) -> str | None:
    """The round-up due at `at` for a person in this zone ("roundup:2026-12-05"), or None before the
    digest hour."""
    local = at.astimezone(ZoneInfo(time_zone))
    if local.hour < current_app.config["DIGEST_HOUR"]:
        return None
    return f"roundup:{local.date().isoformat()}"


# Planning ---------------------------------------------------------------------------------------


def due_batches(at: datetime) -> Iterator[list[int]]:
    """Ids of people with held news whose round-up is due at `at` and not yet recorded, in batches."""
    batch_size = current_app.config["DIGEST_BATCH_SIZE"]
    holders = select(Notification.recipient_id).where(
        Notification.channel == Channel.ROUNDUP, Notification.state == DeliveryState.PENDING,
        Notification.created_at <= at)
    zones = list(db.session.scalars(select(User.time_zone).distinct().where(User.id.in_(holders))))
    for zone in zones:
        try:
            period = period_for(zone, at)
        except (ZoneInfoNotFoundError, ValueError):
            continue  # digests log the unknown zone; these people keep their items in the app
        if period is None:
            continue
        query = select(User.id).where(
            User.id.in_(holders), User.time_zone == zone,
            ~exists().where(DigestRun.user_id == User.id, DigestRun.period == period))
        last_id = 0
        while True:
            ids = list(db.session.scalars(query.where(User.id > last_id).order_by(User.id).limit(batch_size)))
            db.session.rollback()
            if not ids:
                break
            yield ids
            last_id = ids[-1]


def plan(at: datetime | None = None) -> int:
    """Hand the due round-ups to workers in batches (with the digests: workers/tasks.py); returns how
    many people were handed over."""
    at = at or utcnow()
    handed = 0
    for ids in due_batches(at):
        if not dispatch(SEND_TASK, ids, at.isoformat()):
            break  # the broker is down: the next beat tick plans them again
        handed += len(ids)
    return handed


# Composing and recording ------------------------------------------------------------------------


def compose_many(readers: list[User], until: datetime) -> tuple[list[dict[str, Any] | None], list[int]]:
    """Each reader's round-up (as a digest's JSON, or None without held news) and the ids of the held
    rows it covers: one query for the rows with their events, one for the events' actors and groups,
    one per record type for their current state."""
    actor = aliased(User)
    since = {reader.id: until - timedelta(days=1) for reader in readers}
    rows = db.session.execute(
        select(Notification.id, Notification.recipient_id, Notification.group_id, Notification.created_at,
               Event.subject_type, Event.subject_id, Event.kind, Event.payload, actor.name, WorkingGroup.name)
        .outerjoin(Event, Notification.event_id == Event.id)
        .outerjoin(actor, Event.actor_id == actor.id)
        .outerjoin(WorkingGroup, Notification.group_id == WorkingGroup.id)
        .where(Notification.channel == Channel.ROUNDUP, Notification.state == DeliveryState.PENDING,
               Notification.recipient_id.in_(sorted(since)), Notification.created_at <= until)
        .order_by(Notification.recipient_id, Event.id)).all()
    covered = [row[0] for row in rows]
    # Per reader, per record: its held events in order, its latest moment and its group.
    records: dict[int, dict[tuple[str, int], dict[str, Any]]] = {}
    for _id, recipient, group_id, created, subject_type, subject_id, kind, payload, actor_name, group in rows:
        if subject_type is None:  # its event was deleted since: nothing left to tell (the row is closed)
            continue
        record = records.setdefault(recipient, {}).setdefault((subject_type, subject_id), {
            "events": [], "at": created, "group_id": group_id, "group": group})
        record["events"].append((kind, payload, actor_name))
        if created >= record["at"]:
            record["at"], record["group_id"], record["group"] = created, group_id, group
        since[recipient] = min(since[recipient], created)
    shown = {recipient: sorted(held.items(), key=lambda item: (-item[1]["at"].timestamp(), item[0]))
             [:SECTION_LIMIT] for recipient, held in records.items()}
    by_type: dict[str, set[int]] = {}
    for held in shown.values():
        for (subject_type, subject_id), _record in held:
            by_type.setdefault(subject_type, set()).add(subject_id)
    states = {(type_, id_): state for type_, ids in by_type.items() if type_ in STATES
              for id_, state in STATES[type_](ids).items()}
    contents: list[dict[str, Any] | None] = []
    for reader in readers:
        latest = shown.get(reader.id)
        if not latest:
            contents.append(None)
            continue
        lines = [SimpleNamespace(subject_type=key[0], subject_id=key[1], at=record["at"],
                                 heading_id=record["group_id"], group_name=record["group"])
                 for key, record in latest]
        items = _items(lines, {key: record["events"] for key, record in latest}, states)
        contents.append({"mode": EmailMode.IMMEDIATE.value, "since": since[reader.id].isoformat(),
                         "until": until.isoformat(),
                         "sections": [{"key": SECTION, "items": items, "total": len(records[reader.id])}]})
    return contents, covered


def send_due(user_ids: list[int], at: datetime) -> int:
    """Record the due round-ups of these people (one batch, one commit) and queue their e-mails;
    returns how many were queued. If another worker recorded one of them meanwhile, each person is done
    in a transaction of their own, and that one is skipped."""
    queued = _record(user_ids, at)
    if queued is None:
        queued = sum(_record([user_id], at) or 0 for user_id in user_ids)
    return queued


def _record(user_ids: list[int], at: datetime) -> int | None:
    people = db.session.execute(
        select(User, NotificationPreference.email_mode)
        .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(User.id.in_(user_ids)).order_by(User.id)).all()
    due: list[tuple[User, str, bool]] = []  # (person, period, e-mailed or only closed)
    for person, mode in people:
        try:
            period = period_for(person.time_zone, at)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        if period is not None:
            mailed = person.active and (mode or EmailMode.IMMEDIATE) == EmailMode.IMMEDIATE
            due.append((person, period, mailed))
    done = set(db.session.execute(select(DigestRun.user_id, DigestRun.period).where(
        DigestRun.user_id.in_([person.id for person, _period, _mailed in due]),
        DigestRun.period.in_(sorted({period for _person, period, _mailed in due})))).all())
    due = [(person, period, mailed) for person, period, mailed in due if (person.id, period) not in done]
    if not due:
        db.session.rollback()
        return 0
    contents, covered = compose_many([person for person, _period, _mailed in due], at)
    notifications = []
    for (person, period, mailed), content in zip(due, contents, strict=True):
        if not mailed:  # their held rows are closed below; a digest's window must not end here
            continue
        since = datetime.fromisoformat(content["since"]) if content else at - timedelta(days=1)
        run = DigestRun(user_id=person.id, period=period, since=since, until=at)
        if content is not None:
            run.notification = Notification(
                council_id=person.council_id, recipient_id=person.id, kind="digest", channel=Channel.EMAIL,
                state=DeliveryState.PENDING, payload=content, dedupe_key=period, next_attempt_at=utcnow())
            notifications.append(run.notification)
        db.session.add(run)
    now = utcnow()
    for start in range(0, len(covered), _CHUNK):
        db.session.execute(update(Notification)
                           .where(Notification.id.in_(covered[start:start + _CHUNK]),
                                  Notification.state == DeliveryState.PENDING)
                           .values(state=DeliveryState.SENT, sent_at=now)
                           .execution_options(synchronize_session=False))
    try:
        db.session.flush()
        deliver_after_commit(notification.id for notification in notifications)
        db.session.commit()
    except IntegrityError:  # another worker recorded one of these round-ups first
        db.session.rollback()
        return None
    return len(notifications)
