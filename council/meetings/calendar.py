"""Calendars: an .ics file per meeting, and private feed addresses (a person's or a group's meetings).

The files carry a VTIMEZONE for every zone they use, so Outlook, Google Calendar and Thunderbird show
the meeting at the right hour wherever the reader is. Feed addresses hold a random token; only its
SHA-256 is stored, so the address is shown once and can be revoked or replaced.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import date, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_time
from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone, vCalAddress, vText
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from council import events
from council.addresses import external_url
from council.auth.permissions import can, require
from council.directory.models import Membership, User, WorkingGroup
from council.errors import NotAllowed, NotFound
from council.extensions import db
from council.i18n import marked_localized, plain_localized
from council.meetings.agenda import agenda_timeline
from council.meetings.models import (
    CalendarFeedToken,
    Invitation,
    Meeting,
    MeetingEvent,
    MeetingStatus,
    session_chair,
)
from council.timeutil import time_zone_name, utcnow

FEED_PAST_DAYS = 180
FEED_LIMIT = 500
ICS_STATUS = {
    MeetingStatus.DRAFT: "TENTATIVE",
    MeetingStatus.AGENDA_PUBLISHED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.MINUTES_APPROVED: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


# ICS --------------------------------------------------------------------------------------------


def _uid(meeting: Meeting) -> str:
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "council"
    return f"meeting-{meeting.id}@{host}"


def _description(meeting: Meeting, link: str) -> str:
    lines = [meeting.kind.label]
    if meeting.group is not None:
        lines[0] += f": {plain_localized(meeting.group.name, meeting.group.original_language)}"
    if meeting.status == MeetingStatus.CANCELLED:
        lines.append(_("Cancelled: %(reason)s", reason=meeting.cancel_reason or ""))
    if meeting.online_url:
        lines.append(_("Online: %(url)s", url=meeting.online_url))
    slots = agenda_timeline(meeting)
    if slots:
        lines.append("")
        zone = ZoneInfo(meeting.time_zone)
        lines.append(_("Agenda (times in %(zone)s)", zone=time_zone_name(meeting.time_zone)))
        lines.extend(f"{'  ' * slot.depth}{slot.number}. "
                     f"{format_time(slot.starts_at, 'short', tzinfo=zone, locale=get_locale())} "
                     f"{marked_localized(slot.item.title, slot.item.original_language)}" for slot in slots)
    lines.extend(["", link])
    return "\n".join(lines)


def _event(meeting: Meeting) -> Event:
    zone = ZoneInfo(meeting.time_zone)
    link = external_url("meetings.meeting", meeting_id=meeting.id)
    # An export: a title not yet in the reader's language says so, as on the pages.
    title = marked_localized(meeting.title, meeting.original_language)
    if meeting.status == MeetingStatus.CANCELLED:
        title = _("Cancelled: %(title)s", title=title)
    event = Event()
    event.add("uid", _uid(meeting))
    event.add("dtstamp", utcnow())
    event.add("created", meeting.created_at)
    event.add("last-modified", meeting.updated_at)
    event.add("sequence", meeting.sequence)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", title)
    event.add("status", ICS_STATUS[meeting.status])
    event.add("location", meeting.place or meeting.online_url or "")
    event.add("url", link)
    event.add("description", _description(meeting, link))
    event.add("transp", "OPAQUE")
    return event


def _timezones(meetings: Sequence[Meeting]) -> list[Timezone]:
    """A VTIMEZONE per zone, covering only the years the meetings span (keeps the file small)."""
    spans: dict[str, tuple[date, date]] = {}
    for meeting in meetings:
        first = meeting.starts_at.date() - timedelta(days=1)
        last = meeting.ends_at.date() + timedelta(days=1)
        low, high = spans.get(meeting.time_zone, (first, last))
        spans[meeting.time_zone] = (min(low, first), max(high, last))
    return [Timezone.from_tzid(zone, first_date=low - timedelta(days=366),
                               last_date=high + timedelta(days=366))
            for zone, (low, high) in sorted(spans.items())]


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Council//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def calendar_bytes(meetings: Sequence[Meeting], name: str, language: str,
                   time_zone: str = "UTC") -> bytes:
    """A VCALENDAR with the meetings, written in `language`.

    RFC 5545 wants at least one component: a calendar with no meetings (yet) carries the VTIMEZONE of
    `time_zone`, the reader's."""
    with force_locale(language):
        calendar = _calendar("PUBLISH")
        # icalendar writes unknown X- properties raw: vText escapes commas and semicolons as TEXT must.
        calendar.add("x-wr-calname", vText(name))
        # Feeds are polled: ask clients to refresh hourly.
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
        zones = _timezones(meetings)
        if not zones:
            today = utcnow().date()
            zones = [Timezone.from_tzid(time_zone, first_date=today - timedelta(days=366),
                                        last_date=today + timedelta(days=366))]
        for timezone in zones:
            calendar.add_component(timezone)
        for meeting in meetings:
            calendar.add_component(_event(meeting))
        return bytes(calendar.to_ical())


def invitation_calendar(meeting: Meeting, attendee: User, organizer: tuple[str, str]) -> tuple[bytes, str]:
    """The iTIP message (RFC 5546) for one invitee: REQUEST while the meeting stands, CANCEL once it is
    cancelled; the same UID as every calendar file of the meeting and its current SEQUENCE (raised by
    each change and by the cancellation), so clients update or remove the entry they added.

    `organizer` is (name, address): the council's sender, which receives any reply."""
    method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    with force_locale(attendee.language):
        calendar = _calendar(method)
        for timezone in _timezones([meeting]):
            calendar.add_component(timezone)
        event = _event(meeting)
        organizer_address = vCalAddress(f"mailto:{organizer[1]}")
        organizer_address.params["CN"] = vText(organizer[0])
        event.add("organizer", organizer_address)
        attendee_address = vCalAddress(f"mailto:{attendee.email}")
        attendee_address.params.update({"CN": vText(attendee.name), "ROLE": "REQ-PARTICIPANT",
                                         "PARTSTAT": "NEEDS-ACTION", "RSVP": "FALSE"})
        event.add("attendee", attendee_address)
        calendar.add_component(event)
        return bytes(calendar.to_ical()), method


def meeting_calendar(meeting: Meeting, language: str) -> bytes:
    with force_locale(language):
        name = plain_localized(meeting.title, meeting.original_language)
    return calendar_bytes([meeting], name, language)


# Feeds ------------------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feeds(user: User) -> list[CalendarFeedToken]:
    return list(db.session.scalars(select(CalendarFeedToken).where(
        CalendarFeedToken.user_id == user.id, CalendarFeedToken.revoked_at.is_(None))
        .options(selectinload(CalendarFeedToken.group)).order_by(CalendarFeedToken.id)))


def create_feed(actor: User, group: WorkingGroup | None = None) -> tuple[CalendarFeedToken, str]:
    """A new private feed address (replacing the person's previous one for the same calendar)."""
    if group is not None:
        require(actor, "calendar.group_feed", group)
    elif not actor.active:
        raise NotAllowed(_("You do not have permission to do this."))
    now = utcnow()
    for previous in active_feeds(actor):
        if previous.group_id == (group.id if group else None):
            previous.revoked_at = now
    token = secrets.token_urlsafe(32)
    feed = CalendarFeedToken(user_id=actor.id, group_id=group.id if group else None,
                             token_hash=_hash(token), created_at=now)
    db.session.add(feed)
    events.record(MeetingEvent.CALENDAR_FEED_CREATED, feed, actor, council_id=actor.council_id,
                  group_id=feed.group_id)
    return feed, token


def revoke_feed(actor: User, feed: CalendarFeedToken) -> None:
    if feed.user_id != actor.id:
        raise NotFound(_("There is nothing at this address."))
    if feed.revoked_at is None:
        feed.revoked_at = utcnow()
        events.record(MeetingEvent.CALENDAR_FEED_REVOKED, feed, actor, council_id=actor.council_id,
                      group_id=feed.group_id)


def feed_for(token: str) -> CalendarFeedToken:
    """The live feed a token opens; revoked tokens, departed people and lost memberships are 404."""
    feed = db.session.scalar(select(CalendarFeedToken).where(CalendarFeedToken.token_hash == _hash(token)))
    if feed is None or feed.revoked_at is not None or not feed.user.active:
        raise NotFound(_("There is nothing at this address."))
    if feed.group is not None and not can(feed.user, "calendar.group_feed", feed.group):
        raise NotFound(_("There is nothing at this address."))
    now = utcnow()
    if feed.last_used_at is None or now - feed.last_used_at > timedelta(minutes=10):
        feed.last_used_at = now
    return feed


def feed_meetings(feed: CalendarFeedToken) -> list[Meeting]:
    """Published meetings of the feed's group, or those the person takes part in; recent and upcoming."""
    since = utcnow() - timedelta(days=FEED_PAST_DAYS)
    query = (select(Meeting).where(Meeting.council_id == feed.user.council_id,
                                   Meeting.status != MeetingStatus.DRAFT, Meeting.ends_at >= since)
             .options(selectinload(Meeting.agenda_items), selectinload(Meeting.group))
             .order_by(Meeting.starts_at).limit(FEED_LIMIT))
    if feed.group_id is not None:
        query = query.where(Meeting.group_id == feed.group_id)
    else:
        person = feed.user
        invited = select(Invitation.meeting_id).where(or_(
            Invitation.user_id == person.id, Invitation.delegate_id == person.id,
            Invitation.organisation_id == person.organisation_id
            if person.organisation_id is not None else Invitation.user_id == person.id))
        groups = select(Membership.group_id).where(Membership.user_id == person.id)
        chaired = select(session_chair.c.meeting_id).where(session_chair.c.user_id == person.id)
        query = query.where(or_(Meeting.id.in_(invited), Meeting.group_id.in_(groups),
                                Meeting.id.in_(chaired)))
    return list(db.session.scalars(query))


def feed_name(feed: CalendarFeedToken) -> str:
    with force_locale(feed.user.language):
        if feed.group is not None:
            group = plain_localized(feed.group.name, feed.group.original_language)
            return _("Council: %(group)s", group=group)
        return _("Council: my meetings")


def feed_calendar(feed: CalendarFeedToken) -> bytes:
    return calendar_bytes(feed_meetings(feed), feed_name(feed), feed.user.language, feed.user.time_zone)
