"""Who may schedule, prepare, run and approve meetings (registered with council.auth.permissions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, false, or_, select

from council.auth.permissions import (
    any_co_chairs,
    co_chairs_of,
    group_roles,
    in_council,
    is_co_chair,
    is_secretary,
    rule,
    secretaries,
)
from council.directory.models import GroupRole, User, WorkingGroup
from council.extensions import db
from council.meetings.models import AgendaItem, Decision, Invitation, Meeting, MeetingStatus, Minutes
from council.meetings.wording import about
from council.tracker.permissions import group_led


@dataclass(frozen=True)
class MeetingScope:
    """Where a meeting that does not exist yet would sit: a council, and a group or none."""

    council_id: int
    group_id: int | None


def co_chairs_a_group(user: User) -> bool:
    return GroupRole.CO_CHAIR in group_roles(user).values()


def is_organiser(user: User, meeting: Meeting | MeetingScope) -> bool:
    """Secretaries of the council; for a group meeting, also the group's co-chairs."""
    if is_secretary(user, meeting.council_id):
        return True
    return meeting.group_id is not None and is_co_chair(user, meeting.group_id) \
        and in_council(user, meeting.council_id)


def is_chair(user: User, meeting: Meeting) -> bool:
    """The people who chair the meeting and approve its minutes."""
    if meeting.group_id is not None:
        return is_co_chair(user, meeting.group_id)
    return any(chair.id == user.id for chair in meeting.session_chairs)


def _organisers(meeting: Meeting | MeetingScope) -> list[str]:
    """Who `is_organiser`: the council's secretaries; for a group meeting, the group's co-chairs."""
    group = db.session.get(WorkingGroup, meeting.group_id) if meeting.group_id is not None else None
    return [*secretaries(), *([co_chairs_of(group)] if group is not None else [])]


def _schedulers(scope: MeetingScope) -> list[str]:
    if scope.group_id is None:
        return [*secretaries(), *any_co_chairs()]
    return _organisers(scope)


def _invited(invitation: Invitation) -> list[str]:
    return [_("the invited person or the people of the invited organisation")]


@rule("meeting.schedule", who=_schedulers)
def _schedule(user: User, scope: MeetingScope) -> bool:
    """Co-chairs of any group may propose a council session; the secretariat decides on it."""
    if is_organiser(user, scope):
        return True
    return scope.group_id is None and in_council(user, scope.council_id) and co_chairs_a_group(user)


@rule("meeting.organise", who=_organisers)
def _organise(user: User, meeting: Meeting) -> bool:
    return is_organiser(user, meeting)


@rule("meeting.edit", who=_organisers)
def _edit(user: User, meeting: Meeting) -> bool:
    """Organisers, and whoever proposed a council session while it is still a draft."""
    if is_organiser(user, meeting):
        return True
    return meeting.status == MeetingStatus.DRAFT and meeting.created_by_id == user.id


@rule("meeting.view")
def _view(user: User, meeting: Meeting) -> bool:
    if not in_council(user, meeting.council_id):
        return False
    return meeting.status != MeetingStatus.DRAFT or _edit(user, meeting)


@rule("meeting.respond", who=_invited)
def _respond(user: User, invitation: Invitation) -> bool:
    """The invited person, or anyone from the invited organisation."""
    if invitation.user_id is not None:
        return invitation.user_id == user.id
    return invitation.organisation_id is not None and invitation.organisation_id == user.organisation_id


@rule("minutes.write", who=_organisers)
def _write_minutes(user: User, meeting: Meeting) -> bool:
    return is_organiser(user, meeting)


# Four-eyes on the record: an administrator who does not chair the meeting does not approve for a side.
@rule("minutes.approve", binds_admins=True, refusal=lambda user, meeting: about(
    meeting, "Only the co-chairs of the meeting approve its minutes."))
def _approve_minutes(user: User, meeting: Meeting) -> bool:
    return in_council(user, meeting.council_id) and is_chair(user, meeting)


@rule("calendar.group_feed")
def _group_feed(user: User, group: Any) -> bool:
    return in_council(user, group.council_id) and (group.id in group_roles(user)
                                                   or is_secretary(user, group.council_id))


# The same rules as SQL filters: the records a person may edit, for the translation lists
# (council/translating/registry.py; group_led is in council/tracker/permissions.py).
# tests/translating/test_who_may_edit.py checks both forms agree; change them together.
# As can(): a deactivated account may edit nothing, whatever its role says.


def organised_by(user: User) -> ColumnElement[bool]:
    """meeting.organise / minutes.write: secretaries, and for a group meeting its co-chairs."""
    return and_(Meeting.council_id == user.council_id, group_led(user, Meeting.group_id))


def meeting_editable_by(user: User) -> ColumnElement[bool]:
    """meeting.edit: organisers, and whoever proposed a council session while it is a draft."""
    proposed = and_(Meeting.council_id == user.council_id, Meeting.status == MeetingStatus.DRAFT,
                    Meeting.created_by_id == user.id) if user.active else false()
    return or_(organised_by(user), proposed)


def editable_meetings(user: User) -> Select[Any]:
    return select(Meeting).where(meeting_editable_by(user))


def editable_agenda_items(user: User) -> Select[Any]:
    return select(AgendaItem).join(Meeting, AgendaItem.meeting_id == Meeting.id).where(
        meeting_editable_by(user))


def editable_decisions(user: User) -> Select[Any]:
    return select(Decision).join(Meeting, Decision.meeting_id == Meeting.id).where(organised_by(user))


def editable_minutes(user: User) -> Select[Any]:
    return select(Minutes).join(Meeting, Minutes.meeting_id == Meeting.id).where(organised_by(user))
