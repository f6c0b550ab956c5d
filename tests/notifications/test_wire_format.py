"""E-mails as other programs read them: headers through Python's `email` package with the default policy,
and the meeting invitation's iTIP part through icalendar."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from icalendar import Calendar

from council.extensions import db
from council.meetings import services as meetings_service
from tests.meetings.conftest import Meetings, details
from tests.notifications.test_meetings import NOW, invitations

LONG_TITLE = {"ru": "Заседание рабочей группы по торговле, транзиту и логистике на пункте пропуска "
                    "Темирбаба – Гарабогаз"}


@pytest.fixture
def meetings(world):
    with time_machine.travel(NOW, tick=False):
        yield Meetings(world)


def received(mail_sink, address):
    """The messages to `address` as bytes on the wire, parsed with the standard default policy."""
    found = []
    for raw in mail_sink.raw:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        if [each.addr_spec for each in message["To"].addresses] == [address]:
            found.append((raw, message))
    return found


def header_lines(raw: bytes, name: str) -> list[str]:
    """A header's physical lines as sent (the first, then its continuation lines)."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    match = re.search(rf"^{name}:.*(?:\r\n[ \t].*)*", head, flags=re.MULTILINE | re.IGNORECASE)
    assert match, name
    return match.group(0).split("\r\n")


def itip(message):
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    attachments = [part for part in message.iter_attachments() if part.get_filename() == "invite.ics"]
    assert len(attachments) == 1 and attachments[0].get_content() == parts[0].get_content().encode()
    return parts[0].get_param("method"), Calendar.from_ical(parts[0].get_content())


def test_headers_follow_the_rfcs(meetings, world, mail_sink):
    world.member.language = "ru"
    db.session.commit()
    meetings.published(title=LONG_TITLE)
    found = received(mail_sink, world.member.email)
    assert len(found) == 1, [m["Subject"] for _r, m in found]
    [(raw, message)] = found
    subject_lines = header_lines(raw, "Subject")
    assert subject_lines[0].strip() != "Subject:"  # not folded right after the colon
    words = re.findall(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=", "".join(subject_lines))
    assert words and max(len(word) for word in words) <= 75
    assert all(len(line) <= 78 for line in subject_lines)
    assert message["Subject"] == f"Вы приглашены: {LONG_TITLE['ru']}"
    assert not message["Subject"].startswith(" ")
    assert not message["Date"].endswith("-0000") and message["Date"].datetime.utcoffset() == timedelta(0)
    assert message["Message-ID"].endswith("@council.test>")
    assert message["Auto-Submitted"] == "auto-generated"
    unsubscribe = message["List-Unsubscribe"]
    assert re.fullmatch(r"<http://council\.test/unsubscribe/[\w.-]+>", unsubscribe), unsubscribe
    assert header_lines(raw, "List-Unsubscribe")[0].startswith("List-Unsubscribe: <http://")


def test_every_system_e_mail_has_the_same_domain_and_is_auto_generated(client, world, mail_sink):
    client.post("/password/forgot", data={"email": world.member.email}).close()
    [(_raw, message)] = received(mail_sink, world.member.email)
    assert message["Message-ID"].endswith("@council.test>")
    assert message["Auto-Submitted"] == "auto-generated"


def test_invitations_changes_and_cancellation_carry_the_itip_event(meetings, world, mail_sink):
    meeting = meetings.published()
    [(_raw, invitation)] = received(mail_sink, world.member.email)
    method, calendar = itip(invitation)
    assert method == "REQUEST" and str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    uid = str(event["UID"])
    assert uid == f"meeting-{meeting.id}@council.test"
    assert str(event["ORGANIZER"]) == "mailto:council@localhost"
    assert [str(a) for a in [event["ATTENDEE"]]] == [f"mailto:{world.member.email}"]
    assert event["ATTENDEE"].params["CN"] == world.member.name
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Asia/Aqtau"
    first = int(event["SEQUENCE"])

    mail_sink.raw.clear()
    later = datetime(2026, 12, 2, 15, 0)
    meetings_service.update_meeting(world.secretary, meeting, details(
        starts_at=later, ends_at=later + timedelta(hours=3), **invitations(world)))
    db.session.commit()
    [(_raw, changed)] = received(mail_sink, world.member.email)
    method, calendar = itip(changed)
    [event] = calendar.walk("VEVENT")
    assert method == "REQUEST" and str(event["UID"]) == uid and int(event["SEQUENCE"]) > first
    assert event.decoded("DTSTART").hour == 15
    second = int(event["SEQUENCE"])

    mail_sink.raw.clear()
    meetings_service.cancel_meeting(world.secretary, meeting, "The ferry is cancelled")
    db.session.commit()
    [(_raw, cancelled)] = received(mail_sink, world.member.email)
    method, calendar = itip(cancelled)
    [event] = calendar.walk("VEVENT")
    assert method == "CANCEL" and str(calendar["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) > second
    assert str(event["STATUS"]) == "CANCELLED"


def test_other_notices_have_no_calendar(meetings, world, mail_sink):
    with time_machine.travel(NOW + timedelta(days=9), tick=False):
        meetings.published_minutes()
    approvals = [message for _raw, message in received(mail_sink, world.kz_chair.email)
                 if "approval" in message["Subject"]]
    assert approvals
    assert not [part for part in approvals[0].walk() if part.get_content_type() == "text/calendar"]


def test_someone_invited_hears_nothing_but_the_invitation_until_they_accept(world, mail_sink):
    from sqlalchemy import select

    from council.auth.services import invite_person
    from council.directory.models import PlatformRole
    from council.notifications.models import Notification
    from council.tracker import services as tracker
    from tests.factories import RecommendationFactory

    newcomer = invite_person(world.secretary, world.council, email="newcomer@example.org", name="Aidos New",
                             organisation_id=world.kz_org.id, role=PlatformRole.MEMBER, language="en")
    db.session.commit()
    recommendation = RecommendationFactory(group=world.group, code="TRD-2026-050")
    tracker.create_commitment(world.secretary, recommendation, organisation=world.kz_org, owner=newcomer,
                              description={"en": "Open the second lane"}, original_language="en",
                              start_date=None, due_date=NOW.date() + timedelta(days=30))
    db.session.commit()
    kinds = set(db.session.scalars(select(Notification.kind).where(Notification.recipient_id == newcomer.id)))
    assert kinds == {"person.invited"}
    assert len(received(mail_sink, "newcomer@example.org")) == 1  # the invitation
    assert db.session.scalar(select(Notification.id).where(
        Notification.recipient_id == world.member.id, Notification.kind == "commitment.created")) is not None
