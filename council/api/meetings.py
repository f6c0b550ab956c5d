"""API v1 meetings: council sessions and working-group meetings with their agenda, decisions and
minutes (read only). Visibility is the meetings pages' own: council.meetings.services decides."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from sqlalchemy.orm import selectinload

from council.api.blueprints import ID, resource_blueprint
from council.api.pagination import page_of, page_schema
from council.api.schemas import (
    MeetingDetailSchema,
    MeetingQuerySchema,
    MeetingSchema,
    MinutesSchema,
)
from council.directory.models import User
from council.errors import NotFound
from council.extensions import db
from council.meetings import minutes as meeting_minutes
from council.meetings import services
from council.meetings.models import AgendaItem, Decision, Meeting, Minutes, MinutesRevision
from council.meetings.wording import about

meetings = resource_blueprint("council-meetings", __name__,
                              "Council sessions and working-group meetings: agenda, decisions, minutes.")


def _reader() -> User:
    person: User = current_user._get_current_object()
    return person


@meetings.get("/meetings")
@meetings.arguments(MeetingQuerySchema, location="query")
@meetings.response(200, page_schema(MeetingSchema))
def list_meetings(args: dict[str, Any]) -> dict[str, Any]:
    """Meetings you may see, with the filters of the meetings page: upcoming soonest first, or past
    latest first. Drafts appear only to those who may edit them."""
    query = services.meetings_list(_reader(), when=args["when"], group_id=args.get("group"),
                                   kind=args.get("kind"))
    return page_of(query, args)


@meetings.get(f"/meetings/<{ID}:meeting_id>")
@meetings.response(200, MeetingDetailSchema)
def get_meeting(meeting_id: int) -> dict[str, Any]:
    """A meeting with its agenda (items in order, each sub-item after its parent, with the
    recommendations and commitments they are about) and its decisions."""
    return meeting_detail(services.get_meeting(meeting_id, _reader()))


def meeting_detail(meeting: Meeting) -> dict[str, Any]:
    """A meeting as GET shows it (and a change answers): its agenda in order, its decisions."""
    # One query per collection, whatever the size of the agenda.
    db.session.scalars(db.select(Meeting).where(Meeting.id == meeting.id).options(
        selectinload(Meeting.session_chairs),
        selectinload(Meeting.agenda_items).selectinload(AgendaItem.recommendations),
        selectinload(Meeting.agenda_items).selectinload(AgendaItem.commitments),
        selectinload(Meeting.decisions).selectinload(Decision.commitments))).all()
    children: dict[int, list[AgendaItem]] = {}
    for agenda_item in meeting.agenda_items:
        if agenda_item.parent_id is not None:
            children.setdefault(agenda_item.parent_id, []).append(agenda_item)
    in_order = [entry for top in meeting.top_items for entry in (top, *children.get(top.id, []))]
    return {**{name: getattr(meeting, name) for name in MeetingSchema().fields},
            "session_chairs": meeting.session_chairs, "agenda_items": in_order,
            "decisions": meeting.decisions}


@meetings.get(f"/meetings/<{ID}:meeting_id>/minutes")
@meetings.response(200, MinutesSchema)
def get_minutes(meeting_id: int) -> MinutesRevision:
    """The current revision of the minutes (a draft, awaiting approval, or approved)."""
    meeting = services.get_meeting(meeting_id, _reader())
    minutes = db.session.scalar(db.select(Minutes).where(Minutes.meeting_id == meeting.id).options(
        selectinload(Minutes.revisions).selectinload(MinutesRevision.approvals)))
    if minutes is None or not minutes.revisions:
        raise NotFound(about(meeting, "This meeting has no minutes yet."))
    return minutes.current


@meetings.get(f"/meetings/<{ID}:meeting_id>/minutes/<int(min=1, max=10000):number>")
@meetings.response(200, MinutesSchema)
def get_minutes_revision(meeting_id: int, number: int) -> MinutesRevision:
    """An earlier (or the current) revision of the minutes, by number."""
    meeting = services.get_meeting(meeting_id, _reader())
    revision: MinutesRevision = meeting_minutes.revision_of(meeting, number)
    return revision


BLUEPRINTS = (meetings,)
