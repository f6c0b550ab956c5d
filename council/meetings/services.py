"""Rules for meetings: scheduling, invitations, the agenda, attendance, minutes and decisions.

Every change checks permission, validates, moves the meeting through MEETING_TRANSITIONS and records
a domain event in the caller's transaction; the caller commits, or rolls back on a DomainError.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import selectinload

from council import conflicts, events
from council.auth.permissions import can, group_roles, is_secretary, require
from council.directory.models import (
    Council,
    GroupRole,
    Membership,
    Organisation,
    PlatformRole,
    User,
    WorkingGroup,
)
from council.errors import Conflict, NotFound, Problems, ValidationFailed
from council.extensions import db
from council.http_messages import missing_record
from council.i18n import Translations
from council.meetings.models import (
    MAX_MEETING_LENGTH,
    MEETING_TRANSITIONS,
    PLANNING_STATUSES,
    AgendaItem,
    Invitation,
    Meeting,
    MeetingEvent,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesRevision,
    Response,
)
from council.meetings.permissions import MeetingScope
from council.meetings.wording import about, meeting_gettext
from council.records import require_original_text
from council.timeutil import is_time_zone, utcnow

MAX_ITEM_MINUTES = 600
SESSION_PREFIX = "CS"


# Helpers ----------------------------------------------------------------------------------------


def _of_council(model: type[Any], council_id: int, ids: Iterable[int], field: str, message: str,
                *conditions: Any) -> list[Any]:
    """The records of this council with these ids (people, organisations, tracker records), or a
    ValidationFailed naming the form field: ids of other councils never slip through."""
    wanted = set(ids)
    if not wanted:
        return []
    found = list(db.session.scalars(select(model).where(model.id.in_(wanted), model.council_id == council_id,
                                                        *conditions)))
    if len(found) != len(wanted):
        raise ValidationFailed(message, field=field)
    return found


def _people(council_id: int, ids: Iterable[int], field: str) -> list[User]:
    """Active people of this council."""
    return _of_council(User, council_id, ids, field, _("Choose people of this council."),
                       User.active.is_(True))


def _organisations(council_id: int, ids: Iterable[int], field: str) -> list[Organisation]:
    return _of_council(Organisation, council_id, ids, field, _("Choose organisations of this council."))


def to_utc(moment: datetime, zone: str) -> datetime:
    """A wall-clock time in `zone` (or an aware time) as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)


def local_time(moment: datetime, zone: str) -> datetime:
    """The meeting's own wall-clock time, e.g. to fill in an edit form."""
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def _transition(meeting: Meeting, target: MeetingStatus) -> MeetingStatus:
    if target not in MEETING_TRANSITIONS[meeting.status]:
        if meeting.status == MeetingStatus.CANCELLED:
            raise Conflict(about(meeting, "This meeting has been cancelled."))
        raise Conflict(about(meeting, "A meeting in the state “%(status)s” cannot become “%(target)s”.",
                             status=meeting.status.label, target=target.label))
    previous = meeting.status
    meeting.status = target
    return previous


def _invitee_ids(meeting: Meeting) -> dict[str, list[int]]:
    """Who notifications should reach about this meeting: invited people and organisations."""
    user_ids = sorted({i.user_id for i in meeting.invitations if i.user_id is not None}
                      | {i.delegate_id for i in meeting.invitations if i.delegate_id is not None})
    organisation_ids = sorted(i.organisation_id for i in meeting.invitations
                              if i.organisation_id is not None)
    return {"user_ids": user_ids, "organisation_ids": organisation_ids}


def record_event(event_kind: MeetingEvent, meeting: Meeting, actor: User | None, *, invitees: bool = False,
                 **payload: Any) -> None:
    """A meeting event with the ids notifications look recipients up by."""
    if invitees:
        payload.update(_invitee_ids(meeting))
    events.record(event_kind, meeting, actor, meeting_id=meeting.id, group_id=meeting.group_id,
                  reference=meeting.reference, title=meeting.title, **payload)


def _next_reference(council_id: int, group: WorkingGroup | None, starts_at: datetime,
                    zone: str) -> str:
    prefix = group.code if group is not None else SESSION_PREFIX
    year = starts_at.astimezone(ZoneInfo(zone)).year
    taken = db.session.scalars(select(Meeting.reference).where(
        Meeting.council_id == council_id, Meeting.reference.like(f"{prefix}-{year}-%")))
    numbers = [int(match.group(1)) for reference in taken
               if (match := re.fullmatch(rf"{prefix}-{year}-(\d+)", reference))]
    return f"{prefix}-{year}-{max(numbers, default=0) + 1:02d}"


def get_meeting(meeting_id: int, reader: User, options: Iterable[Any] = ()) -> Meeting:
    """A meeting the reader may see; drafts of others and other councils' meetings are 404.

    `options` are loader options (selectinload…) for pages that show the whole meeting.
    """
    meeting = db.session.get(Meeting, meeting_id, options=list(options))
    if meeting is None or meeting.council_id != reader.council_id or not can(reader, "meeting.view", meeting):
        raise NotFound(missing_record("meeting"))
    return meeting


def child_of(meeting: Meeting, model: type[Any], record_id: int | None) -> Any:
    """A record that belongs to this meeting (agenda item, invitation, decision…), or NotFound."""
    record = db.session.get(model, record_id) if record_id is not None else None
    if record is None or record.meeting_id != meeting.id:
        raise NotFound(_("There is nothing at this address."))
    return record


# Scheduling -------------------------------------------------------------------------------------


@dataclass
class MeetingDetails:
    """What the schedule and edit forms say about a meeting."""

    title: Translations
    original_language: str
    starts_at: datetime  # wall-clock time in time_zone, or aware
    ends_at: datetime
    time_zone: str
    place: str | None = None
    online_url: str | None = None
    invite_user_ids: tuple[int, ...] = ()
    invite_organisation_ids: tuple[int, ...] = ()
    session_chair_ids: tuple[int, ...] = ()


# A meeting's time: years a calendar can show, far from the ends of Python's dates (a time in year 1
# or 9999 cannot be moved to UTC, and the reference takes its year).
EARLIEST_MEETING = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_MEETING = datetime(9000, 12, 31, tzinfo=UTC)


def _moment(moment: datetime, zone: str, field: str) -> datetime:
    try:
        moment = to_utc(moment, zone)
    except OverflowError:
        moment = EARLIEST_MEETING - timedelta(days=1)
    if not EARLIEST_MEETING <= moment <= LATEST_MEETING:
        raise ValidationFailed(_("Date must be between %(min)s and %(max)s.",
                                 min=EARLIEST_MEETING.date().isoformat(),
                                 max=LATEST_MEETING.date().isoformat()), field=field)
    return moment


def _check_details(council_id: int, kind: MeetingKind, details: MeetingDetails
                   ) -> tuple[Translations, datetime, datetime, list[User], list[Organisation], list[User]]:
    """Every problem of the schedule or edit form at once (see `Problems`)."""
    problems = Problems()
    title = problems.check(require_original_text, details.title, details.original_language, "title")
    starts_at = ends_at = None
    if not is_time_zone(details.time_zone):
        problems.add(_("Choose a time zone."), "time_zone")
    else:
        starts_at = problems.check(_moment, details.starts_at, details.time_zone, "starts_at")
        ends_at = problems.check(_moment, details.ends_at, details.time_zone, "ends_at")
        length = ends_at - starts_at if starts_at is not None and ends_at is not None else None
        if length is not None and length <= timedelta(0):
            problems.add(meeting_gettext(kind, "The meeting must end after it starts."), "ends_at")
        elif length is not None and length > MAX_MEETING_LENGTH:
            problems.add(meeting_gettext(kind, "A meeting lasts at most seven days."), "ends_at")
    place = (details.place or "").strip() or None
    online_url = (details.online_url or "").strip() or None
    if place is None and online_url is None:
        problems.add(_("Give a place or an online link."), "place")
    if online_url is not None and not re.match(r"^https?://[^\s/]+\S*$", online_url):
        problems.add(_("Enter a link that starts with https://."), "online_url")
    users = problems.check(_people, council_id, details.invite_user_ids, "invite_user_ids") or []
    organisations = problems.check(_organisations, council_id, details.invite_organisation_ids,
                                   "invite_organisation_ids") or []
    chairs = problems.check(_people, council_id, details.session_chair_ids, "session_chair_ids") or []
    countries = [chair.country_code for chair in chairs]
    if chairs and kind != MeetingKind.COUNCIL_SESSION:
        problems.add(_("A working-group meeting is chaired by the group's co-chairs."), "session_chair_ids")
    elif None in countries or len(set(countries)) != len(countries):
        problems.add(_("Choose one co-chair from each country, each with an organisation."),
                     "session_chair_ids")
    problems.raise_any()  # from here on, every value was accepted
    return (cast(Translations, title), cast(datetime, starts_at), cast(datetime, ends_at), users,
            organisations, chairs)


def _invite(meeting: Meeting, users: list[User], organisations: list[Organisation]
            ) -> tuple[list[int], list[int]]:
    """Add invitations that do not exist yet; returns the newly invited user and organisation ids."""
    invited_users = {i.user_id for i in meeting.invitations}
    invited_organisations = {i.organisation_id for i in meeting.invitations}
    new_users = sorted({u.id for u in users} - invited_users)
    new_organisations = sorted({o.id for o in organisations} - invited_organisations)
    meeting.invitations.extend(Invitation(user_id=user_id) for user_id in new_users)
    meeting.invitations.extend(Invitation(organisation_id=org_id) for org_id in new_organisations)
    conflicts.flush()
    return new_users, new_organisations


def _group_member_ids(group: WorkingGroup) -> list[int]:
    return list(db.session.scalars(select(Membership.user_id).join(User).where(
        Membership.group_id == group.id, Membership.role != GroupRole.OBSERVER,
        User.active.is_(True))))


def schedule_meeting(actor: User, council: Council, *, kind: MeetingKind, group: WorkingGroup | None,
                     details: MeetingDetails, invite_group_members: bool = False) -> Meeting:
    """A new meeting, as a draft. Co-chairs of any group may propose a council session."""
    if kind == MeetingKind.GROUP_MEETING and group is None:
        raise ValidationFailed(_("Choose the working group."), field="group_id")
    if kind == MeetingKind.COUNCIL_SESSION:
        group = None
    if group is not None and group.council_id != council.id:
        raise ValidationFailed(_("Choose the working group."), field="group_id")
    require(actor, "meeting.schedule", MeetingScope(council.id, group.id if group else None))
    title, starts_at, ends_at, users, organisations, chairs = _check_details(council.id, kind, details)
    if group is not None and invite_group_members:
        users = users + _people(council.id, _group_member_ids(group), "invite_user_ids")
    meeting = Meeting(council_id=council.id, kind=kind, group=group, title=title,
                      original_language=details.original_language, starts_at=starts_at,
                      ends_at=ends_at, time_zone=details.time_zone,
                      place=(details.place or "").strip() or None,
                      online_url=(details.online_url or "").strip() or None,
                      status=MeetingStatus.DRAFT, created_by_id=actor.id,
                      reference=_next_reference(council.id, group, starts_at, details.time_zone),
                      session_chairs=chairs)
    db.session.add(meeting)
    _invite(meeting, users, organisations)
    conflicts.flush()
    record_event(MeetingEvent.SCHEDULED, meeting, actor, invitees=True, meeting_kind=kind.value,
                 starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat(), status=meeting.status.value)
    return meeting


def update_meeting(actor: User, meeting: Meeting, details: MeetingDetails) -> Meeting:
    """Change the title, time, place, co-chairs or invitations while the meeting is being planned."""
    require(actor, "meeting.edit", meeting)
    require_planning(meeting)
    title, starts_at, ends_at, users, organisations, chairs = _check_details(
        meeting.council_id, meeting.kind, details)
    needed = agenda_minutes(meeting)
    if starts_at + timedelta(minutes=needed) > ends_at:
        raise ValidationFailed(about(meeting, "The agenda needs %(minutes)d minutes; the meeting "
                                     "would be shorter.", minutes=needed), field="ends_at")
    changes: dict[str, list[Any]] = {}
    for key, value in dict(title=title, original_language=details.original_language,
                           starts_at=starts_at, ends_at=ends_at, time_zone=details.time_zone,
                           place=(details.place or "").strip() or None,
                           online_url=(details.online_url or "").strip() or None).items():
        old = getattr(meeting, key)
        if old != value:
            changes[key] = [_plain(old), _plain(value)]
            setattr(meeting, key, value)
    if {c.id for c in meeting.session_chairs} != {c.id for c in chairs}:
        changes["session_chairs"] = [[c.id for c in meeting.session_chairs], [c.id for c in chairs]]
        meeting.session_chairs = chairs
    wanted_users = {u.id for u in users}
    wanted_organisations = {o.id for o in organisations}
    removed = [i for i in meeting.invitations
               if (i.user_id is not None and i.user_id not in wanted_users)
               or (i.organisation_id is not None and i.organisation_id not in wanted_organisations)]
    for invitation in removed:
        meeting.invitations.remove(invitation)
    new_users, new_organisations = _invite(meeting, users, organisations)
    if removed:
        changes["uninvited"] = [sorted(f"user:{i.user_id}" if i.user_id
                                       else f"organisation:{i.organisation_id}" for i in removed), None]
    if changes:
        if meeting.status == MeetingStatus.AGENDA_PUBLISHED:
            meeting.sequence += 1
        record_event(MeetingEvent.UPDATED, meeting, actor, invitees=True, changes=changes)
    if (new_users or new_organisations) and meeting.status == MeetingStatus.AGENDA_PUBLISHED:
        conflicts.flush()
        record_event(MeetingEvent.INVITED, meeting, actor, user_ids=new_users,
                     organisation_ids=new_organisations)
    return meeting


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def require_planning(meeting: Meeting) -> None:
    """The meeting's plan (time, place, invitations, agenda) may still change; else a 409."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(about(meeting, "This meeting has been cancelled."))
    if meeting.status not in PLANNING_STATUSES:
        raise Conflict(about(meeting, "This meeting has taken place; its plan can no longer change."))


def publish_agenda(actor: User, meeting: Meeting) -> Meeting:
    """Make the meeting and its agenda visible to everyone and send the invitations."""
    require(actor, "meeting.organise", meeting)
    if meeting.status == MeetingStatus.DRAFT and not meeting.agenda_items:
        raise Conflict(_("Add at least one agenda item before publishing the agenda."))
    _transition(meeting, MeetingStatus.AGENDA_PUBLISHED)
    meeting.sequence += 1
    record_event(MeetingEvent.AGENDA_PUBLISHED, meeting, actor, invitees=True)
    record_event(MeetingEvent.INVITED, meeting, actor, invitees=True)
    return meeting


def cancel_meeting(actor: User, meeting: Meeting, reason: str) -> Meeting:
    require(actor, "meeting.edit", meeting)
    require_planning(meeting)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(about(meeting, "Say why the meeting is cancelled."), field="reason")
    previous = _transition(meeting, MeetingStatus.CANCELLED)
    meeting.cancel_reason = reason
    meeting.sequence += 1
    record_event(MeetingEvent.CANCELLED, meeting, actor, invitees=True, reason=reason,
                 **{"from": previous.value})
    return meeting


def mark_held(actor: User, meeting: Meeting) -> Meeting:
    """The meeting took place: attendance and minutes can now be recorded."""
    require(actor, "meeting.organise", meeting)
    if meeting.status == MeetingStatus.AGENDA_PUBLISHED and meeting.starts_at > utcnow():
        raise Conflict(about(meeting, "The meeting has not started yet."))
    _transition(meeting, MeetingStatus.HELD)
    if meeting.minutes is None:
        meeting.minutes = Minutes(revisions=[MinutesRevision(
            number=1, original_language=meeting.original_language, created_by_id=actor.id, notes={})])
    record_event(MeetingEvent.HELD, meeting, actor, invitees=True)
    return meeting


# Queries ----------------------------------------------------------------------------------------


def visible_meetings(reader: User) -> Select[Meeting]:
    """Meetings of the reader's council that they may see: drafts only for those who may edit them."""
    query = select(Meeting).where(Meeting.council_id == reader.council_id)
    co_chaired = drafts_seen_in(reader)
    if co_chaired is None:
        return query
    return query.where(or_(Meeting.status != MeetingStatus.DRAFT, Meeting.created_by_id == reader.id,
                           Meeting.group_id.in_(co_chaired) if co_chaired else false()))


def drafts_seen_in(reader: User) -> list[int] | None:
    """The groups whose draft meetings the reader sees besides their own drafts (those they co-chair);
    None when they see every draft of their council (its secretaries, the administrators)."""
    if reader.role == PlatformRole.ADMIN or is_secretary(reader, reader.council_id):
        return None
    return [group_id for group_id, role in group_roles(reader).items() if role == GroupRole.CO_CHAIR]


def meetings_list(reader: User, *, when: str = "upcoming", group_id: int | None = None,
                  kind: str | None = None) -> Select[Meeting]:
    now = utcnow()
    query = visible_meetings(reader).options(selectinload(Meeting.group))
    if group_id is not None:
        query = query.where(Meeting.group_id == group_id)
    if kind in set(MeetingKind):
        query = query.where(Meeting.kind == kind)
    if when == "past":
        return query.where(Meeting.ends_at < now).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    return query.where(Meeting.not_over(now)).order_by(Meeting.starts_at, Meeting.id)


def invitation_for(user: User, meeting: Meeting) -> Invitation | None:
    """The invitation this person answers: their own, else their organisation's."""
    own = next((i for i in meeting.invitations if i.user_id == user.id), None)
    if own is not None:
        return own
    return next((i for i in meeting.invitations
                 if i.organisation_id is not None and i.organisation_id == user.organisation_id), None)


# Invitations ------------------------------------------------------------------------------------


def respond(actor: User, invitation: Invitation, response: Response,
            delegate_id: int | None = None) -> Invitation:
    """Attending, not attending, or sending someone else from the same organisation."""
    meeting = invitation.meeting
    require(actor, "meeting.respond", invitation)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(about(meeting, "This meeting has been cancelled."))
    if meeting.status != MeetingStatus.AGENDA_PUBLISHED:
        raise Conflict(about(meeting, "This meeting is no longer taking answers."))
    if response == Response.PENDING:
        raise ValidationFailed(_("Choose an answer."), field="response")
    delegate = None
    if response == Response.DELEGATED:
        delegate = db.session.get(User, delegate_id) if delegate_id is not None else None
        if delegate is None or not delegate.active or delegate.council_id != meeting.council_id \
                or delegate.organisation_id is None \
                or delegate.organisation_id != invitation.invited_organisation_id:
            raise ValidationFailed(_("Choose a delegate from the invited organisation."),
                                   field="delegate_id")
        if delegate.id == invitation.user_id:
            raise ValidationFailed(_("Choose someone other than the invited person."), field="delegate_id")
    invitation.response = response
    invitation.delegate_id = delegate.id if delegate is not None else None
    invitation.responded_by_id = actor.id
    invitation.responded_at = utcnow()
    record_event(MeetingEvent.RESPONDED, meeting, actor, response=response.value,
                 user_id=invitation.user_id, organisation_id=invitation.organisation_id,
                 delegate_id=invitation.delegate_id)
    return invitation


def delegate_candidates(invitation: Invitation) -> list[User]:
    organisation_id = invitation.invited_organisation_id
    if organisation_id is None:
        return []
    return list(db.session.scalars(select(User).where(
        User.organisation_id == organisation_id, User.active.is_(True),
        User.id != (invitation.user_id or 0)).order_by(User.name)))


def agenda_minutes(meeting: Meeting, *, without: AgendaItem | None = None) -> int:
    return sum(item.duration_minutes for item in meeting.agenda_items if item is not without)
