"""The transactional outbox: e-mails are rows first, and Celery is asked to send them only after commit.

Nothing is lost and nothing is sent twice by our side:
- rows are written in the transaction of the change that caused them (see services.write_notifications);
- after that transaction commits, each row is handed to the `deliver` task; if the broker is down, the
  row simply stays pending and the periodic sweep hands it over once the broker is back;
- a worker claims a row (one atomic UPDATE, committed: state "sending", its Message-ID fixed) before it
  talks to the SMTP server, so two deliveries of the same row, from a retried task, the sweep or a second
  worker, send one e-mail;
- a claim expires: a row still "sending" after that is *in doubt* (its worker was killed, or lost the
  database, between the server's answer and the row's commit). It is sent again with the same
  Message-ID, so a mail client shows one message, and counted in `in_doubt_sends`. This is the one case
  where the server may receive a message twice; it is the README's delivery contract;
- rows sent together (`deliver_many`, a digest chunk) are marked sent together, in one commit after
  the server accepted each of them: a crash before that commit leaves the whole group in doubt, so up
  to a chunk of messages may be received twice, each with its own same Message-ID. A chunk goes over
  MAIL_SESSIONS SMTP sessions at once, a command at a time in each, so that the server answers one
  session while the worker writes its next message or another session's command; a row joins the
  group only when the server's "250" after its data has been read;
- SMTP errors are retried with exponential backoff; after the last attempt the row is marked failed,
  shown to admins, and can be retried from their page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import ColumnElement, String, and_, case, cast, func, literal, or_, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, SessionTransaction, selectinload

from council.addresses import external_url
from council.auth.models import AuthEvent
from council.dbtypes import among
from council.directory.models import User
from council.emails import (
    CalendarPart,
    Letter,
    build_email,
    exchange,
    mail_domain,
    send_letter,
    sender_address,
    smtp_connection,
    write_letter,
)
from council.extensions import db
from council.meetings.models import MeetingEvent
from council.notifications.letters import Written, digest_letter
from council.notifications.messages import Reader, describe_row, subject_of
from council.notifications.models import Channel, DeliveryState, Notification
from council.notifications.tokens import unsubscribe_token
from council.timeutil import utcnow

logger = logging.getLogger(__name__)

# The database cannot be reached (as council.outages.DATABASE_ERRORS, which is a page-layer module).
DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)

DELIVER_TASK = "council.notifications.deliver"
DELIVER_MANY_TASK = "council.notifications.deliver_many"
# Rows handed to one deliver_many task: sent together (over MAIL_SESSIONS sessions), and still several
# tasks for a digest batch, so several workers share it.
DELIVERY_CHUNK = 50
_QUEUED = "council_outbox"
_MARKS = "council_outbox_savepoints"  # savepoint -> how many ids were queued when it began
BEAT_HEARTBEAT_KEY = "council:beat:heartbeat"
# Celery may start a countdown a moment before the row's own time; that is not an early retry.
_CLOCK_TOLERANCE = timedelta(seconds=1)
# A worker stops trying to record "sent" this long before its claim expires (README, "E-mail delivery").
_CLAIM_MARGIN_SECONDS = 5.0


# Handing rows to Celery after commit --------------------------------------------------------------


def deliver_after_commit(row_ids: Iterable[int], task_name: str = DELIVER_TASK) -> None:
    """Ask for these rows to be delivered (by `task_name`: e-mails, or another outbox's rows such as
    webhook deliveries) once the outermost transaction has committed."""
    db.session.info.setdefault(_QUEUED, []).extend((task_name, row_id) for row_id in row_ids)


# SQLAlchemy fires after_commit and after_rollback for a SAVEPOINT too (an import saves each row in one).
# Handing rows over there sent them before the change was committed (and, with SQLite and in-process
# tasks, made each delivery wait for the write lock); forgetting them there dropped the rows of every
# earlier savepoint. So: hand over at the outermost commit only, and at a savepoint's rollback forget just
# what was queued inside it.


def _savepoint_began(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        session.info.setdefault(_MARKS, {})[transaction] = len(session.info.get(_QUEUED, ()))


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the rows are not committed yet
        return
    queued = session.info.pop(_QUEUED, None)
    if queued:
        for task_name in dict.fromkeys(task for task, _row_id in queued):
            queue_deliveries([row_id for task, row_id in queued if task == task_name], task_name)


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    if previous.nested:
        mark = session.info.get(_MARKS, {}).get(previous)
        if mark is not None and _QUEUED in session.info:
            del session.info[_QUEUED][mark:]
    elif previous.parent is None:  # the rows are gone with the transaction
        session.info.pop(_QUEUED, None)


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    session.info.get(_MARKS, {}).pop(transaction, None)
    if transaction.parent is None:  # closed without a commit (session.close()): nothing to send
        session.info.pop(_QUEUED, None)
        session.info.pop(_MARKS, None)


_HOOKS: tuple[tuple[str, Any], ...] = (
    ("after_transaction_create", _savepoint_began),
    ("after_commit", _after_commit),
    ("after_soft_rollback", _after_soft_rollback),
    ("after_transaction_end", _transaction_ended),
)


def install_session_hooks() -> None:
    for name, hook in _HOOKS:
        if not sa_event.contains(db.session, name, hook):
            sa_event.listen(db.session, name, hook)


def dispatch(task_name: str, *args: Any, countdown: float | None = None) -> bool:
    """Send a task to the broker (or run it here when there is none); False if the broker is down."""
    celery = current_app.extensions["celery"]
    try:
        celery.tasks[task_name].apply_async(args=args, countdown=countdown)
    except Exception as error:  # kombu raises several kinds; each one means "not queued now"
        logger.warning("Could not queue %s%r (%s); the outbox sweep will pick it up.",
                       task_name, args, error)
        return False
    return True


def queue_deliveries(row_ids: Iterable[int], task_name: str = DELIVER_TASK) -> int:
    """Queue delivery of each row; stop at the first broker failure (the sweep sends the rest)."""
    queued = 0
    for row_id in row_ids:
        if not dispatch(task_name, row_id):
            break
        queued += 1
    return queued


def deliver_in_chunks(notification_ids: list[int]) -> int:
    """Queue committed rows for delivery DELIVERY_CHUNK at a time (a digest batch's e-mails); stop at the
    first broker failure (the sweep sends the rest). Returns how many rows were handed over."""
    queued = 0
    for start in range(0, len(notification_ids), DELIVERY_CHUNK):
        chunk = notification_ids[start:start + DELIVERY_CHUNK]
        if not dispatch(DELIVER_MANY_TASK, chunk):
            break
        queued += len(chunk)
    return queued


# Delivering one row -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt did: sent, skipped (sent already, or someone else holds it),
    failed for good, or failed for now with the delay before the next attempt."""

    sent: bool = False
    skipped: bool = False
    failed: bool = False
    retry_in: float | None = None


def backoff(attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones: 1, 2, 4, … times the base."""
    base = float(current_app.config["NOTIFICATION_RETRY_BASE_SECONDS"])
    ceiling = float(current_app.config["NOTIFICATION_RETRY_MAX_DELAY"])
    return float(min(base * 2 ** max(attempts - 1, 0), ceiling))


def _in_doubt(now: datetime) -> ColumnElement[bool]:
    """"Sending" with the claim expired, attempts left: its sender died or lost the database."""
    return and_(Notification.state == DeliveryState.SENDING, Notification.claimed_until < now,
                Notification.attempts < current_app.config["NOTIFICATION_MAX_ATTEMPTS"])


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Pending and due and nobody holds it; or in doubt."""
    return or_(
        and_(Notification.state == DeliveryState.PENDING,
             or_(Notification.claimed_until.is_(None), Notification.claimed_until < now),
             or_(Notification.next_attempt_at.is_(None),
                 Notification.next_attempt_at <= now + _CLOCK_TOLERANCE)),
        _in_doubt(now))


def give_up_interrupted(now: datetime) -> int:
    """A row interrupted at every attempt (a sender that crashes on it each time) is not sent again
    and again: after the last attempt it is marked failed, for an admin to look at and retry."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.state == DeliveryState.SENDING, Notification.claimed_until < now,
               Notification.attempts >= current_app.config["NOTIFICATION_MAX_ATTEMPTS"])
        .values(state=DeliveryState.FAILED, failed_at=now, claimed_until=None,
                last_error="Interrupted while sending at every attempt; it may have been delivered.")
        .execution_options(synchronize_session=False))
    db.session.commit()
    count = int(result.rowcount)  # type: ignore[attr-defined]
    if count:
        logger.error("%d e-mail(s) interrupted at every attempt are marked failed.", count)
    return count


def claim(notification_id: int, now: datetime) -> bool:
    """Take the row for one attempt, atomically, and commit it as "sending" with its Message-ID before
    anything is sent; False when it is sent, failed, held or not yet due."""

    lease = timedelta(seconds=current_app.config["NOTIFICATION_CLAIM_SECONDS"])
    in_doubt = case((Notification.state == DeliveryState.SENDING, 1), else_=0)
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.channel == Channel.EMAIL,
               _claimable(now))
        .values(state=DeliveryState.SENDING, claimed_until=now + lease,
                attempts=Notification.attempts + 1,
                in_doubt_sends=Notification.in_doubt_sends + in_doubt,
                message_id=func.coalesce(Notification.message_id, message_id_for(notification_id)))
        .execution_options(synchronize_session=False))
    db.session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def deliver(notification_id: int) -> Outcome:
    """Send one outbox row if it is still pending; safe to call any number of times, concurrently."""
    now = utcnow()
    if not claim(notification_id, now):
        return Outcome(skipped=True)
    row = db.session.get(Notification, notification_id)
    if row is None:  # deleted along with its recipient
        return Outcome(skipped=True)
    connection = smtp_connection()
    try:
        connection.open()
        send_notification(row, connection=connection)
    except Exception as error:  # SMTP, network or rendering: all are recorded, none is dropped
        _close(connection)
        db.session.rollback()
        return _record_failure(notification_id, error)
    # The server has the message: say so in the database before saying goodbye to it (QUIT). A worker
    # killed after the server accepted and before this commit leaves the row in doubt (sent again, with
    # the same Message-ID); keeping that window to the commit alone is what we can do.
    try:
        _record_sent(notification_id)
    finally:  # a database gone at this moment must not leave the SMTP socket open too
        _close(connection)
    return Outcome(sent=True)


def claim_many(notification_ids: list[int], now: datetime) -> dict[int, int]:
    """`claim` for several rows in one statement (and one commit): those claimable are taken, each
    with its own Message-ID; returns their ids, each with its attempts (the mark of this claim: anyone
    who claims the row after us counts one more)."""
    lease = timedelta(seconds=current_app.config["NOTIFICATION_CLAIM_SECONDS"])
    in_doubt = case((Notification.state == DeliveryState.SENDING, 1), else_=0)
    own_id = literal("<notification-") + cast(Notification.id, String) + literal(f"@{mail_domain()}>")
    claimed = {notification_id: attempts for notification_id, attempts in db.session.execute(
        update(Notification)
        .where(among(Notification.id, sorted(set(notification_ids))), Notification.channel == Channel.EMAIL,
               _claimable(now))
        .values(state=DeliveryState.SENDING, claimed_until=now + lease,
                attempts=Notification.attempts + 1,
                in_doubt_sends=Notification.in_doubt_sends + in_doubt,
                message_id=func.coalesce(Notification.message_id, own_id))
        .returning(Notification.id, Notification.attempts)
        .execution_options(synchronize_session=False))}
    db.session.commit()
    return claimed


def deliver_many(notification_ids: list[int]) -> dict[int, Outcome]:
    """Send several outbox rows (a digest chunk's) over MAIL_SESSIONS SMTP sessions at once, under the
    rules of `deliver` but recording "sent" for the group at once (README, "E-mail delivery"): the rows
    are claimed (and the claim committed) before anything is sent; each row the server accepts joins
    the group, and the group is marked sent in one commit before any QUIT, and before anything else is
    written (a failure, a claim renewed). A row the server refuses, or that cannot be rendered, is
    recorded like `deliver`'s and retried on its own; the others go on. A worker killed before the
    group's commit leaves the group in doubt: each of its rows is sent again with its own Message-ID.
    Claimed together, the rows share one claim; when it runs short before a row's turn, the group is
    recorded and that row's claim renewed first. A row that cannot be rendered is recorded after the
    group."""
    now = utcnow()
    claimed = claim_many(notification_ids, now)
    outcomes = {notification_id: Outcome(skipped=True) for notification_id in notification_ids}
    rows = {row.id: row for row in db.session.scalars(
        select(Notification).where(among(Notification.id, sorted(claimed)))
        .options(selectinload(Notification.recipient), selectinload(Notification.event)))}
    sessions = [_Session() for _ in range(max(1, int(current_app.config["MAIL_SESSIONS"])))]
    # A message's exchange may take MAIL_TIMEOUT for each session's turn; the last one must still be
    # marked sent within the claim.
    last_start = now + timedelta(seconds=current_app.config["NOTIFICATION_CLAIM_SECONDS"]
                                 - _CLAIM_MARGIN_SECONDS
                                 - current_app.config["MAIL_TIMEOUT"] * len(sessions))
    # Each session has one message in flight, a command at a time (emails.exchange): while the server
    # answers one session's command, the worker writes its next message or the other session's
    # command, instead of waiting for each answer in turn. A message is accepted (joins the group) only
    # once its data's "250" is read.
    accepted: list[int] = []  # accepted by the server, not yet recorded: the group in doubt
    unwritten: list[tuple[int, Exception]] = []  # rows that could not be rendered, recorded after the group
    written = Written()  # each distinct digest written once per language and time zone

    def record_group() -> None:
        if accepted:
            _record_sent_many(accepted)
            accepted.clear()

    def failed(session: _Session | None, notification_id: int, error: Exception) -> None:
        """As in deliver: recorded, retried on its own, none dropped; the group first (before QUIT)."""
        record_group()
        if session is not None and session.connection is not None:
            _close(session.connection)
            session.connection = None
        db.session.rollback()
        outcomes[notification_id] = _record_failure(notification_id, error)

    def step(session: _Session) -> None:
        """The session's message one command further: its last answer read, its next command written."""
        notification_id, steps = session.notification_id, session.steps
        if notification_id is None or steps is None:
            return
        try:
            next(steps)
            return
        except StopIteration:
            accepted.append(notification_id)
            outcomes[notification_id] = Outcome(sent=True)
        except Exception as error:
            failed(session, notification_id, error)
        session.steps = session.notification_id = None

    def free_session() -> _Session:
        while True:
            busy = [session for session in sessions if session.steps is not None]
            if len(busy) < len(sessions):
                return next(session for session in sessions if session.steps is None)
            for session in busy:
                step(session)

    def open_session() -> _Session:
        """A free session, connected: one the server refuses while another of ours is open is given up
        for the chunk (a server may take fewer sessions at once from one client), not held against the
        row; refused with none open, the error is the row's."""
        while True:
            session = free_session()
            if session.connection is not None:
                return session
            try:
                session.connection = smtp_connection()
                session.connection.open()
                return session
            except Exception:
                session.connection = None
                if not any(other.connection is not None for other in sessions if other is not session):
                    raise
                sessions.remove(session)

    try:
        for notification_id in sorted(claimed):  # in id order (RETURNING has none)
            row = rows.get(notification_id)
            if row is None:  # deleted along with its recipient
                continue
            try:
                letter = build_notification(row, written)  # while the server answers the sessions
            except Exception as error:  # a row that cannot be rendered fails alone
                db.session.rollback()
                unwritten.append((notification_id, error))
                continue
            if utcnow() > last_start:
                record_group()
                if not _extend_claim(notification_id, claimed[notification_id]):
                    continue  # someone else claimed it since ours ran out
            try:
                session = open_session()
            except Exception as error:
                failed(None, notification_id, error)
                continue
            session.notification_id, session.steps = notification_id, exchange(letter, session.connection)
            step(session)
        while any(session.steps is not None for session in sessions):
            for session in sessions:
                step(session)  # a free session's step does nothing
        record_group()  # before QUIT, as deliver does
    finally:
        for session in sessions:
            if session.connection is not None:
                _close(session.connection)
    for notification_id, failure in unwritten:
        outcomes[notification_id] = _record_failure(notification_id, failure)
    return outcomes


@dataclass
class _Session:
    """One of deliver_many's SMTP sessions, with the message it has in flight and that message's
    exchange (emails.exchange), if any."""

    connection: Any = None
    notification_id: int | None = None
    steps: Iterator[None] | None = None


def _extend_claim(notification_id: int, attempts: int) -> bool:
    """Renew our claim on a row before sending it, when the shared claim is running short (a slow
    server, or a short NOTIFICATION_CLAIM_SECONDS). A claim that ran out before we sent the row is
    renewed too if nobody claimed the row since (its attempts are still our claim's): we know we have
    not sent it, so it is not in doubt. False if someone else has it now."""
    now = utcnow()
    lease = timedelta(seconds=current_app.config["NOTIFICATION_CLAIM_SECONDS"])
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.state == DeliveryState.SENDING,
               Notification.attempts == attempts)
        .values(claimed_until=now + lease)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _record_sent(notification_id: int) -> None:
    _record_sent_many([notification_id])


def _record_sent_many(notification_ids: list[int]) -> None:
    """Mark the rows sent, in one commit. While the database is unreachable, keep trying for as long
    as our claim lasts: once it expires the rows are in doubt and may be sent again by someone else."""

    lease = float(current_app.config["NOTIFICATION_CLAIM_SECONDS"])
    give_up = time.monotonic() + max(lease - _CLAIM_MARGIN_SECONDS, 0.0)
    while True:
        try:
            db.session.execute(
                update(Notification)
                .where(among(Notification.id, notification_ids), Notification.state == DeliveryState.SENDING)
                .values(state=DeliveryState.SENT, sent_at=utcnow(), claimed_until=None)
                .execution_options(synchronize_session=False))
            db.session.commit()
            return
        except DATABASE_ERRORS as error:
            db.session.rollback()
            if time.monotonic() >= give_up:
                logger.error("Notification(s) %s were accepted by the SMTP server but could not be "
                             "marked sent (%s); they are in doubt and will be sent again with the same "
                             "Message-ID.", ", ".join(map(str, notification_ids)),
                             error.__class__.__name__)
                raise
            time.sleep(1.0)


def _close(connection: Any) -> None:
    """End the SMTP session; a server that drops it at QUIT changes nothing about what was sent."""
    try:
        connection.close()
    except Exception as error:  # the message's fate is already recorded
        logger.warning("Closing the SMTP connection failed: %s", error)


def _record_failure(notification_id: int, error: Exception) -> Outcome:
    row = db.session.get(Notification, notification_id)
    if row is None:
        return Outcome(skipped=True)
    row.last_error = f"{error.__class__.__name__}: {error}"[:2000]
    row.claimed_until = None
    row.state = DeliveryState.PENDING  # nothing was sent: an ordinary retry, not one in doubt
    if row.attempts >= current_app.config["NOTIFICATION_MAX_ATTEMPTS"]:
        row.state = DeliveryState.FAILED
        row.failed_at = utcnow()
        db.session.commit()
        logger.error("Notification %s failed for good after %s attempts: %s", notification_id,
                     row.attempts, row.last_error)
        return Outcome(failed=True)
    delay = backoff(row.attempts)
    row.next_attempt_at = utcnow() + timedelta(seconds=delay)
    db.session.commit()
    logger.warning("Notification %s attempt %s failed (%s); next in %.1f s", notification_id,
                   row.attempts, row.last_error, delay)
    return Outcome(retry_in=delay)


# The sweep ----------------------------------------------------------------------------------------


def due_rows(now: datetime, batch_size: int = 500) -> Iterator[list[int]]:
    """Ids of pending rows whose time has come and that nobody holds, and of rows in doubt, in batches
    (keyset paging)."""
    grace = timedelta(seconds=current_app.config["NOTIFICATION_SWEEP_GRACE_SECONDS"])
    last_id = 0
    while True:
        ids = list(db.session.scalars(
            select(Notification.id)
            .where(or_(and_(Notification.state == DeliveryState.PENDING,
                            Notification.next_attempt_at <= now - grace,
                            or_(Notification.claimed_until.is_(None), Notification.claimed_until < now)),
                       _in_doubt(now)),
                   Notification.id > last_id)
            .order_by(Notification.id).limit(batch_size)))
        db.session.rollback()  # end the read; nothing here holds a transaction between batches
        if not ids:
            return
        yield ids
        last_id = ids[-1]


def sweep(now: datetime | None = None) -> int:
    """Queue every pending row that should have gone by now; returns how many were queued."""
    now = now or utcnow()
    give_up_interrupted(now)
    queued = 0
    for ids in due_rows(now):
        sent = queue_deliveries(ids)
        queued += sent
        if sent < len(ids):  # the broker is down again: the next sweep continues
            break
    return queued


# Beat heartbeat -----------------------------------------------------------------------------------


def record_beat(client: Any) -> None:
    """Called by the beat scheduler on every tick (workers/beat.py)."""
    client.set(BEAT_HEARTBEAT_KEY, utcnow().isoformat(), ex=7 * 24 * 3600)


def last_beat() -> datetime | None:
    """When beat last ticked, from Redis; None if it never did or Redis cannot be read."""
    import redis

    redis_url = current_app.config.get("REDIS_URL")
    if not redis_url:
        return None
    try:
        value = redis.Redis.from_url(redis_url, socket_timeout=2).get(BEAT_HEARTBEAT_KEY)
    except redis.RedisError:
        return None
    if value is None:
        return None
    text = value.decode() if isinstance(value, bytes) else str(value)
    return datetime.fromisoformat(text).astimezone(UTC)


def beat_is_stale(now: datetime | None = None) -> bool:
    ticked = last_beat()
    limit = timedelta(seconds=current_app.config["BEAT_STALE_SECONDS"])
    return ticked is None or (now or utcnow()) - ticked > limit


# Rendering and sending one row -------------------------------------------------------------------


def message_id_for(notification_id: int) -> str:
    """The Message-ID of an outbox row's e-mail: the same at every attempt (stored at the first)."""
    return f"<notification-{notification_id}@{mail_domain()}>"


def _headers(row: Notification, unsubscribe_link: str | None) -> dict[str, str]:
    headers = {"Message-ID": row.message_id or message_id_for(row.id)}
    if unsubscribe_link:
        headers["List-Unsubscribe"] = f"<{unsubscribe_link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


# Meeting news that changes what a calendar shows: the e-mail carries the event itself (iTIP).
CALENDAR_KINDS = {MeetingEvent.INVITED, MeetingEvent.UPDATED, MeetingEvent.CANCELLED}


def _calendar_part(row: Notification) -> CalendarPart | None:
    from council.meetings.calendar import invitation_calendar
    from council.meetings.models import Meeting

    subject_type, subject_id = subject_of(row)
    if row.kind not in CALENDAR_KINDS or subject_type != "meeting" or subject_id is None:
        return None
    meeting = db.session.get(Meeting, subject_id)
    if meeting is None:
        return None
    sender = sender_address()
    data, method = invitation_calendar(meeting, row.recipient,
                                       (sender.display_name or "Council", sender.addr_spec))
    return CalendarPart(data, method)


def send_notification(row: Notification, connection: Any = None) -> None:
    """Render one outbox row in its recipient's language and send it (through `connection`, an open
    SMTP connection the caller closes, if given); raises if SMTP refuses."""
    send_letter(build_notification(row), connection)


def build_notification(row: Notification, written: Written | None = None) -> Letter:
    """Render one outbox row in its recipient's language, as it goes on the wire (`written`: what the
    digests sent with it wrote, see `letters`)."""
    from council.auth.services import INVITATION, PASSWORD_RESET, make_token

    person = row.recipient
    reader = Reader.of(person)
    if row.kind == AuthEvent.PERSON_INVITED:
        inviter = db.session.get(User, row.event.actor_id) if row.event and row.event.actor_id else None
        link = external_url("auth.accept_invitation", token=make_token(person, INVITATION))
        return build_email(person.email, "invitation", person.language, headers=_headers(row, None),
                           person=person, inviter=inviter or person, link=link,
                           days=current_app.config["INVITATION_MAX_AGE"] // 86400)
    if row.kind == AuthEvent.PASSWORD_RESET_REQUESTED:
        link = external_url("auth.reset_password", token=make_token(person, PASSWORD_RESET))
        return build_email(person.email, "password_reset", person.language, headers=_headers(row, None),
                           person=person, link=link,
                           hours=current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600)
    if row.kind == AuthEvent.SECOND_FACTOR_RESET:
        actor = db.session.get(User, row.event.actor_id) if row.event and row.event.actor_id else None
        return build_email(person.email, "second_factor_reset", person.language,
                           headers=_headers(row, None), person=person, actor=actor,
                           when=Reader.of(person).when(row.created_at),
                           link=external_url("directory.profile", _anchor="security"))
    unsubscribe_link = external_url("notifications.unsubscribe", token=unsubscribe_token(person))
    if row.kind == "digest":
        return write_letter(person.email, *digest_letter(row.payload, person, unsubscribe_link, written),
                            headers=_headers(row, unsubscribe_link))
    common: dict[str, Any] = dict(person=person, reader=reader, unsubscribe_link=unsubscribe_link,
                  preferences_link=external_url("notifications.preferences"))
    with force_locale(person.language):
        message = describe_row(row, reader)
    return build_email(person.email, "notification", person.language,
                       headers=_headers(row, unsubscribe_link), message=message,
                       calendar=_calendar_part(row),
                       link=external_url("notifications.open_notification", notification_id=row.id),
                       **common)
