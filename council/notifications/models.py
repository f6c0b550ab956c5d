"""The outbox, people's notification choices, and the record of digests sent."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from council.dbtypes import JSONText, enum_type
from council.directory.models import User
from council.events import Event
from council.extensions import Model
from council.timeutil import utcnow


class NotificationEvent(StrEnum):
    """The kinds of event notification choices and the outbox record (stored in event.kind)."""

    PREFERENCES_CHANGED = "person.notifications_changed"
    UNSUBSCRIBED = "person.unsubscribed"
    RETRIED = "notification.retried"
    RETRIED_ALL = "notification.retried_all"


class ReminderKind(StrEnum):
    """Reminders are notifications that no event causes (stored in notification.kind)."""

    COMMITMENT_DUE = "reminder.commitment_due"
    COMMITMENT_OVERDUE = "reminder.commitment_overdue"
    COMMITMENT_ESCALATION = "reminder.commitment_escalation"
    MEETING_TOMORROW = "reminder.meeting_tomorrow"
    QUESTION_OPEN = "reminder.question_open"
    QUESTION_ESCALATION = "reminder.question_escalation"


class Channel(StrEnum):
    EMAIL = "email"
    IN_APP = "in_app"
    # Held for the day's round-up: news a person who chose immediate e-mails was not e-mailed about at
    # once (notifications.roundup). Pending until a round-up includes it, then sent; never delivered alone.
    ROUNDUP = "roundup"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # committed before the SMTP conversation (README, "E-mail delivery")
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return str(DELIVERY_STATE_LABELS[self])


DELIVERY_STATE_LABELS = {
    DeliveryState.PENDING: _l("Pending"),
    DeliveryState.SENDING: _l("Being sent"),
    DeliveryState.SENT: _l("Sent"),
    DeliveryState.FAILED: _l("Failed"),
}

# Delivery is a small state machine. A worker commits "sending" before it talks to the SMTP server; the
# answer makes the row sent, pending again (a retry later) or failed. A row still "sending" after its
# claim expired is in doubt (its worker died, or lost the database, mid-way) and is sent again, with the
# same Message-ID. A failed e-mail goes back to pending only when an admin retries it.
DELIVERY_TRANSITIONS: dict[DeliveryState, set[DeliveryState]] = {
    DeliveryState.PENDING: {DeliveryState.SENDING},
    DeliveryState.SENDING: {DeliveryState.SENT, DeliveryState.PENDING, DeliveryState.FAILED,
                            DeliveryState.SENDING},
    DeliveryState.FAILED: {DeliveryState.PENDING},
    DeliveryState.SENT: set(),
}


class EmailMode(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    NONE = "none"

    @property
    def label(self) -> str:
        return str(EMAIL_MODE_LABELS[self])


EMAIL_MODE_LABELS = {
    EmailMode.IMMEDIATE: _l("An e-mail for each notification"),
    EmailMode.DAILY: _l("A daily digest"),
    EmailMode.WEEKLY: _l("A weekly digest"),
    EmailMode.NONE: _l("No e-mails (only the list in the app)"),
}


class GroupLevel(StrEnum):
    """How much a person hears about a working group beyond what is addressed to them personally."""

    ALL = "all"
    NORMAL = "normal"
    MUTED = "muted"

    @property
    def label(self) -> str:
        return str(GROUP_LEVEL_LABELS[self])


GROUP_LEVEL_LABELS = {
    GroupLevel.ALL: _l("Everything"),
    GroupLevel.NORMAL: _l("Important news"),
    GroupLevel.MUTED: _l("Only what concerns me"),
}


class Notification(Model):
    """One message to one person on one channel: an outbox row (e-mail) or an entry of the in-app list.

    E-mail rows are written pending in the transaction of the change that caused them and become sent
    or failed; in-app rows are delivered by being written and carry read_at instead.
    """

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("recipient_id", "channel", "dedupe_key"),
        Index("ix_notification_inbox", "recipient_id", "channel", "created_at"),
        Index("ix_notification_unread", "recipient_id", "channel", "read_at"),
        Index("ix_notification_due", "state", "next_attempt_at"),
        Index("ix_notification_outbox", "council_id", "state", "id"),
        # A record's items by their key: settled all at once (a request done for everyone) or by the key's
        # start (a report settles its commitment's reminders, "commitment:12:…"). The pattern operators
        # let PostgreSQL answer the LIKE from the index whatever the database's collation.
        Index("ix_notification_dedupe_key", "dedupe_key",
              postgresql_ops={"dedupe_key": "varchar_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("working_group.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(60))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    state: Mapped[DeliveryState] = mapped_column(enum_type(DeliveryState), default=DeliveryState.PENDING)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    # Reminders carry a key such as "commitment:12:due-7:2026-12-01" so that no run sends one twice;
    # in-app news of a record carries "commitment:12:2026-12-01" (one item per record and day) and an
    # item asking for an action "meeting:4:asks:approve_minutes" (done_at is set when it is done).
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    # A worker sending this row holds it until then; if it dies, the row is free again afterwards.
    claimed_until: Mapped[datetime | None]
    # Fixed at the first attempt and kept for every later one: a message sent twice (in doubt) is one
    # message to the reader's mail client.
    message_id: Mapped[str | None] = mapped_column(String(250))
    # How many times the row was found "sending" with its claim expired and sent again.
    in_doubt_sends: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]  # when it was marked failed (the status page's "last day")
    read_at: Mapped[datetime | None]
    # An item that asked for an action (approve these minutes, verify this report, answer this
    # invitation) is done once someone did it; it is read from then on, and says so.
    done_at: Mapped[datetime | None]

    recipient: Mapped[User] = relationship()
    event: Mapped[Event | None] = relationship()


class NotificationPreference(Model):
    """A person's choice of e-mails; without a row, the defaults apply (immediate e-mails)."""

    __tablename__ = "notification_preference"
    __table_args__ = (Index("ix_notification_preference_mode", "email_mode", "digest_weekday"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    email_mode: Mapped[EmailMode] = mapped_column(enum_type(EmailMode), default=EmailMode.IMMEDIATE)
    digest_weekday: Mapped[int] = mapped_column(default=0)  # Monday = 0, as datetime.weekday()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class GroupNotificationSetting(Model):
    """A person's level for one working group; without a row, the level is normal."""

    __tablename__ = "group_notification_setting"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_group.id", ondelete="CASCADE"),
                                          primary_key=True)
    level: Mapped[GroupLevel] = mapped_column(enum_type(GroupLevel), default=GroupLevel.NORMAL)


class DigestRun(Model):
    """One person's digest for one period ("daily:2026-11-25", "weekly:2026-W48"), sent or empty.

    The unique constraint is what makes a retried or duplicated digest task harmless.
    """

    __tablename__ = "digest_run"
    __table_args__ = (UniqueConstraint("user_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(20))
    since: Mapped[datetime]
    until: Mapped[datetime]
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    notification: Mapped[Notification | None] = relationship()
