"""What notifications know about meetings: when and where they are, the reminder the day before, and
the digest's section of meetings ahead (new minutes are news of their meeting, in "what changed")."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from council.dbtypes import among
from council.directory.models import User
from council.extensions import db
from council.meetings.models import Invitation, Meeting, MeetingStatus, Response
from council.notifications.messages import SUBJECT_DETAILS, Reader, page_link
from council.notifications.models import ReminderKind
from council.notifications.reminders import Reminder, reminder_source
from council.notifications.sections import SECTION_LIMIT, Items, Line, Readers, by_window, digest_section

UPCOMING_DAYS = 14
REMINDER_HOUR = 7  # the day before, from 07:00 in the meeting's time zone


def meeting_details(meeting_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """When and where each meeting is now (events carry its title, not its time, which may change)."""
    rows = db.session.execute(select(Meeting.id, Meeting.starts_at, Meeting.time_zone, Meeting.place,
                                     Meeting.online_url).where(Meeting.id.in_(sorted(set(meeting_ids)))))
    return {id_: {"starts_at": starts_at.isoformat(), "time_zone": zone, "place": place or online_url or ""}
            for id_, starts_at, zone, place, online_url in rows}


SUBJECT_DETAILS["meeting"] = meeting_details


# Digest sections ----------------------------------------------------------------------------------


def _render_meeting(item: dict[str, Any], reader: Reader) -> Line:
    """The meeting, when and where, and the reader's answer; the link opens the meeting page at its
    invitations, where the answer is given or changed."""
    when = reader.meeting_time(item["starts_at"], item.get("time_zone"))
    detail = f"{when}, {item['place']}" if item.get("place") else when
    if item.get("response"):
        detail += " · " + _("Your answer: %(answer)s", answer=Response(item["response"]).label)
    return Line(reader.text(item["title"]), page_link("meeting", item["id"]) + "#invitations", detail=detail)


@digest_section("upcoming", _l("Meetings ahead"), _render_meeting, more="meetings.meetings")
def collect_upcoming(readers: Readers) -> list[tuple[Items, int]]:
    """Published meetings of the next two weeks each reader (or their organisation) is invited to: the
    invitations of the whole batch in one query per day, then each reader's meetings from them."""
    results: list[tuple[Items, int]] = [([], 0) for _reader in readers]
    for until, positions in by_window(readers, lambda window: window.until).items():
        people = [readers[position][0] for position in positions]
        ids = sorted({person.id for person in people})
        organisations = sorted({person.organisation_id for person in people
                                if person.organisation_id is not None})
        rows = db.session.execute(
            select(Meeting.id, Meeting.title, Meeting.starts_at, Meeting.time_zone, Meeting.place,
                   Meeting.online_url, Invitation.user_id, Invitation.delegate_id, Invitation.organisation_id,
                   Invitation.response)
            .join(Invitation, Invitation.meeting_id == Meeting.id)
            .where(or_(among(Invitation.user_id, ids), among(Invitation.delegate_id, ids),
                       Invitation.organisation_id.in_(organisations)),
                   Meeting.status == MeetingStatus.AGENDA_PUBLISHED, Meeting.starts_at > until,
                   Meeting.starts_at <= until + timedelta(days=UPCOMING_DAYS))).all()
        meetings: dict[int, dict[str, Any]] = {}
        invited_people: dict[int, set[int]] = {}
        invited_organisations: dict[int, set[int]] = {}
        # Each invitation's answer: a person's own (or as a delegate) first, else their organisation's.
        answers: dict[tuple[int, str, int], str] = {}
        for (id_, title, starts_at, zone, place, online, user_id, delegate_id, organisation_id,
             response) in rows:
            meetings[id_] = {"id": id_, "title": title, "starts_at": starts_at, "time_zone": zone,
                             "place": place or online or ""}
            invited_people.setdefault(id_, set()).update(
                person for person in (user_id, delegate_id) if person is not None)
            if organisation_id is not None:
                invited_organisations.setdefault(id_, set()).add(organisation_id)
                answers[(id_, "organisation", organisation_id)] = response
            for person in (user_id, delegate_id):
                if person is not None:
                    answers[(id_, "person", person)] = response
        ordered = sorted(meetings.values(), key=lambda meeting: (meeting["starts_at"], meeting["id"]))
        for position, person in zip(positions, people, strict=True):
            theirs = [meeting for meeting in ordered
                      if person.id in invited_people.get(meeting["id"], ())
                      or person.organisation_id in invited_organisations.get(meeting["id"], ())]
            items = [{**meeting, "starts_at": meeting["starts_at"].isoformat(),
                      "response": _answer(answers, meeting["id"], person)}
                     for meeting in theirs[:SECTION_LIMIT]]
            results[position] = (items, len(theirs))
    return results


def _answer(answers: dict[tuple[int, str, int], str], meeting_id: int, person: User) -> str:
    own = answers.get((meeting_id, "person", person.id))
    if own is None and person.organisation_id is not None:
        own = answers.get((meeting_id, "organisation", person.organisation_id))
    return str(own or "")


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
