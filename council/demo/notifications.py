"""Demo notification choices: a few people read digests instead of an e-mail per notification."""

from __future__ import annotations

from sqlalchemy import select

from council.directory.models import User
from council.extensions import db
from council.notifications.models import EmailMode, NotificationPreference

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
