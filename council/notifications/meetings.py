"""What notifications know about meetings: when and where they are, the reminder the day before, and
the digest sections of upcoming meetings and new minutes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, or_, select

from council.directory.models import User
from council.events import Event
from council.extensions import db
from council.meetings.models import Invitation, Meeting, MeetingEvent, MeetingStatus, Response
from council.notifications.messages import SUBJECT_DETAILS, Reader, page_link
from council.notifications.models import Channel, Notification, ReminderKind
from council.notifications.reminders import Reminder, reminder_source
from council.notifications.sections import SECTION_KINDS, SECTION_LIMIT, Items, Line, Window, digest_section

SECTION_KINDS.add(MeetingEvent.MINUTES_PUBLISHED)
UPCOMING_DAYS = 14
REMINDER_HOUR = 7  # the day before, from 07:00 in the meeting's time zone


def meeting_details(meeting_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """When and where each meeting is now (events carry its title, not its time, which may change)."""
    rows = db.session.execute(select(Meeting.id, Meeting.starts_at, Meeting.time_zone, Meeting.place,
                                     Meeting.online_url).where(Meeting.id.in_(sorted(set(meeting_ids)))))
    return {id_: {"starts_at": starts_at.isoformat(), "time_zone": zone, "place": place or online_url or ""}
            for id_, starts_at, zone, place, online_url in rows}


SUBJECT_DETAILS["meeting"] = meeting_details


def invited(person: User) -> ColumnElement[bool]:
    """SQL: an invitation addressed to the person, their delegation, or their organisation."""
    conditions = [Invitation.user_id == person.id, Invitation.delegate_id == person.id]
    if person.organisation_id is not None:
        conditions.append(Invitation.organisation_id == person.organisation_id)
    return or_(*conditions)


# Digest sections ----------------------------------------------------------------------------------


def _render_meeting(item: dict[str, Any], reader: Reader) -> Line:
    where = f", {item['place']}" if item.get("place") else ""
    return Line(f"{reader.text(item['title'])}: {reader.when(item['starts_at'], 'short')}{where}",
                page_link("meeting", item["id"]))


def _render_minutes(item: dict[str, Any], reader: Reader) -> Line:
    return Line(_("Minutes of %(meeting)s", meeting=reader.text(item["title"])),
                page_link("meeting", item["id"]), reader.when(item["published_at"], "short"))


@digest_section("upcoming", _l("Upcoming meetings"), _render_meeting)
def collect_upcoming(person: User, window: Window) -> tuple[Items, int]:
    """Published meetings of the next two weeks the person (or their organisation) is invited to."""
    ids = select(Invitation.meeting_id).where(invited(person))
    rows = db.session.execute(
        select(Meeting.id, Meeting.title, Meeting.starts_at, Meeting.place, Meeting.online_url)
        .where(Meeting.id.in_(ids), Meeting.status == MeetingStatus.AGENDA_PUBLISHED,
               Meeting.starts_at > window.until,
               Meeting.starts_at <= window.until + timedelta(days=UPCOMING_DAYS))
        .order_by(Meeting.starts_at, Meeting.id).limit(SECTION_LIMIT)).all()
    items = [{"id": id_, "title": title, "starts_at": starts_at.isoformat(), "place": place or online or ""}
             for id_, title, starts_at, place, online in rows]
    return items, len(items)


@digest_section("minutes", _l("New minutes"), _render_minutes)
def collect_minutes(person: User, window: Window) -> tuple[Items, int]:
    """The person's own news of minutes published since the last digest (so their group levels and
    invitations apply); the "what changed" section leaves them to this one."""
    rows = db.session.execute(
        select(Event.subject_id, Event.payload, Notification.created_at)
        .join(Event, Notification.event_id == Event.id)
        .where(Notification.recipient_id == person.id, Notification.channel == Channel.IN_APP,
               Notification.created_at > window.since, Notification.created_at <= window.until,
               Notification.kind == MeetingEvent.MINUTES_PUBLISHED)
        .order_by(Notification.created_at).limit(SECTION_LIMIT)).all()
    items = [{"id": meeting_id, "title": payload.get("title"), "published_at": published.isoformat()}
             for meeting_id, payload, published in rows]
    return items, len(items)


# The reminder the day before ----------------------------------------------------------------------


def invitees(meeting_id: int) -> set[int]:
    """Who is expected: invited people and delegates, the people of invited organisations; not those
    who said they will not come."""
    rows = db.session.execute(select(Invitation.user_id, Invitation.delegate_id, Invitation.organisation_id)
                              .where(Invitation.meeting_id == meeting_id,
                                     Invitation.response != Response.NOT_ATTENDING)).all()
    people = {person for row in rows for person in (row.user_id, row.delegate_id) if person}
    organisations = [row.organisation_id for row in rows if row.organisation_id]
    if organisations:
        people |= set(db.session.scalars(select(User.id).where(User.organisation_id.in_(organisations),
                                                               User.active.is_(True))))
    return people


@reminder_source
def meeting_reminders(at: datetime) -> Iterator[Reminder]:
    """Published meetings that start tomorrow in their own time zone, from 07:00 there."""
    rows = db.session.execute(
        select(Meeting.id, Meeting.council_id, Meeting.group_id, Meeting.title, Meeting.starts_at,
               Meeting.time_zone, Meeting.place, Meeting.online_url)
        .where(and_(Meeting.status == MeetingStatus.AGENDA_PUBLISHED, Meeting.starts_at > at,
                    Meeting.starts_at <= at + timedelta(days=2)))
        .order_by(Meeting.id)).all()
    for id_, council_id, group_id, title, starts_at, zone, place, online_url in rows:
        local_now, local_start = at.astimezone(ZoneInfo(zone)), starts_at.astimezone(ZoneInfo(zone))
        if local_start.date() != local_now.date() + timedelta(days=1) or local_now.hour < REMINDER_HOUR:
            continue
        yield Reminder(kind=ReminderKind.MEETING_TOMORROW, council_id=council_id,
                       recipient_ids=frozenset(invitees(id_)), group_id=group_id,
                       key=f"meeting:{id_}:tomorrow:{starts_at.isoformat()}",
                       payload={"subject_type": "meeting", "subject_id": id_, "title": title,
                                "starts_at": starts_at.isoformat(), "time_zone": zone,
                                "place": place or online_url or ""})
