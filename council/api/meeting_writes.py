"""API v1 meeting changes: schedule a meeting as a draft and edit it, and build its agenda.

The same services as the meeting pages (council.meetings.services and .agenda): who may schedule or
edit, while the meeting is being planned only, and the agenda's fit in the meeting's time. Publishing
the agenda stays on the web page. PATCH needs If-Match with the ETag of the record (council.api.writes).
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _

from council.api.blueprints import ID
from council.api.meetings import _reader, meeting_detail, meetings
from council.api.schemas import AgendaItemSchema, MeetingDetailSchema
from council.api.tracker_writes import LOCATION, PRECONDITIONS
from council.api.write_schemas import (
    AgendaItemInputSchema,
    MeetingEditSchema,
    MeetingInputSchema,
    patch_of,
)
from council.api.writes import change, merged, referenced, require_current, saved
from council.directory.models import Council, WorkingGroup
from council.extensions import db
from council.meetings import agenda, services
from council.meetings.models import AgendaItem, Meeting

PLANNING = {"description": "The meeting is no longer being planned (held, or cancelled).",
            "content_type": "application/json"}
DETAIL_FIELDS = ("title", "original_language", "starts_at", "ends_at", "time_zone", "place", "online_url",
                 "invite_user_ids", "invite_organisation_ids", "session_chair_ids")


def _tupled(values: dict[str, Any], names: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The body's values as the services' details take them: lists of ids as tuples."""
    return {name: tuple(value) if name.endswith("_ids") else value for name, value in values.items()
            if names is None or name in names}


def _details(values: dict[str, Any]) -> services.MeetingDetails:
    return services.MeetingDetails(**_tupled(values, DETAIL_FIELDS))


def _documented_patch(view: Any) -> Any:
    view = meetings.alt_response(409, schema="Error", **PLANNING)(view)
    for status, description in PRECONDITIONS:
        view = meetings.alt_response(status, schema="Error", description=description,
                                     content_type="application/json")(view)
    return view


@meetings.post("/meetings")
@change
@meetings.arguments(MeetingInputSchema)
@meetings.response(201, MeetingDetailSchema, headers=LOCATION)
@meetings.alt_response(409, schema="Error", description="Another meeting took the reference meanwhile: "
                       "send it again.", content_type="application/json")
def schedule_meeting(args: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Schedule a council session or a working-group meeting, as a draft (secretaries, co-chairs)."""
    reader = _reader()
    council = db.session.get(Council, reader.council_id)
    assert council is not None  # noqa: S101  the reader's own council; narrows the type
    group = referenced(WorkingGroup, args.get("group_id"), council.id, "group_id",
                       _("Choose the working group."))
    meeting = services.schedule_meeting(reader, council, kind=args["kind"], group=group,
                                        details=_details({"place": None, "online_url": None, **args}),
                                        invite_group_members=args["invite_group_members"])
    saved()
    return meeting_detail(meeting), 201, {"Location": url_for("council-meetings.get_meeting",
                                                              meeting_id=meeting.id)}


def _current_details(meeting: Meeting) -> dict[str, Any]:
    return dict(title=meeting.title, original_language=meeting.original_language,
                starts_at=meeting.starts_at, ends_at=meeting.ends_at, time_zone=meeting.time_zone,
                place=meeting.place, online_url=meeting.online_url,
                invite_user_ids=[i.user_id for i in meeting.invitations if i.user_id is not None],
                invite_organisation_ids=[i.organisation_id for i in meeting.invitations
                                         if i.organisation_id is not None],
                session_chair_ids=[chair.id for chair in meeting.session_chairs])


@meetings.patch(f"/meetings/<{ID}:meeting_id>")
@change
@meetings.arguments(patch_of(MeetingEditSchema))
@meetings.response(200, MeetingDetailSchema)
@_documented_patch
def edit_meeting(args: dict[str, Any], meeting_id: int) -> dict[str, Any]:
    """Change the title, time, place, co-chairs or invitations while the meeting is being planned."""
    meeting = services.get_meeting(meeting_id, _reader())
    require_current(MeetingDetailSchema, meeting_detail(meeting))
    services.update_meeting(_reader(), meeting, _details(merged(_current_details(meeting), args)))
    saved()
    return meeting_detail(meeting)


# Agenda -----------------------------------------------------------------------------------------


def _item_details(values: dict[str, Any]) -> agenda.AgendaItemDetails:
    return agenda.AgendaItemDetails(**_tupled(values))


@meetings.get(f"/meetings/<{ID}:meeting_id>/agenda-items/<{ID}:item_id>")
@meetings.response(200, AgendaItemSchema)
def get_agenda_item(meeting_id: int, item_id: int) -> AgendaItem:
    """One item of a meeting's agenda."""
    item: AgendaItem = services.child_of(services.get_meeting(meeting_id, _reader()), AgendaItem, item_id)
    return item


@meetings.post(f"/meetings/<{ID}:meeting_id>/agenda-items")
@change
@meetings.arguments(AgendaItemInputSchema)
@meetings.response(201, AgendaItemSchema, headers=LOCATION)
@meetings.alt_response(409, schema="Error", **PLANNING)
def add_agenda_item(args: dict[str, Any], meeting_id: int) -> tuple[AgendaItem, int, dict[str, str]]:
    """Add an item (or a sub-item) at the end of the agenda, while the meeting is being planned."""
    meeting = services.get_meeting(meeting_id, _reader())
    item = agenda.add_agenda_item(_reader(), meeting, _item_details(args))
    saved()
    return item, 201, {"Location": url_for("council-meetings.get_agenda_item", meeting_id=meeting.id,
                                           item_id=item.id)}


@meetings.patch(f"/meetings/<{ID}:meeting_id>/agenda-items/<{ID}:item_id>")
@change
@meetings.arguments(patch_of(AgendaItemInputSchema))
@meetings.response(200, AgendaItemSchema)
@_documented_patch
def edit_agenda_item(args: dict[str, Any], meeting_id: int, item_id: int) -> AgendaItem:
    """Change an agenda item, or make it a sub-item of another (parent_id), while being planned."""
    meeting = services.get_meeting(meeting_id, _reader())
    item: AgendaItem = services.child_of(meeting, AgendaItem, item_id)
    require_current(AgendaItemSchema, item)
    current = dict(title=item.title, original_language=item.original_language, notes=item.notes,
                   duration_minutes=item.duration_minutes, presenter_id=item.presenter_id,
                   parent_id=item.parent_id,
                   recommendation_ids=[record.id for record in item.recommendations],
                   commitment_ids=[record.id for record in item.commitments])
    agenda.update_agenda_item(_reader(), item, _item_details(merged(current, args)))
    saved()
    return item
