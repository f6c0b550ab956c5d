"""Rules of notifications: writing them, people's choices, the in-app list, the outbox for admins."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, false, func, insert, select, true, update

from council import events
from council.auth.permissions import administrators, require, rule
from council.directory.models import Council, Membership, User
from council.errors import Conflict, NotFound, ValidationFailed
from council.events import Event
from council.extensions import db
from council.notifications.audiences import (
    REMINDER_KINDS,
    REMINDERS,
    TRANSACTIONAL,
    Importance,
    asked_action,
    group_and_council,
    hearers_for,
    recipients_of,
    settled_by,
)
from council.notifications.models import (
    Channel,
    DeliveryState,
    EmailMode,
    GroupLevel,
    GroupNotificationSetting,
    Notification,
    NotificationEvent,
    NotificationPreference,
)
from council.notifications.outbox import deliver_after_commit
from council.timeutil import council_today, utcnow

_EMAILS = ContextVar("council_notification_emails", default=True)


@contextmanager
def in_app_only() -> Iterator[None]:
    """Within this block notifications go to the in-app list only (loading demo data, whose changes
    did not just happen to anyone)."""
    token = _EMAILS.set(False)
    try:
        yield
    finally:
        _EMAILS.reset(token)


@rule("notifications.preferences")
def _edit_preferences(user: User, person: Any) -> bool:
    return bool(person.id == user.id)


@rule("notifications.outbox", who=administrators)
def _manage_outbox(user: User, council_id: Any) -> bool:
    return False  # administrators only (they pass every rule)


# Writing notifications ----------------------------------------------------------------------------


def _hears(direct: bool, level: GroupLevel, importance: Importance | None) -> bool:
    if direct:
        return True
    if level == GroupLevel.MUTED or importance is None:
        return False
    return level == GroupLevel.ALL or importance == Importance.IMPORTANT


def write_notifications(*, kind: str, council_id: int, direct: set[int], group_members: set[int],
                        importance: Importance | None, group_id: int | None,
                        event_id: int | None = None, payload: dict[str, Any] | None = None,
                        dedupe_key: str | None = None, transactional: bool = False,
                        record_key: str | None = None, emailed: set[int] | None = None) -> int:
    """Add the in-app and e-mail rows for these people to the current transaction.

    Each person gets an entry in the app, and an e-mail now if they chose immediate e-mails (people on
    digests read it in their next digest). Transactional messages (an invitation) are e-mailed only,
    whatever the preferences. The e-mails are handed to Celery once the transaction commits.

    With a `record_key`, a person's in-app item of that key is brought up to date and unread again
    instead of a second one being added: one item per record and day, one per request for an action.

    With `emailed`, only those people are e-mailed now; the others who chose immediate e-mails get a
    row held for their day's round-up instead (notifications.roundup), so they still hear of it once.

    The rows go in as one INSERT and the items brought up to date in one UPDATE (a report tells a whole
    group: one object per row through the ORM's unit of work was two fifths of a report's cost).
    Returns how many rows were added.
    """
    people = direct | group_members
    if not people:
        return 0
    keyed = record_key is not None and not transactional
    query = (
        select(User.id, NotificationPreference.email_mode, GroupNotificationSetting.level,
               # whether the person has the record's item already (one at most: the unique key)
               Notification.id.is_not(None) if keyed else false())
        .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
        .outerjoin(GroupNotificationSetting, (GroupNotificationSetting.user_id == User.id)
                   & (GroupNotificationSetting.group_id == group_id))
        .where(User.id.in_(sorted(people)), User.active.is_(True), User.council_id == council_id,
               # Until someone accepts their invitation (and so has a password), the invitation is
               # all they are sent: no tracker or meeting news to an address nobody has confirmed.
               true() if transactional else User.password_hash.is_not(None)))
    if keyed:
        query = query.outerjoin(Notification, (Notification.recipient_id == User.id)
                                & (Notification.channel == Channel.IN_APP)
                                & (Notification.dedupe_key == record_key))
    now = utcnow()
    written: list[dict[str, Any]] = []
    refreshed: list[int] = []
    for user_id, mode, level, has_item in db.session.execute(query):
        if not transactional and not _hears(user_id in direct, level or GroupLevel.NORMAL, importance):
            continue
        # Every row names the same columns, so that the rows go in as one statement.
        common = dict(council_id=council_id, recipient_id=user_id, event_id=event_id,
                      group_id=group_id, kind=kind, payload=payload or {}, dedupe_key=dedupe_key,
                      created_at=now, sent_at=None, next_attempt_at=None)
        if has_item:
            refreshed.append(user_id)
        elif not transactional:
            written.append({**common, "channel": Channel.IN_APP, "state": DeliveryState.SENT, "sent_at": now,
                            "dedupe_key": dedupe_key or record_key})
        if _EMAILS.get() and (transactional or (mode or EmailMode.IMMEDIATE) == EmailMode.IMMEDIATE):
            if transactional or emailed is None or user_id in emailed:
                written.append({**common, "channel": Channel.EMAIL, "state": DeliveryState.PENDING,
                                "next_attempt_at": now})
            else:
                written.append({**common, "channel": Channel.ROUNDUP, "state": DeliveryState.PENDING})
    if refreshed:
        # The record's item says what happened last, at the top of the list, unread and not done.
        db.session.execute(update(Notification).where(
            Notification.channel == Channel.IN_APP, Notification.dedupe_key == record_key,
            Notification.recipient_id.in_(refreshed)).values(
            kind=kind, event_id=event_id, group_id=group_id, payload=payload or {}, created_at=now,
            sent_at=now, read_at=None, done_at=None))
    if not written:
        return 0
    # Every row's NULLs written as such, so that all rows have the same columns and go in together (the
    # ORM would leave a None out and start another INSERT at each row of another shape), and RETURNING
    # in whatever order they went in (each row says its channel; asked for their own order, SQLite
    # inserts them one statement at a time).
    added = db.session.execute(insert(Notification).returning(Notification.id, Notification.channel),
                               written, execution_options={"render_nulls": True}).all()
    deliver_after_commit(row_id for row_id, channel in added if channel == Channel.EMAIL)
    return len(added)


def complete_requests(key: str, *, recipient_id: int | None = None) -> int:
    """Mark done (and read) the open in-app items of this request key: of one person, or everyone's
    when the thing asked for is settled for all (the minutes are final, the report was verified)."""
    now = utcnow()
    query = update(Notification).where(Notification.channel == Channel.IN_APP,
                                       Notification.dedupe_key == key, Notification.done_at.is_(None))
    if recipient_id is not None:
        query = query.where(Notification.recipient_id == recipient_id)
    result = db.session.execute(query.values(done_at=now, read_at=func.coalesce(Notification.read_at, now))
                                .execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


# Preferences --------------------------------------------------------------------------------------


def preference_of(person: User) -> NotificationPreference:
    """The person's saved choice, or the defaults (not added to the session)."""
    saved = db.session.get(NotificationPreference, person.id)
    return saved or NotificationPreference(user_id=person.id, email_mode=EmailMode.IMMEDIATE,
                                           digest_weekday=0)


def group_levels(person: User) -> dict[int, GroupLevel]:
    """The person's level for each group they belong to (normal unless they chose otherwise)."""
    rows = db.session.execute(
        select(Membership.group_id, GroupNotificationSetting.level)
        .outerjoin(GroupNotificationSetting, (GroupNotificationSetting.user_id == Membership.user_id)
                   & (GroupNotificationSetting.group_id == Membership.group_id))
        .where(Membership.user_id == person.id))
    return {group_id: level or GroupLevel.NORMAL for group_id, level in rows}


def save_preferences(actor: User, person: User, *, email_mode: EmailMode, digest_weekday: int,
                     levels: Mapping[int, GroupLevel]) -> NotificationPreference:
    """Save how a person hears about things: the e-mail mode, the digest weekday, each group's level."""
    require(actor, "notifications.preferences", person)
    if digest_weekday not in range(7):
        raise ValidationFailed(_("Choose a day of the week."), field="digest_weekday")
    current = group_levels(person)
    unknown = set(levels) - set(current)
    if unknown:
        raise ValidationFailed(_("You can only choose levels for your own working groups."))
    preference = db.session.get(NotificationPreference, person.id)
    if preference is None:
        preference = NotificationPreference(user_id=person.id)
        db.session.add(preference)
    changes: dict[str, Any] = {}
    if preference.email_mode != email_mode or preference.digest_weekday != digest_weekday:
        changes.update(email_mode=email_mode.value, digest_weekday=digest_weekday)
    preference.email_mode = email_mode
    preference.digest_weekday = digest_weekday
    for group_id, level in levels.items():
        if current[group_id] == level:
            continue
        setting = db.session.get(GroupNotificationSetting, (person.id, group_id))
        if setting is None:
            setting = GroupNotificationSetting(user_id=person.id, group_id=group_id)
            db.session.add(setting)
        setting.level = level
        changes.setdefault("groups", {})[str(group_id)] = level.value
    if changes:
        events.record(NotificationEvent.PREFERENCES_CHANGED, person, actor, **changes)
    return preference


# Unsubscribing ------------------------------------------------------------------------------------


def unsubscribe(person: User) -> bool:
    """Stop every e-mail but transactional ones (the in-app list stays); False if already stopped."""
    preference = db.session.get(NotificationPreference, person.id)
    if preference is not None and preference.email_mode == EmailMode.NONE:
        return False
    if preference is None:
        preference = NotificationPreference(user_id=person.id, digest_weekday=0)
        db.session.add(preference)
    previous = preference.email_mode or EmailMode.IMMEDIATE
    preference.email_mode = EmailMode.NONE
    events.record(NotificationEvent.UNSUBSCRIBED, person, person, previous=str(previous))
    return True


# The in-app list ----------------------------------------------------------------------------------


def unread_count(person: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == person.id, Notification.channel == Channel.IN_APP,
        Notification.read_at.is_(None))) or 0


def inbox_query(person: User, *, unread_only: bool = False) -> Select[Notification]:
    query = select(Notification).where(Notification.recipient_id == person.id,
                                       Notification.channel == Channel.IN_APP)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def open_notification(person: User, notification_id: int) -> Notification:
    """The person's notification (in-app or e-mailed), marked read with its in-app twin."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.recipient_id != person.id:
        raise NotFound(_("There is nothing at this address."))
    twins = update(Notification).where(Notification.recipient_id == person.id,
                                       Notification.channel == Channel.IN_APP,
                                       Notification.read_at.is_(None))
    if row.event_id is not None:
        twins = twins.where(Notification.event_id == row.event_id)
    elif row.dedupe_key is not None:
        twins = twins.where(Notification.dedupe_key == row.dedupe_key)
    else:
        twins = twins.where(Notification.id == row.id)
    db.session.execute(twins.values(read_at=utcnow()).execution_options(synchronize_session=False))
    return row


def mark_all_read(person: User) -> int:
    result = db.session.execute(
        update(Notification).where(Notification.recipient_id == person.id,
                                   Notification.channel == Channel.IN_APP,
                                   Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


# The outbox, for administrators -------------------------------------------------------------------


def outbox_query(council_id: int, state: DeliveryState) -> Select[Notification]:
    return (select(Notification)
            .where(Notification.council_id == council_id, Notification.channel == Channel.EMAIL,
                   Notification.state == state)
            .order_by(Notification.id.desc()))


def outbox_counts(council_id: int) -> dict[DeliveryState, int]:
    rows = db.session.execute(
        select(Notification.state, func.count()).where(
            Notification.council_id == council_id, Notification.channel == Channel.EMAIL)
        .group_by(Notification.state))
    counts = dict.fromkeys(DeliveryState, 0)
    counts.update({DeliveryState(state): count for state, count in rows})
    return counts


def retry(actor: User, row: Notification) -> Notification:
    """Give a failed e-mail a fresh set of attempts; it is queued once the caller commits."""
    require(actor, "notifications.outbox", row.council_id)
    if row.channel != Channel.EMAIL or row.state != DeliveryState.FAILED:
        raise Conflict(_("Only a failed e-mail can be retried."))
    row.state = DeliveryState.PENDING
    row.attempts = 0
    row.next_attempt_at = utcnow()
    row.claimed_until = None
    events.record(NotificationEvent.RETRIED, row, actor, recipient_id=row.recipient_id,
                  council_id=row.council_id)
    deliver_after_commit([row.id])
    return row


def retry_all_failed(actor: User, council_id: int) -> int:
    """Retry every failed e-mail of the council at once."""
    require(actor, "notifications.outbox", council_id)
    ids = list(db.session.scalars(select(Notification.id).where(
        Notification.council_id == council_id, Notification.channel == Channel.EMAIL,
        Notification.state == DeliveryState.FAILED)))
    for start in range(0, len(ids), 500):
        db.session.execute(
            update(Notification).where(Notification.id.in_(ids[start:start + 500]),
                                       Notification.state == DeliveryState.FAILED)
            .values(state=DeliveryState.PENDING, attempts=0, next_attempt_at=utcnow(),
                    claimed_until=None)
            .execution_options(synchronize_session=False))
    if ids:
        council = db.session.get(Council, council_id)
        assert council is not None  # noqa: S101  a foreign key: cannot be None; narrows the type
        events.record(NotificationEvent.RETRIED_ALL, council, actor, count=len(ids))
        deliver_after_commit(ids)
    return len(ids)


def get_outbox_row(council_id: int, notification_id: int) -> Notification:
    row = db.session.get(Notification, notification_id)
    if row is None or row.council_id != council_id or row.channel != Channel.EMAIL:
        raise NotFound(_("There is nothing at this address."))
    return row


# Listening to events -----------------------------------------------------------------------------


def on_event(event: Event) -> None:
    """The events listener: write the notifications of an event in the event's own transaction."""
    hearers = hearers_for(event)
    if hearers is None:
        return
    group_id, council_id = group_and_council(event)
    if council_id is None:
        return
    recipients = recipients_of(event, hearers)
    asks = asked_action(event)
    write_notifications(kind=event.kind, council_id=council_id, direct=recipients.direct,
                        group_members=recipients.group_members, importance=recipients.importance,
                        group_id=group_id, event_id=event.id,
                        transactional=event.kind in TRANSACTIONAL,
                        payload={"asks": asks} if asks else None, record_key=record_key(event, asks),
                        emailed=recipients.emailed)


def record_key(event: Event, asks: str | None) -> str:
    """One in-app item per record and (council) day; a request for an action is an item of its own."""
    subject = f"{event.subject_type}:{event.subject_id}"
    if asks:
        return f"{subject}:asks:{asks}"
    return f"{subject}:{council_today(event.created_at).isoformat()}"


def settle_requests(event: Event) -> None:
    """The events listener that marks done what an event settles: approving the minutes settles the
    co-chair's request (and everyone's once they are final), a verification the verifiers' requests,
    an answer the invitation, a progress report the reminders to report."""
    settled = settled_by(event)
    if settled is None:
        return
    asks, everyone = settled
    subject = f"{event.subject_type}:{event.subject_id}"
    if asks == REMINDERS:
        db.session.execute(
            update(Notification).where(Notification.channel == Channel.IN_APP,
                                       Notification.kind.in_(REMINDER_KINDS),
                                       Notification.dedupe_key.like(f"{subject}:%"),
                                       Notification.done_at.is_(None))
            .values(done_at=utcnow(), read_at=func.coalesce(Notification.read_at, utcnow()))
            .execution_options(synchronize_session=False))
        return
    complete_requests(f"{subject}:asks:{asks}", recipient_id=None if everyone else event.actor_id)
