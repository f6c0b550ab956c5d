"""Meetings through their own services: invitations, changes, cancellations, minutes, the reminder the
day before, and the digest sections of upcoming meetings and new minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from council.directory.models import User
from council.extensions import db
from council.meetings import agenda, minutes
from council.meetings import services as meetings_service
from council.meetings.models import Response
from council.notifications import digests
from council.notifications.models import Channel, EmailMode, Notification, NotificationPreference
from council.notifications.reminders import send_reminders
from tests.meetings.conftest import Meetings, details
from tests.notifications.conftest import mail_to, plain, subject

# Tuesday 24 November 2026, 12:00 in Aqtau; the meetings helper plans a week ahead, 10:00–13:00.
NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
TITLE = "Trade working group meeting"


@pytest.fixture
def meetings(world):
    with time_machine.travel(NOW, tick=False):
        yield Meetings(world)


def invitations(world) -> dict[str, tuple[int, ...]]:
    """The invitations the meetings helper makes, to keep them when a meeting is edited."""
    return {"invite_user_ids": (world.kz_chair.id, world.tm_chair.id, world.member.id),
            "invite_organisation_ids": (world.tm_org.id,)}


def heard(kind: str) -> set[str]:
    return set(db.session.scalars(select(User.email).join(Notification.recipient).where(
        Notification.kind == kind, Notification.channel == Channel.IN_APP)))


def test_a_draft_is_quiet_and_publishing_it_invites(meetings, world, mail_sink):
    draft = meetings.schedule()
    assert mail_sink.messages == [] and db.session.scalar(select(Notification.id)) is None
    meetings_service.update_meeting(world.secretary, draft,
                                    details(place="Aktau, port office", **invitations(world)))
    db.session.commit()
    agenda.add_agenda_item(world.secretary, draft, agenda.AgendaItemDetails(
        title={"ru": "Электронная очередь"}, original_language="ru", duration_minutes=60))
    meetings_service.publish_agenda(world.secretary, draft)
    db.session.commit()
    # Invited: both co-chairs, the member, and the people of the Turkmen hyakimlik.
    invited = {"kz.chair@example.org", "tm.chair@example.org", "member@example.org", "tm.member@example.org"}
    assert heard("meeting.invited") == invited
    assert heard("meeting.agenda_published") == set()  # every group member is invited here
    [message] = mail_to(mail_sink, "member@example.org")
    assert subject(message) == f"You are invited: {TITLE}"
    text = plain(mail_sink.text_of(message))
    assert "Starts: Dec 1, 2026, 10:00 AM Aktau (UTC+5)" in text and "Place: Aktau, port office" in text
    assert "http://council.test/notifications/" in text


def test_a_published_meeting_s_changes_and_cancelling_reach_the_invitees(meetings, world, mail_sink):
    meeting = meetings.published()
    mail_sink.messages.clear()
    later = datetime(2026, 12, 2, 15, 0)
    meetings_service.update_meeting(world.secretary, meeting, details(
        starts_at=later, ends_at=later + timedelta(hours=3), **invitations(world)))
    db.session.commit()
    [changed] = mail_to(mail_sink, "member@example.org")
    assert subject(changed) == f"Meeting changed: {TITLE}"
    assert "Starts: Dec 2, 2026, 3:00 PM Aktau (UTC+5)" in plain(mail_sink.text_of(changed))

    meetings_service.cancel_meeting(world.secretary, meeting, "The ferry to Turkmenbashi is cancelled")
    db.session.commit()
    [cancelled] = [m for m in mail_to(mail_sink, "tm.member@example.org") if "cancelled" in subject(m)]
    assert subject(cancelled) == f"Meeting cancelled: {TITLE}"
    assert "Reason: The ferry to Turkmenbashi is cancelled" in mail_sink.text_of(cancelled)


def test_cancelling_a_draft_tells_nobody(meetings, world, mail_sink):
    draft = meetings.schedule()
    meetings_service.cancel_meeting(world.secretary, draft, "Moved to the council session")
    db.session.commit()
    assert mail_sink.messages == []


def test_minutes_are_published_to_the_invitees_and_wait_for_the_co_chairs(meetings, world, mail_sink):
    with time_machine.travel(NOW + timedelta(days=9), tick=False):
        meeting = meetings.published_minutes()
    assert heard("minutes.approval_requested") == {"kz.chair@example.org", "tm.chair@example.org"}
    assert "member@example.org" in heard("minutes.published")
    assert subject(mail_to(mail_sink, "kz.chair@example.org")[-1]) == \
        f"Minutes waiting for your approval: {TITLE}"
    assert meeting.minutes is not None


def test_the_day_before_the_invitees_are_reminded_once(meetings, world, mail_sink):
    meeting = meetings.published(starts_at=datetime(2026, 11, 25, 10, 0),
                                 ends_at=datetime(2026, 11, 25, 13, 0))
    invitation = next(i for i in meeting.invitations if i.user_id == world.kz_chair.id)
    meetings_service.respond(world.kz_chair, invitation, Response.NOT_ATTENDING)
    db.session.commit()
    mail_sink.messages.clear()
    send_reminders(datetime(2026, 11, 24, 1, 30, tzinfo=UTC))  # 06:30 in Aqtau: not yet
    assert mail_sink.messages == []
    for hour in (2, 3, 9):
        send_reminders(datetime(2026, 11, 24, hour, 7, tzinfo=UTC))
    reminded = sorted(str(m["To"]) for m in mail_sink.messages)
    assert reminded == ["member@example.org", "tm.chair@example.org", "tm.member@example.org"]
    assert subject(mail_sink.messages[0]) == f"Tomorrow: {TITLE}"
    assert "Starts: Nov 25, 2026, 10:00 AM Aktau (UTC+5)" in plain(mail_sink.text_of(mail_sink.messages[0]))


def test_digests_list_upcoming_meetings_and_new_minutes(meetings, world, mail_sink):
    db.session.add(NotificationPreference(user_id=world.member.id, email_mode=EmailMode.DAILY))
    db.session.commit()
    with time_machine.travel(NOW - timedelta(days=9), tick=False):
        held = meetings.schedule(starts_at=datetime(2026, 11, 16, 10, 0),
                                 ends_at=datetime(2026, 11, 16, 13, 0),
                                 title={"en": "Ecology group, October"}, original_language="en")
        agenda.add_agenda_item(world.secretary, held, agenda.AgendaItemDetails(
            title={"ru": "Мониторинг"}, original_language="ru", duration_minutes=30))
        meetings_service.publish_agenda(world.secretary, held)
        db.session.commit()
    with time_machine.travel(NOW - timedelta(days=7), tick=False):
        meetings_service.mark_held(world.secretary, held)
        minutes.save_minutes(world.secretary, held, original_language="ru",
                                      notes={"general": {"ru": "Открыто."}})
        db.session.commit()
    with time_machine.travel(NOW - timedelta(hours=3), tick=False):
        minutes.publish_minutes(world.secretary, held)
        db.session.commit()
    meetings.published()  # on 1 December

    digests.plan(datetime(2026, 11, 25, 2, 5, tzinfo=UTC))
    [digest] = mail_to(mail_sink, "member@example.org")
    text = plain(mail_sink.text_of(digest))
    assert "== Meetings ahead ==" in text
    assert (f"- {TITLE} — Dec 1, 2026, 10:00 AM Aktau (UTC+5), Aktau, akimat building · "
            "Your answer: No answer yet") in text
    # New minutes are news of their meeting: one line, the meeting as it is now.
    assert "- Ecology group, October — Held, Nov 16, 2026, 10:00 AM Aktau (UTC+5) · " \
           "Minutes sent for approval" in text
    assert text.count("Ecology group, October") == 1


def test_the_digest_shows_the_readers_answer_to_each_meeting_ahead_and_links_to_answer(meetings, world,
                                                                                       mail_sink):
    """The member answered one invitation and not the other; the Turkmen member is invited through
    their organisation, whose answer is theirs; each line links to the meeting's invitations."""
    for person in (world.member, world.tm_member):
        db.session.add(NotificationPreference(user_id=person.id, email_mode=EmailMode.DAILY))
    db.session.commit()
    answered = meetings.published(title={"en": "Trade group, answered"}, original_language="en")
    meetings.published(title={"en": "Trade group, not answered"}, original_language="en",
                       starts_at=datetime(2026, 12, 2, 10, 0), ends_at=datetime(2026, 12, 2, 13, 0))
    mine = next(i for i in answered.invitations if i.user_id == world.member.id)
    meetings_service.respond(world.member, mine, Response.ATTENDING)
    theirs = next(i for i in answered.invitations if i.organisation_id == world.tm_org.id)
    meetings_service.respond(world.tm_chair, theirs, Response.NOT_ATTENDING)
    db.session.commit()

    digests.plan(datetime(2026, 11, 25, 2, 5, tzinfo=UTC))
    [digest] = mail_to(mail_sink, "member@example.org")
    ahead = plain(mail_sink.text_of(digest)).split("== Meetings ahead ==")[1]
    assert "- Trade group, answered — Dec 1, 2026, 10:00 AM Aktau (UTC+5), Aktau, akimat building · " \
           "Your answer: Attending" in ahead
    assert "- Trade group, not answered — Dec 2, 2026, 10:00 AM Aktau (UTC+5), Aktau, akimat building · " \
           "Your answer: No answer yet" in ahead
    assert f"/meetings/{answered.id}#invitations" in ahead
    assert "Your answer: Attending" in plain(mail_sink.html_of(digest))
    [turkmen] = mail_to(mail_sink, "tm.member@example.org")
    assert "Trade group, answered — " in plain(mail_sink.text_of(turkmen))
    assert "Your answer: Not attending" in plain(mail_sink.text_of(turkmen))
