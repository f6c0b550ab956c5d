"""Who may schedule, prepare, run and approve meetings (registered with council.auth.permissions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from council.auth.permissions import group_roles, in_council, is_co_chair, is_secretary, rule
from council.directory.models import GroupRole, User
from council.meetings.models import Invitation, Meeting, MeetingStatus


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


@rule("meeting.schedule")
def _schedule(user: User, scope: MeetingScope) -> bool:
    """Co-chairs of any group may propose a council session; the secretariat decides on it."""
    if is_organiser(user, scope):
        return True
    return scope.group_id is None and in_council(user, scope.council_id) and co_chairs_a_group(user)


@rule("meeting.organise")
def _organise(user: User, meeting: Meeting) -> bool:
    return is_organiser(user, meeting)


@rule("meeting.edit")
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


@rule("meeting.respond")
def _respond(user: User, invitation: Invitation) -> bool:
    """The invited person, or anyone from the invited organisation."""
    if invitation.user_id is not None:
        return invitation.user_id == user.id
    return invitation.organisation_id is not None and invitation.organisation_id == user.organisation_id


@rule("minutes.write")
def _write_minutes(user: User, meeting: Meeting) -> bool:
    return is_organiser(user, meeting)


@rule("minutes.approve")
def _approve_minutes(user: User, meeting: Meeting) -> bool:
    return in_council(user, meeting.council_id) and is_chair(user, meeting)


@rule("calendar.group_feed")
def _group_feed(user: User, group: Any) -> bool:
    return in_council(user, group.council_id) and (group.id in group_roles(user)
                                                   or is_secretary(user, group.council_id))
