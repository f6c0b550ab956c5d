"""Who attended a meeting, and whether both sides were present."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from council import conflicts
from council.auth.permissions import require
from council.directory.models import (
    Organisation,
    User,
)
from council.directory.services import council_sides
from council.errors import Conflict
from council.extensions import db
from council.meetings.models import (
    Attendance,
    AttendanceMode,
    Meeting,
    MeetingEvent,
    MeetingStatus,
)
from council.meetings.services import _group_member_ids, _people, record_event
from council.meetings.wording import about
from council.timeutil import utcnow


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
    record_event(MeetingEvent.ATTENDANCE_RECORDED, meeting, actor, user_ids=sorted(present),
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
