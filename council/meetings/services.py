"""Rules for meetings: scheduling, invitations, the agenda, attendance, minutes and decisions.

Every change checks permission, validates, moves the meeting through MEETING_TRANSITIONS and records
a domain event in the caller's transaction; the caller commits, or rolls back on a DomainError.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import force_locale, format_date, format_datetime, format_time, get_timezone, ngettext
from flask_babel import gettext as _
from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import selectinload

from council import conflicts, events
from council.auth.permissions import can, group_roles, is_secretary, require
from council.directory.models import (
    Council,
    Country,
    GroupRole,
    Membership,
    Organisation,
    PlatformRole,
    User,
    WorkingGroup,
)
from council.errors import Conflict, DomainError, NotAllowed, NotFound, ValidationFailed
from council.extensions import db
from council.i18n import LANGUAGES, Translations, clean_translations, plain_localized
from council.meetings.models import (
    MEETING_TRANSITIONS,
    PLANNING_STATUSES,
    REVISION_TRANSITIONS,
    AgendaItem,
    Attendance,
    AttendanceMode,
    Decision,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesApproval,
    MinutesLanguageApproval,
    MinutesRevision,
    Response,
    RevisionStatus,
    decision_commitment,
)
from council.meetings.permissions import MeetingScope, is_chair
from council.meetings.wording import about, meeting_gettext
from council.records import require_original_text
from council.timeutil import is_time_zone, utcnow
from council.tracker import services as tracker
from council.tracker.models import (
    Commitment,
    Priority,
    Recommendation,
    RecommendationSource,
    RecommendationStatus,
    due_within_condition,
    overdue_condition,
)

MAX_MEETING_LENGTH = timedelta(days=7)
MAX_ITEM_MINUTES = 600
SESSION_PREFIX = "CS"
GENERAL_NOTES = "general"


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


def council_sides(council_id: int) -> list[str]:
    """The countries the council brings together: those its organisations belong to."""
    return list(db.session.scalars(select(Organisation.country_code).where(
        Organisation.council_id == council_id).distinct().order_by(Organisation.country_code)))


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


def record_event(event_kind: str, meeting: Meeting, actor: User | None, *, invitees: bool = False,
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
    if meeting is None or meeting.council_id != reader.council_id:
        raise NotFound(_("There is nothing at this address."))
    if not can(reader, "meeting.view", meeting):
        raise NotFound(_("There is nothing at this address."))
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


def _check_details(council_id: int, kind: MeetingKind, details: MeetingDetails
                   ) -> tuple[Translations, datetime, datetime, list[User], list[Organisation], list[User]]:
    title = require_original_text(details.title, details.original_language, "title")
    if not is_time_zone(details.time_zone):
        raise ValidationFailed(_("Choose a time zone."), field="time_zone")
    starts_at = to_utc(details.starts_at, details.time_zone)
    ends_at = to_utc(details.ends_at, details.time_zone)
    if ends_at <= starts_at:
        raise ValidationFailed(meeting_gettext(kind, "The meeting must end after it starts."),
                               field="ends_at")
    if ends_at - starts_at > MAX_MEETING_LENGTH:
        raise ValidationFailed(meeting_gettext(kind, "A meeting lasts at most seven days."),
                               field="ends_at")
    place = (details.place or "").strip() or None
    online_url = (details.online_url or "").strip() or None
    if place is None and online_url is None:
        raise ValidationFailed(_("Give a place or an online link."), field="place")
    if online_url is not None and not re.match(r"^https?://[^\s/]+\S*$", online_url):
        raise ValidationFailed(_("Enter a link that starts with https://."), field="online_url")
    users = _people(council_id, details.invite_user_ids, "invite_user_ids")
    organisations = _organisations(council_id, details.invite_organisation_ids,
                                   "invite_organisation_ids")
    chairs = _people(council_id, details.session_chair_ids, "session_chair_ids")
    if chairs and kind != MeetingKind.COUNCIL_SESSION:
        raise ValidationFailed(_("A working-group meeting is chaired by the group's co-chairs."),
                               field="session_chair_ids")
    countries = [chair.country_code for chair in chairs]
    if None in countries or len(set(countries)) != len(countries):
        raise ValidationFailed(_("Choose one co-chair from each country, each with an organisation."),
                               field="session_chair_ids")
    return title, starts_at, ends_at, users, organisations, chairs


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
    record_event("meeting.scheduled", meeting, actor, invitees=True, meeting_kind=kind.value,
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
        record_event("meeting.updated", meeting, actor, invitees=True, changes=changes)
    if (new_users or new_organisations) and meeting.status == MeetingStatus.AGENDA_PUBLISHED:
        conflicts.flush()
        record_event("meeting.invited", meeting, actor, user_ids=new_users,
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
    record_event("meeting.agenda_published", meeting, actor, invitees=True)
    record_event("meeting.invited", meeting, actor, invitees=True)
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
    record_event("meeting.cancelled", meeting, actor, invitees=True, reason=reason,
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
    record_event("meeting.held", meeting, actor, invitees=True)
    return meeting


# Queries ----------------------------------------------------------------------------------------


def visible_meetings(reader: User) -> Select[Meeting]:
    """Meetings of the reader's council that they may see: drafts only for those who may edit them."""
    query = select(Meeting).where(Meeting.council_id == reader.council_id)
    if reader.role == PlatformRole.ADMIN or is_secretary(reader, reader.council_id):
        return query
    co_chaired = [group_id for group_id, role in group_roles(reader).items() if role == GroupRole.CO_CHAIR]
    return query.where(or_(Meeting.status != MeetingStatus.DRAFT, Meeting.created_by_id == reader.id,
                           Meeting.group_id.in_(co_chaired) if co_chaired else false()))


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
    return query.where(Meeting.ends_at >= now).order_by(Meeting.starts_at, Meeting.id)


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
    record_event("meeting.responded", meeting, actor, response=response.value,
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


# Agenda -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaSlot:
    """An agenda item with its number and running time, as the agenda and the print view show it."""

    item: AgendaItem
    number: str
    depth: int
    starts_at: datetime
    ends_at: datetime  # including its sub-items


def agenda_timeline(meeting: Meeting) -> list[AgendaSlot]:
    """The agenda in order (sub-items after their item), each with its start and end time."""
    children: dict[int | None, list[AgendaItem]] = {}
    for item in meeting.agenda_items:
        children.setdefault(item.parent_id, []).append(item)
    for siblings in children.values():
        siblings.sort(key=lambda i: (i.position, i.id))
    slots: list[AgendaSlot] = []
    clock = meeting.starts_at

    def walk(parent_id: int | None, prefix: str, depth: int) -> None:
        nonlocal clock
        for index, item in enumerate(children.get(parent_id, []), start=1):
            number = f"{prefix}{index}"
            start = clock
            clock += timedelta(minutes=item.duration_minutes)
            position = len(slots)
            slots.append(AgendaSlot(item, number, depth, start, clock))
            walk(item.id, f"{number}.", depth + 1)
            slots[position] = AgendaSlot(item, number, depth, start, clock)

    walk(None, "", 0)
    return slots


def agenda_minutes(meeting: Meeting, *, without: AgendaItem | None = None) -> int:
    return sum(item.duration_minutes for item in meeting.agenda_items if item is not without)


def _check_fits(meeting: Meeting, minutes: int, without: AgendaItem | None = None) -> None:
    """The whole agenda must fit between the meeting's start and end."""
    end = meeting.starts_at + timedelta(minutes=agenda_minutes(meeting, without=without) + minutes)
    if end > meeting.ends_at:
        raise ValidationFailed(
            about(meeting, "The agenda would end at %(end)s, after the meeting ends at %(meeting_end)s.",
                  end=format_time(end, "short"), meeting_end=format_time(meeting.ends_at, "short")),
            field="duration_minutes")


@dataclass
class AgendaItemDetails:
    title: Translations
    original_language: str
    duration_minutes: int
    notes: Translations | None = None
    presenter_id: int | None = None
    parent_id: int | None = None
    recommendation_ids: tuple[int, ...] = ()
    commitment_ids: tuple[int, ...] = ()


def _tracker_records(model: type[Any], council_id: int, ids: Iterable[int], field: str) -> list[Any]:
    return _of_council(model, council_id, ids, field, _("Choose records of this council's tracker."))


def _check_item(meeting: Meeting, details: AgendaItemDetails, item: AgendaItem | None
                ) -> tuple[Translations, AgendaItem | None]:
    title = require_original_text(details.title, details.original_language, "title")
    if not 1 <= details.duration_minutes <= MAX_ITEM_MINUTES:
        raise ValidationFailed(_("Give a duration between 1 and %(max)d minutes.", max=MAX_ITEM_MINUTES),
                               field="duration_minutes")
    parent = None
    if details.parent_id is not None:
        parent = db.session.get(AgendaItem, details.parent_id)
        if parent is None or parent.meeting_id != meeting.id:
            raise ValidationFailed(about(meeting, "Choose an item of this meeting's agenda."),
                                   field="parent_id")
        if parent.parent_id is not None or parent is item:
            raise ValidationFailed(_("Sub-items cannot have sub-items of their own."), field="parent_id")
        if item is not None and item.children:
            raise ValidationFailed(_("An item with sub-items cannot become a sub-item."),
                                   field="parent_id")
    if details.presenter_id is not None:
        _people(meeting.council_id, [details.presenter_id], "presenter_id")
    _check_fits(meeting, details.duration_minutes, without=item)
    return title, parent


def _siblings(meeting: Meeting, parent_id: int | None) -> list[AgendaItem]:
    return sorted((i for i in meeting.agenda_items if i.parent_id == parent_id),
                  key=lambda i: (i.position, i.id))


def _agenda_changed(meeting: Meeting, actor: User, change: str, item: AgendaItem) -> None:
    """After publication an agenda change is news for the invitees; before, it is only history."""
    if meeting.status == MeetingStatus.AGENDA_PUBLISHED:
        meeting.sequence += 1
        record_event("meeting.agenda_changed", meeting, actor, invitees=True, change=change, item_id=item.id)
    else:
        record_event("meeting.agenda_edited", meeting, actor, change=change, item_id=item.id)


def add_agenda_item(actor: User, meeting: Meeting, details: AgendaItemDetails) -> AgendaItem:
    require(actor, "meeting.edit", meeting)
    require_planning(meeting)
    title, parent = _check_item(meeting, details, None)
    siblings = _siblings(meeting, parent.id if parent else None)
    item = AgendaItem(title=title, original_language=details.original_language,
                      notes=clean_translations(details.notes), duration_minutes=details.duration_minutes,
                      presenter_id=details.presenter_id, parent=parent,
                      position=(siblings[-1].position + 1) if siblings else 1,
                      recommendations=_tracker_records(Recommendation, meeting.council_id,
                                                       details.recommendation_ids, "recommendation_ids"),
                      commitments=_tracker_records(Commitment, meeting.council_id,
                                                   details.commitment_ids, "commitment_ids"))
    meeting.agenda_items.append(item)
    conflicts.flush()
    _agenda_changed(meeting, actor, "added", item)
    return item


def update_agenda_item(actor: User, item: AgendaItem, details: AgendaItemDetails) -> AgendaItem:
    meeting = item.meeting
    require(actor, "meeting.edit", meeting)
    require_planning(meeting)
    title, parent = _check_item(meeting, details, item)
    if item.parent_id != (parent.id if parent else None):
        siblings = _siblings(meeting, parent.id if parent else None)
        item.parent = parent
        item.position = (siblings[-1].position + 1) if siblings else 1
    item.title = title
    item.original_language = details.original_language
    item.notes = clean_translations(details.notes)
    item.duration_minutes = details.duration_minutes
    item.presenter_id = details.presenter_id
    item.recommendations = _tracker_records(Recommendation, meeting.council_id, details.recommendation_ids,
                                            "recommendation_ids")
    item.commitments = _tracker_records(Commitment, meeting.council_id, details.commitment_ids,
                                        "commitment_ids")
    _renumber(meeting)
    _agenda_changed(meeting, actor, "updated", item)
    return item


def remove_agenda_item(actor: User, item: AgendaItem) -> None:
    """Remove an item and its sub-items; documents and decisions stay with the meeting."""
    meeting = item.meeting
    require(actor, "meeting.edit", meeting)
    require_planning(meeting)
    _agenda_changed(meeting, actor, "removed", item)
    doomed = {item.id, *(child.id for child in item.children)}
    for document in meeting.documents:
        if document.agenda_item_id in doomed:
            document.agenda_item_id = None
    for decision in meeting.decisions:
        if decision.agenda_item_id in doomed:
            decision.agenda_item_id = None
    for child in list(item.children):
        meeting.agenda_items.remove(child)
    meeting.agenda_items.remove(item)
    conflicts.flush()
    _renumber(meeting)


def _renumber(meeting: Meeting) -> None:
    """Positions 1, 2, 3… within each list of siblings."""
    parents = {i.parent_id for i in meeting.agenda_items}
    for parent_id in parents:
        for position, sibling in enumerate(_siblings(meeting, parent_id), start=1):
            sibling.position = position


def move_agenda_item(actor: User, item: AgendaItem, direction: str) -> None:
    """One place up or down among its siblings (the buttons that work without JavaScript)."""
    meeting = item.meeting
    require(actor, "meeting.edit", meeting)
    if direction not in ("up", "down"):
        raise ValidationFailed(_("Choose up or down."), field="direction")
    siblings = _siblings(meeting, item.parent_id)
    index = siblings.index(item)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    reorder_agenda(actor, meeting, [s.id for s in siblings], item.parent_id)


def reorder_agenda(actor: User, meeting: Meeting, ordered_ids: list[int], parent_id: int | None) -> None:
    """Put the items under `parent_id` (or the top level) in the given order."""
    require(actor, "meeting.edit", meeting)
    require_planning(meeting)
    siblings = _siblings(meeting, parent_id)
    if sorted(ordered_ids) != sorted(s.id for s in siblings) or not siblings:
        raise ValidationFailed(_("The new order must list every item of the list once."), field="order")
    by_id = {s.id: s for s in siblings}
    if [s.id for s in siblings] == ordered_ids:
        return
    for position, item_id in enumerate(ordered_ids, start=1):
        by_id[item_id].position = position
    _agenda_changed(meeting, actor, "reordered", siblings[0])


def meeting_date(meeting: Meeting) -> date:
    """The meeting's day where it takes place."""
    return meeting.starts_at.astimezone(ZoneInfo(meeting.time_zone)).date()


def review_suggestions(meeting: Meeting, limit: int = 50) -> list[Commitment]:
    """Commitments of the group (the whole council, for a session) that are overdue or fall due
    before the meeting, and are not on its agenda yet: what a progress review should go through."""
    if meeting.status not in PLANNING_STATUSES:
        return []
    today = tracker.council_today()
    condition = overdue_condition(today)
    days = (meeting_date(meeting) - today).days
    if days >= 0:
        condition = or_(condition, due_within_condition(today, days))
    query = (select(Commitment).where(Commitment.council_id == meeting.council_id, condition)
             .options(selectinload(Commitment.organisation), selectinload(Commitment.owner))
             .order_by(Commitment.due_date, Commitment.code).limit(limit))
    if meeting.group_id is not None:
        query = query.where(Commitment.group_id == meeting.group_id)
    on_agenda = {c.id for item in meeting.agenda_items for c in item.commitments}
    return [c for c in db.session.scalars(query) if c.id not in on_agenda]


REVIEW_MINUTES_EACH = 5
REVIEW_MINUTES_MAX = 60


def add_progress_review(actor: User, meeting: Meeting) -> AgendaItem:
    """One click: an agenda item reviewing every suggested commitment, as long as the meeting allows."""
    require(actor, "meeting.edit", meeting)
    require_planning(meeting)
    commitments = review_suggestions(meeting)
    if not commitments:
        raise Conflict(about(meeting, "No commitments are overdue or due before the meeting."))
    spare = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60) - agenda_minutes(meeting)
    wanted = min(REVIEW_MINUTES_MAX, max(10, REVIEW_MINUTES_EACH * len(commitments)))
    duration = min(wanted, spare)
    if duration < REVIEW_MINUTES_EACH:
        raise ValidationFailed(about(meeting, "The agenda leaves no time for a progress review; "
                                               "shorten other items or extend the meeting."),
                               field="duration_minutes")
    title: Translations = {}
    for language in LANGUAGES:
        with force_locale(language):
            title[language] = ngettext("Progress review: %(num)d commitment overdue or due",
                                       "Progress review: %(num)d commitments overdue or due",
                                       len(commitments))
    return add_agenda_item(actor, meeting, AgendaItemDetails(
        title=title, original_language=meeting.original_language, duration_minutes=duration,
        commitment_ids=tuple(c.id for c in commitments)))


# Attendance -------------------------------------------------------------------------------------


def record_attendance(actor: User, meeting: Meeting, present: dict[int, AttendanceMode]) -> list[Attendance]:
    """Replace the list of people present (after the meeting, before the minutes are approved)."""
    require(actor, "meeting.organise", meeting)
    require_attendance_open(meeting)
    people = {p.id: p for p in _people(meeting.council_id, present, "present")}
    kept = {a.user_id: a for a in meeting.attendances}
    for attendance in list(meeting.attendances):
        if attendance.user_id not in people:
            meeting.attendances.remove(attendance)
    for user_id, mode in present.items():
        if user_id in kept:
            kept[user_id].mode = mode
        else:
            meeting.attendances.append(Attendance(
                user_id=user_id, organisation_id=people[user_id].organisation_id, mode=mode,
                recorded_by_id=actor.id, recorded_at=utcnow()))
    conflicts.flush()
    record_event("meeting.attendance_recorded", meeting, actor, user_ids=sorted(present),
                 countries=sorted(represented_countries(meeting)))
    return meeting.attendances


def require_attendance_open(meeting: Meeting) -> None:
    """Attendance is recorded after the meeting and frozen with the approved minutes; else a 409."""
    if meeting.status == MeetingStatus.MINUTES_APPROVED:
        raise Conflict(_("The minutes are approved; attendance can no longer change."))
    if meeting.status != MeetingStatus.HELD:
        raise Conflict(about(meeting, "Attendance is recorded once the meeting has been held."))


def represented_countries(meeting: Meeting) -> set[str]:
    ids = {a.organisation_id for a in meeting.attendances if a.organisation_id is not None}
    if not ids:
        return set()
    return set(db.session.scalars(select(Organisation.country_code).where(Organisation.id.in_(ids))))


def both_sides_present(meeting: Meeting, sides: Iterable[str] | None = None,
                       present: set[str] | None = None) -> bool:
    wanted = set(council_sides(meeting.council_id) if sides is None else sides)
    present = represented_countries(meeting) if present is None else present
    return len(wanted) >= 2 and wanted <= present


def attendance_candidates(meeting: Meeting) -> list[User]:
    """People one would expect in the room: invitees, delegates, the group, the chairs, and more."""
    ids = {i.user_id for i in meeting.invitations if i.user_id is not None}
    ids |= {i.delegate_id for i in meeting.invitations if i.delegate_id is not None}
    ids |= {i.responded_by_id for i in meeting.invitations
            if i.responded_by_id is not None and i.organisation_id is not None}
    ids |= {a.user_id for a in meeting.attendances} | {c.id for c in meeting.session_chairs}
    ids |= {i.presenter_id for i in meeting.agenda_items if i.presenter_id is not None}
    if meeting.group is not None:
        ids |= set(_group_member_ids(meeting.group))
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids))
                                   .options(selectinload(User.organisation)).order_by(User.name)))


# Minutes ----------------------------------------------------------------------------------------


def draft_revision(meeting: Meeting) -> MinutesRevision:
    """The revision that may still change, or a clear refusal."""
    if meeting.status == MeetingStatus.MINUTES_APPROVED:
        raise Conflict(_("The minutes are approved and read-only. Start an amendment to change them."))
    if meeting.status != MeetingStatus.HELD or meeting.minutes is None:
        raise Conflict(about(meeting, "Minutes are written once the meeting has been held."))
    revision = meeting.minutes.current
    if revision.status != RevisionStatus.DRAFT:
        raise Conflict(_("This revision is awaiting approval. Start a new revision to change it."))
    return revision


def _revision_to(revision: MinutesRevision, target: RevisionStatus) -> None:
    if target not in REVISION_TRANSITIONS[revision.status]:
        raise Conflict(_("This revision is “%(status)s” and cannot become “%(target)s”.",
                         status=revision.status.label, target=target.label))
    revision.status = target


def save_minutes(actor: User, meeting: Meeting, *, original_language: str,
                 notes: dict[str, Translations]) -> MinutesRevision:
    """Notes per agenda item (and general notes) of the draft revision."""
    require(actor, "minutes.write", meeting)
    revision = draft_revision(meeting)
    if original_language not in LANGUAGES:
        raise ValidationFailed(_("Choose the original language."), field="original_language")
    allowed = {GENERAL_NOTES, *(str(item.id) for item in meeting.agenda_items)}
    cleaned: dict[str, Translations] = {}
    for key, texts in notes.items():
        if str(key) not in allowed:
            raise ValidationFailed(about(meeting, "Choose an item of this meeting's agenda."))
        texts = clean_translations(texts)
        if texts:
            cleaned[str(key)] = texts
    changed = cleaned != (revision.notes or {}) or original_language != revision.original_language
    revision.notes = cleaned
    revision.original_language = original_language
    if changed:
        record_event("minutes.edited", meeting, actor, revision=revision.number)
    return revision


def _decision_snapshot(meeting: Meeting) -> list[dict[str, Any]]:
    return [{"number": d.number, "text": d.text, "original_language": d.original_language,
             "agenda_item_id": d.agenda_item_id, "recommendation_id": d.recommendation_id,
             "recommendation_code": d.recommendation.code if d.recommendation else None,
             "commitment_codes": [c.code for c in d.commitments]} for d in meeting.decisions]


def created_commitments(meeting: Meeting) -> list[Commitment]:
    """The commitments the meeting's decisions created in the tracker."""
    return list(db.session.scalars(
        select(Commitment).join(decision_commitment, decision_commitment.c.commitment_id == Commitment.id)
        .join(Decision, Decision.id == decision_commitment.c.decision_id)
        .where(Decision.meeting_id == meeting.id)
        .options(selectinload(Commitment.organisation), selectinload(Commitment.owner))
        .order_by(Commitment.code)))


def chair_ids(meeting: Meeting) -> list[int]:
    if meeting.group_id is None:
        return [c.id for c in meeting.session_chairs]
    return list(db.session.scalars(select(Membership.user_id).where(
        Membership.group_id == meeting.group_id, Membership.role == GroupRole.CO_CHAIR)))


def publish_minutes(actor: User, meeting: Meeting) -> MinutesRevision:
    """Freeze the draft and ask both co-chairs to approve it."""
    require(actor, "minutes.write", meeting)
    revision = draft_revision(meeting)
    if not revision.notes and not meeting.decisions:
        raise ValidationFailed(_("Write the minutes before publishing them."))
    _revision_to(revision, RevisionStatus.PUBLISHED)
    revision.published_at = utcnow()
    revision.decisions_snapshot = _decision_snapshot(meeting)
    record_event("minutes.published", meeting, actor, invitees=True, revision=revision.number)
    record_event("minutes.approval_requested", meeting, actor, revision=revision.number,
                 user_ids=chair_ids(meeting))
    return revision


def approve_minutes(actor: User, meeting: Meeting) -> MinutesApproval:
    """One co-chair's approval; once every side of the council has approved, the minutes are final."""
    if not actor.active or actor.council_id != meeting.council_id or not is_chair(actor, meeting):
        raise NotAllowed(about(meeting, "Only the co-chairs of the meeting approve its minutes."))
    if meeting.minutes is None:
        raise Conflict(about(meeting, "Minutes are written once the meeting has been held."))
    revision = meeting.minutes.current
    if any(a.user_id == actor.id for a in revision.approvals):
        raise Conflict(_("You have already approved this revision."))
    if revision.status == RevisionStatus.APPROVED:
        raise Conflict(_("These minutes are already approved."))
    if revision.status != RevisionStatus.PUBLISHED:
        raise Conflict(_("These minutes have not been published for approval yet."))
    country = actor.country_code
    if country is None:
        raise NotAllowed(about(meeting, "Only the co-chairs of the meeting approve its minutes."))
    if any(a.country_code == country for a in revision.approvals):
        raise Conflict(_("The co-chair from %(country)s has already approved this revision.",
                         country=country_name(country)))
    approval = MinutesApproval(user_id=actor.id, country_code=country, approved_at=utcnow())
    revision.approvals.append(approval)
    # What this co-chair approved: the languages the revision has now (a translation added later is
    # approved on its own).
    for language in revision.languages:
        revision.language_approvals.append(MinutesLanguageApproval(
            language=language, country_code=country, user_id=actor.id, approved_at=approval.approved_at))
    conflicts.flush()
    record_event("minutes.approved", meeting, actor, revision=revision.number, user_id=actor.id,
                 country=country)
    sides = set(council_sides(meeting.council_id))
    if sides <= {a.country_code for a in revision.approvals}:
        _revision_to(revision, RevisionStatus.APPROVED)
        revision.approved_at = utcnow()
        _transition(meeting, MeetingStatus.MINUTES_APPROVED)
        record_event("minutes.fully_approved", meeting, actor, invitees=True, revision=revision.number)
    return approval


def approve_translation(actor: User, meeting: Meeting, language: str) -> MinutesLanguageApproval:
    """A co-chair approves a translation added to minutes after their side approved them. Until every
    side has, the translation is shown as not yet approved and the portal leaves it out."""
    if not actor.active or actor.council_id != meeting.council_id or not is_chair(actor, meeting):
        raise NotAllowed(_("Only the co-chairs of the meeting approve its minutes and their translations."))
    if meeting.minutes is None:
        raise Conflict(about(meeting, "Minutes are written once the meeting has been held."))
    revision = meeting.minutes.current
    country = actor.country_code
    if country is None:
        raise NotAllowed(_("Only the co-chairs of the meeting approve its minutes and their translations."))
    if revision.status not in (RevisionStatus.PUBLISHED, RevisionStatus.APPROVED) \
            or not any(a.country_code == country for a in revision.approvals):
        raise Conflict(_("Approve the minutes themselves first: that approves every language they "
                         "have."), field="language")
    if language not in revision.languages:
        raise ValidationFailed(_("The minutes have no text in this language."), field="language")
    if any(row.language == language and row.country_code == country for row in revision.language_approvals):
        raise Conflict(_("The co-chair from %(country)s has already approved this language.",
                         country=country_name(country)), field="language")
    row = MinutesLanguageApproval(language=language, country_code=country, user_id=actor.id,
                                  approved_at=utcnow())
    revision.language_approvals.append(row)
    conflicts.flush()
    record_event("minutes.translation_approved", meeting, actor, revision=revision.number,
                 language=language, country=country)
    if language in revision.approved_languages:
        record_event("minutes.translation_fully_approved", meeting, actor, revision=revision.number,
                     language=language)
    return row


def country_name(code: str) -> str:
    country = db.session.get(Country, code)
    return plain_localized(country.name) if country is not None else code


def start_revision(actor: User, meeting: Meeting, reason: str) -> MinutesRevision:
    """Change published or approved minutes: a new draft revision that both co-chairs approve again."""
    require(actor, "minutes.write", meeting)
    current = require_revisable(meeting)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say what the new revision changes."), field="reason")
    amended = current.status == RevisionStatus.APPROVED
    _revision_to(current, RevisionStatus.SUPERSEDED)
    if amended:
        _transition(meeting, MeetingStatus.HELD)
    revision = MinutesRevision(number=current.number + 1, original_language=current.original_language,
                               notes=dict(current.notes or {}), reason=reason, created_by_id=actor.id,
                               created_at=utcnow())
    current.minutes.revisions.append(revision)
    conflicts.flush()
    record_event("minutes.revision_started", meeting, actor, revision=revision.number, reason=reason,
                 amendment=amended)
    return revision


def require_revisable(meeting: Meeting) -> MinutesRevision:
    """The published or approved revision a new one would replace; else a 409."""
    if meeting.minutes is None or meeting.status not in (MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED):
        raise Conflict(about(meeting, "Minutes are written once the meeting has been held."))
    current = meeting.minutes.current
    if current.status == RevisionStatus.DRAFT:
        raise Conflict(_("The current revision is still a draft: edit it."))
    return current


def revision_of(meeting: Meeting, number: int) -> MinutesRevision:
    if meeting.minutes is None:
        raise NotFound(_("There is nothing at this address."))
    for revision in meeting.minutes.revisions:
        if revision.number == number:
            return revision
    raise NotFound(_("There is nothing at this address."))


# Decisions --------------------------------------------------------------------------------------


@dataclass
class CommitmentDraft:
    """One commitment a decision creates: who, by when, and (by default) the decision's words."""

    organisation_id: int | None
    owner_id: int | None = None
    due_date: date | None = None
    description: Translations | None = None


@dataclass
class DecisionDetails:
    text: Translations
    original_language: str
    agenda_item_id: int | None = None
    # What the decision creates in the tracker, in the same transaction.
    create_recommendation: bool = False
    recommendation_group_id: int | None = None
    recommendation_title: Translations | None = None
    recommendation_priority: str = Priority.MEDIUM.value
    adopt_recommendation: bool = True
    commitment_recommendation_id: int | None = None
    commitments: tuple[CommitmentDraft, ...] = ()


def _check_decision(meeting: Meeting, details: DecisionDetails) -> Translations:
    text = require_original_text(details.text, details.original_language, "text")
    if details.agenda_item_id is not None:
        item = db.session.get(AgendaItem, details.agenda_item_id)
        if item is None or item.meeting_id != meeting.id:
            raise ValidationFailed(about(meeting, "Choose an item of this meeting's agenda."),
                                   field="agenda_item_id")
    return text


def add_decision(actor: User, meeting: Meeting, details: DecisionDetails) -> Decision:
    """Record a decision; it may create a recommendation and commitments in the tracker, linked back here.

    Everything happens in the caller's transaction: if any commitment is refused, nothing is kept.
    """
    require(actor, "minutes.write", meeting)
    revision = draft_revision(meeting)
    text = _check_decision(meeting, details)
    number = max((d.number for d in meeting.decisions), default=0) + 1
    decision = Decision(number=number, text=text, original_language=details.original_language,
                        agenda_item_id=details.agenda_item_id, created_by_id=actor.id,
                        created_at=utcnow())
    reference = f"{meeting.reference}/{number}"
    recommendation = None
    if details.create_recommendation:
        recommendation = _create_recommendation(actor, meeting, details, text, reference)
        decision.recommendation_id = recommendation.id
    if any(draft.organisation_id is not None for draft in details.commitments):
        target = recommendation or _commitment_recommendation(meeting, details.commitment_recommendation_id)
        decision.commitments = [_create_commitment(actor, meeting, target, draft, index, details, text)
                                for index, draft in enumerate(details.commitments)
                                if draft.organisation_id is not None]
    meeting.decisions.append(decision)
    conflicts.flush()
    record_event("meeting.decision_recorded", meeting, actor, decision_id=decision.id, number=number,
                 revision=revision.number, recommendation_id=decision.recommendation_id,
                 commitment_ids=[c.id for c in decision.commitments])
    return decision


def _next_recommendation_code(group: WorkingGroup, year: int) -> str:
    prefix = f"{group.code}-{year}-"
    taken = db.session.scalars(select(Recommendation.code).where(
        Recommendation.council_id == group.council_id, Recommendation.code.startswith(prefix)))
    numbers = [int(code[len(prefix):]) for code in taken if code[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _create_recommendation(actor: User, meeting: Meeting, details: DecisionDetails, text: Translations,
                           reference: str) -> Recommendation:
    group = meeting.group
    if group is None and details.recommendation_group_id is not None:
        group = db.session.get(WorkingGroup, details.recommendation_group_id)
    if group is None or group.council_id != meeting.council_id:
        raise ValidationFailed(_("Choose the working group the recommendation is for."),
                               field="recommendation_group_id")
    title = clean_translations(details.recommendation_title) or text
    source = RecommendationSource.COUNCIL_SESSION if meeting.is_council_session \
        else RecommendationSource.GROUP_MEETING
    try:
        recommendation = tracker.create_recommendation(
            actor, group, code=_next_recommendation_code(group, meeting_date(meeting).year), title=title,
            text=text, original_language=details.original_language, source=source,
            source_reference=reference, priority=details.recommendation_priority)
        if details.adopt_recommendation:
            tracker.change_recommendation_status(actor, recommendation, RecommendationStatus.ADOPTED)
    except DomainError as error:
        raise _moved(error, "recommendation_") from error
    conflicts.flush()
    return recommendation


def _commitment_recommendation(meeting: Meeting, recommendation_id: int | None) -> Recommendation:
    recommendation = db.session.get(Recommendation, recommendation_id) if recommendation_id else None
    if recommendation is None or recommendation.council_id != meeting.council_id:
        raise ValidationFailed(_("Choose the recommendation the commitments answer."),
                               field="commitment_recommendation_id")
    return recommendation


def _create_commitment(actor: User, meeting: Meeting, recommendation: Recommendation,
                       draft: CommitmentDraft, index: int, details: DecisionDetails,
                       text: Translations) -> Commitment:
    organisation = db.session.get(Organisation, draft.organisation_id)
    owner = db.session.get(User, draft.owner_id) if draft.owner_id is not None else None
    description = clean_translations(draft.description)
    language = details.original_language
    if description:
        language = language if description.get(language) else next(iter(description))
    try:
        if owner is not None and owner.council_id != meeting.council_id:
            raise ValidationFailed(_("Choose people of this council."), field="owner_id")
        return tracker.create_commitment(
            actor, recommendation, organisation=organisation, owner=owner, description=description or text,
            original_language=language, start_date=meeting_date(meeting), due_date=draft.due_date)
    except DomainError as error:
        raise _moved(error, f"commitments-{index}-") from error


def _moved(error: DomainError, prefix: str) -> DomainError:
    """The tracker's refusal, pointed at the decision form's own field."""
    return type(error)(error.message, field=f"{prefix}{error.field}" if error.field else None)


def update_decision(actor: User, decision: Decision, details: DecisionDetails) -> Decision:
    meeting = decision.meeting
    require(actor, "minutes.write", meeting)
    revision = draft_revision(meeting)
    decision.text = _check_decision(meeting, details)
    decision.original_language = details.original_language
    decision.agenda_item_id = details.agenda_item_id
    record_event("meeting.decision_updated", meeting, actor, decision_id=decision.id, number=decision.number,
                 revision=revision.number)
    return decision


def remove_decision(actor: User, decision: Decision) -> None:
    meeting = decision.meeting
    require(actor, "minutes.write", meeting)
    revision = draft_revision(meeting)
    if decision.created_in_tracker:
        raise Conflict(_("This decision created records in the tracker and cannot be removed; "
                         "withdraw or cancel them there."))
    record_event("meeting.decision_removed", meeting, actor, decision_id=decision.id, number=decision.number,
                 revision=revision.number)
    meeting.decisions.remove(decision)


# Showing times ----------------------------------------------------------------------------------


def when(meeting: Meeting) -> str:
    """'Thursday, 12 March 2026, 10:00–13:00' in the reader's language and time zone."""
    zone = get_timezone()
    if meeting.starts_at.astimezone(zone).date() == meeting.ends_at.astimezone(zone).date():
        return _("%(date)s, %(start)s–%(end)s", date=format_date(meeting.starts_at, "full"),
                 start=format_time(meeting.starts_at, "short"), end=format_time(meeting.ends_at, "short"))
    return _("%(start)s – %(end)s", start=format_datetime(meeting.starts_at, "short"),
             end=format_datetime(meeting.ends_at, "short"))
