"""The demo's history fills the people's notification lists without e-mailing anyone."""

from __future__ import annotations

from sqlalchemy import func, select

from council.demo import load_demo
from council.extensions import db
from council.notifications.models import Channel, EmailMode, Notification, NotificationPreference


def test_the_demo_lists_notifications_in_the_app_and_e_mails_nobody(app, mail_sink):
    load_demo()
    load_demo()
    counts = dict(db.session.execute(select(Notification.channel, func.count())
                                     .group_by(Notification.channel)).all())
    assert counts.get(Channel.IN_APP, 0) > 0 and Channel.EMAIL not in counts
    assert mail_sink.messages == []
    modes = set(db.session.scalars(select(NotificationPreference.email_mode)))
    assert modes == {EmailMode.DAILY, EmailMode.WEEKLY}
