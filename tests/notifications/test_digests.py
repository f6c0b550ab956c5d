"""Digests in-process: due at 07:00 in each person's zone, once per period, only with news."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from council.directory.models import User
from council.extensions import db
from council.notifications import digests
from council.notifications.models import DigestRun, EmailMode, Notification, NotificationPreference
from tests.factories import MembershipFactory, UserFactory
from tests.notifications.conftest import mail_to, subject
from tests.notifications.happenings import (
    assign,
    meeting_event,
    move_due_date,
    report_done,
    send_back,
    verify,
)

# 07:05 in Aqtau and Ashgabat (UTC+5) on Wednesday 25 November 2026; 05:05 in Moscow.
MORNING = datetime(2026, 11, 25, 2, 5, tzinfo=UTC)
YESTERDAY = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def on_digest(person: User, mode: EmailMode = EmailMode.DAILY, weekday: int = 0) -> None:
    db.session.merge(NotificationPreference(user_id=person.id, email_mode=mode, digest_weekday=weekday))
    db.session.commit()


def digest_count(person: User | None = None) -> int:
    query = select(func.count()).select_from(Notification).where(Notification.kind == "digest")
    if person is not None:
        query = query.where(Notification.recipient_id == person.id)
    return db.session.scalar(query) or 0


@pytest.mark.parametrize(("zone", "at", "mode", "weekday", "period"), [
    ("Asia/Aqtau", datetime(2026, 11, 25, 1, 59, tzinfo=UTC), EmailMode.DAILY, 0, None),
    ("Asia/Aqtau", datetime(2026, 11, 25, 2, 0, tzinfo=UTC), EmailMode.DAILY, 0, "daily:2026-11-25"),
    ("Europe/Moscow", MORNING, EmailMode.DAILY, 0, None),
    ("Europe/Moscow", datetime(2026, 11, 25, 4, 0, tzinfo=UTC), EmailMode.DAILY, 0, "daily:2026-11-25"),
    ("Asia/Ashgabat", MORNING, EmailMode.WEEKLY, 2, "weekly:2026-W48"),  # Wednesday
    ("Asia/Ashgabat", MORNING, EmailMode.WEEKLY, 0, None),
    ("Asia/Aqtau", datetime(2026, 11, 24, 21, 0, tzinfo=UTC), EmailMode.DAILY, 0, None),  # 02:00
])
def test_a_digest_is_due_from_seven_in_the_morning_of_the_reader(app, zone, at, mode, weekday, period):
    assert digests.period_for(mode, weekday, zone, at) == period


def test_a_daily_digest_lists_what_changed_once_and_only_with_news(world, mail_sink):
    on_digest(world.member)
    with time_machine.travel(YESTERDAY, tick=False):
        commitment = assign(world)
        send_back(commitment, world.kz_chair, "Add the order")
        meeting_event("meeting.agenda_published", world, world.secretary, title={"en": "Trade group, Q4"})
    assert mail_to(mail_sink, "member@example.org") == []  # a digest reader gets no immediate e-mail

    assert digests.plan(MORNING) >= 1
    [message] = mail_to(mail_sink, "member@example.org")
    assert subject(message) == "Council: your digest for November 25, 2026"
    text = mail_sink.text_of(message)
    # The commitment was assigned and sent back the same day: one line, in its latest state.
    assert "Nothing waits for you. Here is what changed since November 24, 2026" in text
    assert "New commitment" not in text
    assert text.count("TRD-2026-004-KZ1") == 1
    assert "(TRD-2026-004-KZ1) — In progress, 100%, due December 15, 2026 · New record; " in text
    assert "Report sent back" in text
    assert "Agenda published: Trade group, Q4" in text
    assert "What changed in your working groups and commitments" in mail_sink.html_of(message)

    # Beat ticks again, the task is delivered twice, another worker runs the same batch: nothing more.
    assert digests.plan(MORNING) == 0
    assert digests.send_due([world.member.id], MORNING) == 0
    assert digest_count(world.member) == 1

    # The next morning there is no news: the day is recorded, no e-mail goes out.
    next_morning = datetime(2026, 11, 26, 2, 5, tzinfo=UTC)
    digests.plan(next_morning)
    assert len(mail_to(mail_sink, "member@example.org")) == 1
    runs = db.session.scalars(select(DigestRun).where(DigestRun.user_id == world.member.id)
                              .order_by(DigestRun.id)).all()
    assert [(run.period, run.notification_id is not None) for run in runs] == [
        ("daily:2026-11-25", True), ("daily:2026-11-26", False)]

    # News after that: the third digest covers only what happened since the last one.
    with time_machine.travel(datetime(2026, 11, 26, 12, 0, tzinfo=UTC), tick=False):
        verify(commitment, world.kz_chair)
    digests.plan(datetime(2026, 11, 27, 2, 5, tzinfo=UTC))
    latest = mail_sink.text_of(mail_to(mail_sink, "member@example.org")[-1])
    assert "Here is what changed since November 26, 2026" in latest
    assert "(TRD-2026-004-KZ1) — Verified, 100%, due December 15, 2026 · In progress → Verified" in latest
    assert "New record" not in latest and "Agenda published" not in latest


def test_a_weekly_digest_comes_on_the_chosen_day(world, mail_sink):
    on_digest(world.tm_chair, EmailMode.WEEKLY, weekday=3)  # Thursday
    with time_machine.travel(YESTERDAY, tick=False):
        report_done(assign(world), world.member)
    digests.plan(MORNING)  # a Wednesday
    assert mail_to(mail_sink, "tm.chair@example.org") == []
    digests.plan(datetime(2026, 11, 26, 2, 5, tzinfo=UTC))
    [message] = mail_to(mail_sink, "tm.chair@example.org")
    assert subject(message) == "Council: your weekly digest, Nov 19, 2026 – Nov 26, 2026"
    text = mail_sink.text_of(message)
    assert "1 thing needs you." in text
    assert "== Waiting for your verification ==" in text


def test_people_are_streamed_in_batches(app, world, mail_sink):
    app.config["DIGEST_BATCH_SIZE"] = 2
    readers = [world.member, world.tm_member, world.kz_chair, world.tm_chair]
    extra = UserFactory(organisation=world.kz_org, email="fifth@example.org")
    MembershipFactory(group=world.group, user=extra)
    for person in [*readers, extra]:
        on_digest(person)
    with time_machine.travel(YESTERDAY, tick=False):
        meeting_event("meeting.cancelled", world, world.secretary, reason="Flooded road to Bereket")
    batches = list(digests.due_batches(MORNING))
    assert [len(batch) for batch in batches] == [2, 2, 1]
    assert digests.plan(MORNING) == 5
    assert sorted(m["To"] for m in mail_sink.messages) == sorted(p.email for p in [*readers, extra])
    assert "Reason: Flooded road to Bereket" not in mail_sink.text_of(mail_sink.messages[0])


def test_preview_prints_what_a_person_would_receive(app, world):
    on_digest(world.member)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["council", "digests", "preview", "--user", "member@example.org"])
    assert result.exit_code == 0, result.output
    assert "Nothing to say: no digest would be sent." in result.output
    move_due_date(assign(world), world.kz_chair, date(2027, 3, 1))
    result = runner.invoke(args=["council", "digests", "preview", "--user", "Member@Example.org"])
    assert result.exit_code == 0, result.output
    assert "Subject: Council: your digest for" in result.output
    assert "due March 1, 2027 · New record; Due date moved" in result.output
    assert digest_count() == 0  # a preview records and sends nothing
    result = runner.invoke(args=["council", "digests", "preview", "--user", "nobody@example.org"])
    assert result.exit_code != 0 and "Nobody is registered" in result.output


def test_a_busy_day_shows_each_record_once_in_its_current_state(world, mail_sink):
    """A recommendation created, adopted and given commitments the same day is one line, adopted."""
    from council.tracker import services as tracker
    from council.tracker.models import RecommendationSource

    on_digest(world.tm_member)
    with time_machine.travel(YESTERDAY, tick=False):
        recommendation = tracker.create_recommendation(
            world.kz_chair, world.group, code="TRD-2026-009", title={"en": "Joint veterinary posts"},
            text={"en": "Set up joint posts."}, original_language="en",
            source=RecommendationSource.COUNCIL_SESSION, source_reference=None)
        tracker.change_recommendation_status(world.kz_chair, recommendation, "adopted")
        db.session.commit()
        for organisation, owner, chair in ((world.kz_org, world.member, world.kz_chair),
                                           (world.tm_org, world.tm_member, world.tm_chair)):
            tracker.create_commitment(chair, recommendation, organisation=organisation, owner=owner,
                                      description={"en": f"Post of {organisation.code}"},
                                      original_language="en", start_date=None, due_date=date(2027, 1, 31))
        db.session.commit()
    digests.plan(MORNING)
    [message] = mail_to(mail_sink, "tm.member@example.org")
    text = mail_sink.text_of(message)
    assert text.count("TRD-2026-009 Joint veterinary posts") == 1, text
    assert "New recommendation" not in text
    assert "Proposed → Adopted" in text
