"""Digests are composed a batch at a time: the same number of queries for a batch of 5 readers or of
25, and each reader's digest the same as when it is composed on its own (what `preview` does)."""

from __future__ import annotations

from datetime import timedelta

from council.directory.models import GroupRole
from council.notifications import digests
from council.notifications.models import EmailMode
from council.notifications.sections import Window
from council.timeutil import utcnow
from tests.dashboard.test_query_counts import counted
from tests.factories import MembershipFactory, UserFactory
from tests.home.test_query_counts import more_of_everything


def loaded(people) -> None:
    """Read the people (the factories' commits expired them): the digest run reads them in one query."""
    for person in people:
        assert person.id

UNTIL = utcnow()


def readers_of(people):
    until = UNTIL
    return [(person, Window(until - timedelta(days=1), until, EmailMode.DAILY)) for person in people]


def test_a_batch_of_digests_costs_the_same_queries_for_5_readers_as_for_25(world):
    more_of_everything(world, 2)  # overdue, due soon, to verify, minutes to approve, meetings, news
    core = [world.member, world.kz_chair, world.tm_chair, world.secretary, world.tm_member]
    loaded(core)
    with counted() as few:
        composed = digests.compose_many(readers_of(core))
    for n in range(20):  # members, co-chairs and people without a group, on both sides
        person = UserFactory(organisation=(world.kz_org, world.tm_org)[n % 2], email=f"more{n}@example.org")
        if n % 3:
            MembershipFactory(group=world.group, user=person,
                              role=GroupRole.CO_CHAIR if n % 5 == 0 else GroupRole.MEMBER)
    from council.directory.models import User
    from council.extensions import db

    everyone = core + list(db.session.query(User).filter(User.email.like("more%")).order_by(User.id))
    loaded(everyone)
    with counted() as many:
        batch = digests.compose_many(readers_of(everyone))
    assert len(everyone) == 25
    assert len(many) == len(few), (len(few), len(many))
    # What each reader gets does not depend on who else is in the batch.
    assert batch[:5] == composed
    for (person, window), content in zip(readers_of(everyone), batch, strict=True):
        assert content == digests.compose(person, window)
    assert all(content is not None for content in composed)
    keys = {section["key"] for content in composed if content for section in content["sections"]}
    assert {"overdue", "due_soon", "verification", "approvals", "upcoming"} <= keys


def test_a_batch_of_20_digests_is_recorded_and_sent_with_no_more_statements_than_5_each_reader_once(
        world, mail_sink):
    """The batch's runs and outbox rows are inserted set-based (a few statements whatever its size);
    each reader still gets exactly one e-mail, theirs: their own row, content and Message-ID."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from council.directory.models import User
    from council.extensions import db
    from council.notifications.models import DeliveryState, DigestRun, Notification, NotificationPreference

    more_of_everything(world, 2)
    at = utcnow()
    # A zone where the digest hour has come (the run is not frozen in time).
    zone = next(zone for zone in ("Asia/Aqtau", "America/New_York", "Europe/London")
                if at.astimezone(ZoneInfo(zone)).hour >= 7)
    core = [world.member, world.kz_chair, world.tm_chair, world.secretary, world.tm_member]
    for n in range(20):
        person = UserFactory(organisation=(world.kz_org, world.tm_org)[n % 2], email=f"more{n}@example.org")
        if n % 3:
            MembershipFactory(group=world.group, user=person,
                              role=GroupRole.CO_CHAIR if n % 5 == 0 else GroupRole.MEMBER)
    others = list(db.session.scalars(select(User).where(User.email.like("more%")).order_by(User.id)))
    for person in core + others:
        person.time_zone = zone
        db.session.add(NotificationPreference(user_id=person.id, email_mode=EmailMode.DAILY))
    db.session.commit()
    mail_sink.messages.clear()  # the immediate e-mails of the news itself
    loaded(core + others)
    with counted() as few:
        assert digests.send_due([person.id for person in core], at) == 5
    loaded(core + others)
    with counted() as many:
        queued = digests.send_due([person.id for person in core + others], at)  # the 5 are done
    # No more statements for 20 readers than for 5 (the 5 have more kinds of news: meetings, events).
    assert len(many) <= len(few), (len(few), len(many))
    assert queued >= 10  # of the 20, those without a group may have no news

    period = digests.period_for(EmailMode.DAILY, 0, zone, at)
    for person in core + others:
        [run] = db.session.scalars(select(DigestRun).where(DigestRun.user_id == person.id))
        assert run.period == period
        content = digests.compose(person, Window(run.since, run.until, EmailMode.DAILY))
        received = [m for m in mail_sink.messages if str(m["To"]) == person.email]
        if run.notification_id is None:
            assert content is None and received == []
            continue
        row = db.session.get(Notification, run.notification_id)
        assert row is not None and row.recipient_id == person.id and row.state == DeliveryState.SENT
        assert row.payload == content
        [message] = received
        assert message["Message-ID"] == f"<notification-{row.id}@council.test>"
    assert len(mail_sink.messages) == 5 + queued
