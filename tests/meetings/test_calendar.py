"""Calendar files and private feeds, checked by parsing them back with the icalendar library."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from icalendar.parser import Contentline
from sqlalchemy import select

from council.errors import NotFound
from council.extensions import db
from council.meetings import agenda, calendar, services
from council.meetings.models import CalendarFeedToken, MeetingKind
from tests.conftest import NOT_FOUND, page_text, refusal
from tests.factories import PASSWORD, WorkingGroupFactory
from tests.meetings.conftest import item


def parse(content: bytes) -> Calendar:
    parsed = Calendar.from_ical(content)
    assert parsed.get("VERSION") == "2.0" and parsed.get("PRODID")
    return parsed


def events_of(parsed: Calendar) -> list:
    return list(parsed.walk("VEVENT"))


def test_a_meeting_file_carries_its_time_zone(app, world, meetings):
    meeting = meetings.published(time_zone="Asia/Ashgabat")
    with app.test_request_context():
        content = calendar.meeting_calendar(meeting, "ru")
    parsed = parse(content)
    [zone] = parsed.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Ashgabat"
    [event] = events_of(parsed)
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and start.utcoffset() == timedelta(hours=5)
    assert str(event["DTSTART"].params["TZID"]) == "Asia/Ashgabat"
    assert start.astimezone(UTC) == meeting.starts_at
    assert event.decoded("DTEND").astimezone(UTC) == meeting.ends_at
    assert str(event["SUMMARY"]) == "Заседание рабочей группы по торговле"
    assert str(event["UID"]) == f"meeting-{meeting.id}@council.test"
    assert str(event["STATUS"]) == "CONFIRMED" and int(event["SEQUENCE"]) == meeting.sequence
    assert str(event["LOCATION"]) == "Aktau, akimat building"
    description = str(event["DESCRIPTION"])
    assert "1. 10:00 Открытие" in description and "2. 10:15 Электронная очередь" in description
    assert f"/meetings/{meeting.id}" in str(event["URL"])
    assert b"\r\n" in content  # RFC 5545 line endings, which Outlook insists on


def test_the_summary_is_in_the_readers_language(app, meetings):
    meeting = meetings.published()
    with app.test_request_context():
        [event] = events_of(parse(calendar.meeting_calendar(meeting, "en")))
    assert str(event["SUMMARY"]) == "Trade working group meeting"


def test_a_cancelled_meeting_is_cancelled_in_calendars(app, world, meetings):
    meeting = meetings.published()
    sequence = meeting.sequence
    services.cancel_meeting(world.secretary, meeting, "Перенос")
    db.session.commit()
    with app.test_request_context():
        [event] = events_of(parse(calendar.meeting_calendar(meeting, "en")))
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) > sequence


def test_an_online_meeting_has_its_link_as_location(app, meetings):
    meeting = meetings.published(place="", online_url="https://meet.example.org/digital")
    with app.test_request_context():
        [event] = events_of(parse(calendar.meeting_calendar(meeting, "en")))
    assert str(event["LOCATION"]) == "https://meet.example.org/digital"


def test_a_zone_with_summer_time_gets_both_rules(app, meetings):
    meeting = meetings.published(time_zone="Europe/Berlin")
    with app.test_request_context():
        parsed = parse(calendar.meeting_calendar(meeting, "en"))
    [zone] = parsed.walk("VTIMEZONE")
    assert {c.name for c in zone.subcomponents} >= {"STANDARD", "DAYLIGHT"}
    [event] = events_of(parsed)
    local = meeting.starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert event.decoded("DTSTART") == local


# Feeds ------------------------------------------------------------------------------------------


def test_a_personal_feed_lists_the_persons_meetings_only(app, world, meetings):
    mine = meetings.published()  # member invited personally
    via_organisation = meetings.published(invite_user_ids=(), invite_organisation_ids=(world.kz_org.id,),
                                          group=WorkingGroupFactory(council=world.council, code="ECO"))
    meetings.schedule()  # a draft: not in any feed
    not_mine = meetings.published(invite_user_ids=(world.tm_member.id,), invite_organisation_ids=(),
                                  group=WorkingGroupFactory(council=world.council, code="MIG"))
    feed, token = calendar.create_feed(world.member)
    db.session.commit()
    assert feed.token_hash != token and len(feed.token_hash) == 64
    with app.test_request_context():
        found = calendar.feed_for(token)
        parsed = parse(calendar.feed_calendar(found))
    uids = {str(e["UID"]) for e in events_of(parsed)}
    # mine, and the trade group's meetings (member of it), and the one inviting the organisation
    assert f"meeting-{mine.id}@council.test" in uids
    assert f"meeting-{via_organisation.id}@council.test" in uids
    assert f"meeting-{not_mine.id}@council.test" not in uids
    assert all(e["STATUS"] != "TENTATIVE" for e in events_of(parsed))
    assert str(parsed["X-WR-CALNAME"]) == "Council: my meetings"


def test_a_group_feed_lists_the_groups_meetings(app, world, meetings):
    trade = meetings.published()
    other = meetings.published(group=WorkingGroupFactory(council=world.council, code="ECO"))
    session = meetings.published(kind=MeetingKind.COUNCIL_SESSION, group=None)
    _feed, token = calendar.create_feed(world.tm_member, world.group)
    db.session.commit()
    with app.test_request_context():
        parsed = parse(calendar.feed_calendar(calendar.feed_for(token)))
    assert {str(e["UID"]) for e in events_of(parsed)} == {f"meeting-{trade.id}@council.test"}
    assert other and session


def test_group_feeds_are_for_the_groups_people(world):
    from council.errors import NotAllowed

    with pytest.raises(NotAllowed):
        calendar.create_feed(world.outsider, world.group)


def test_feeds_are_revocable_and_replaced(app, world):
    first, first_token = calendar.create_feed(world.member)
    second, second_token = calendar.create_feed(world.member)
    db.session.commit()
    assert first.revoked_at is not None and second.revoked_at is None
    with app.test_request_context():
        with pytest.raises(NotFound):
            calendar.feed_for(first_token)
        calendar.feed_for(second_token)
        calendar.revoke_feed(world.member, second)
        db.session.commit()
        with pytest.raises(NotFound):
            calendar.feed_for(second_token)
        with pytest.raises(NotFound):
            calendar.feed_for("not-a-token")
    with pytest.raises(NotFound):
        calendar.revoke_feed(world.tm_member, first)  # someone else's


def test_a_feed_dies_with_its_owners_account_or_membership(app, world):
    _feed, token = calendar.create_feed(world.member, world.group)
    db.session.commit()
    world.member.active = False
    db.session.commit()
    with app.test_request_context(), pytest.raises(NotFound):
        calendar.feed_for(token)


def test_only_the_hash_is_stored(world):
    _feed, token = calendar.create_feed(world.member)
    db.session.commit()
    assert db.session.scalar(select(CalendarFeedToken).where(CalendarFeedToken.token_hash == token)) is None


# Through the web --------------------------------------------------------------------------------


def test_meeting_ics_download(client, auth, world, meetings):
    meeting = meetings.published()
    auth.login(world.tm_member)
    response = client.get(f"/meetings/{meeting.id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="{meeting.reference}.ics"' in response.headers["Content-Disposition"]
    [event] = events_of(parse(response.data))
    assert str(event["SUMMARY"]) == "Trade working group meeting"


def test_feed_address_is_shown_once_and_works_without_signing_in(client, auth, world, meetings):
    meeting = meetings.published()
    auth.login(world.member)
    page = page_text(client.post("/meetings/calendar/feeds", data={"group_id": ""}))
    address = page.split('data-select-on-focus', 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]
    assert address.startswith("http://council.test/meetings/calendar/") and address.endswith(".ics")
    assert address not in page_text(client.get("/meetings/calendar"))
    auth.logout()
    path = address.removeprefix("http://council.test")
    response = client.get(path)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert f"meeting-{meeting.id}@council.test" in response.get_data(as_text=True)
    assert db.session.scalar(select(CalendarFeedToken.last_used_at)) is not None
    auth.login(world.member)
    feed = db.session.scalar(select(CalendarFeedToken))
    assert client.post(f"/meetings/calendar/feeds/{feed.id}/revoke").status_code == 302
    auth.logout()
    gone = client.get(path)
    assert refusal(gone, 404) == NOT_FOUND
    assert f"meeting-{meeting.id}@council.test" not in page_text(gone)


def test_agenda_items_appear_in_order(app, world, meetings):
    meeting = meetings.schedule()
    agenda.add_agenda_item(world.secretary, meeting, item("Первый", 20))
    services.publish_agenda(world.secretary, meeting)
    db.session.commit()
    with app.test_request_context():
        [event] = events_of(parse(calendar.meeting_calendar(meeting, "ru")))
    assert "1. 10:00 Первый" in str(event["DESCRIPTION"])
    assert datetime.now(UTC) - event.decoded("DTSTAMP") < timedelta(minutes=1)


def test_calendar_links_come_from_the_public_address_whatever_the_host(make_app, world, meetings):
    """A calendar file or feed address built from `Host: evil.example` would send people there."""
    meeting = meetings.published()
    db.session.commit()
    client = make_app(SERVER_NAME=None, BASE_URL="https://council.example.org").test_client()
    evil = {"Host": "evil.example"}
    client.post("/login", data={"email": world.member.email, "password": PASSWORD}, headers=evil)
    ics = client.get(f"/meetings/{meeting.id}/calendar.ics", headers=evil).get_data(as_text=True)
    assert f"https://council.example.org/meetings/{meeting.id}" in ics.replace("\r\n ", "")
    assert "evil.example" not in ics
    page = page_text(client.post("/meetings/calendar/feeds", data={"group_id": ""}, headers=evil))
    address = page.split('data-select-on-focus', 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]
    assert address.startswith("https://council.example.org/meetings/calendar/")


def test_the_calendar_name_is_escaped_as_rfc_5545_text(app, world, meetings):
    world.group.name = {"ru": "Торговля, транзит; логистика", "en": "Trade, transit; logistics"}
    meetings.published()
    _feed, token = calendar.create_feed(world.member, world.group)
    db.session.commit()
    with app.test_request_context():
        content = calendar.feed_calendar(calendar.feed_for(token))
    line = next(line for line in content.decode().split("\r\n") if line.startswith("X-WR-CALNAME"))
    assert line == "X-WR-CALNAME:Council: Trade\\, transit\\; logistics"
    # icalendar's content-line parser unescapes TEXT as a calendar client does.
    assert Contentline(line).parts()[2] == "Council: Trade, transit; logistics"
    parse(content)


def test_an_empty_personal_feed_is_a_valid_calendar_with_the_readers_time_zone(app, world):
    world.member.time_zone = "Asia/Ashgabat"
    _feed, token = calendar.create_feed(world.member)
    db.session.commit()
    with app.test_request_context():
        parsed = parse(calendar.feed_calendar(calendar.feed_for(token)))
    assert events_of(parsed) == []
    assert [str(zone["TZID"]) for zone in parsed.walk("VTIMEZONE")] == ["Asia/Ashgabat"]
    assert parsed.subcomponents  # RFC 5545: "1*component"
