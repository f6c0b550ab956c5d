"""Demo notification choices: a few people read digests instead of an e-mail per notification; and the
demo's history read as its people would have read it, leaving each of them the latest few unread."""

from __future__ import annotations

from sqlalchemy import select, update

from council.directory.models import User
from council.extensions import db
from council.notifications.models import Channel, EmailMode, Notification, NotificationPreference
from council.timeutil import utcnow

# The demo's history happened over months, all written at load time: its people have read all but this
# many of their latest items.
LEFT_UNREAD = 8

# The Turkmen co-chair of trade reads a weekly digest on Mondays; two members a daily one.
DIGEST_READERS = {
    "cochair.tm@council-demo.org": (EmailMode.WEEKLY, 0),
    "member@council-demo.org": (EmailMode.DAILY, 0),
    "member.tm@council-demo.org": (EmailMode.DAILY, 0),
}


def load() -> None:
    """Set the demo choices once; a person who changed theirs keeps them."""
    people = db.session.execute(select(User.email, User.id).where(User.email.in_(DIGEST_READERS)))
    for email, user_id in people:
        if db.session.get(NotificationPreference, user_id) is None:
            mode, weekday = DIGEST_READERS[email]
            db.session.add(NotificationPreference(user_id=user_id, email_mode=mode, digest_weekday=weekday))
    db.session.commit()


def read_the_history() -> None:
    """Mark read each person's in-app items but their LEFT_UNREAD latest (a few dozen people)."""
    people = db.session.scalars(select(Notification.recipient_id).distinct().where(
        Notification.channel == Channel.IN_APP, Notification.read_at.is_(None)))
    for person_id in list(people):
        kept = select(Notification.id).where(
            Notification.recipient_id == person_id, Notification.channel == Channel.IN_APP,
            Notification.read_at.is_(None)).order_by(Notification.created_at.desc(),
                                                     Notification.id.desc()).limit(LEFT_UNREAD)
        db.session.execute(update(Notification).where(
            Notification.recipient_id == person_id, Notification.channel == Channel.IN_APP,
            Notification.read_at.is_(None), Notification.id.not_in(list(db.session.scalars(kept))))
            .values(read_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
