"""A meeting's agenda: items, their order and timing, and the progress review.

Every change checks permission and that the meeting is still being planned, and records a domain event
in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import force_locale, format_time, ngettext
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from council import conflicts
from council.auth.permissions import require
from council.directory.models import (
    User,
)
from council.errors import Conflict, ValidationFailed
from council.extensions import db
from council.i18n import LANGUAGES, Translations, clean_translations
from council.meetings.models import (
    PLANNING_STATUSES,
    AgendaItem,
    Meeting,
    MeetingEvent,
    MeetingStatus,
)
from council.meetings.services import (
    MAX_ITEM_MINUTES,
    _of_council,
    _people,
    agenda_minutes,
    record_event,
    require_planning,
)
from council.meetings.wording import about
from council.records import require_original_text
from council.timeutil import council_today
from council.tracker.models import (
    Commitment,
    Recommendation,
    due_within_condition,
    overdue_condition,
)


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
        record_event(MeetingEvent.AGENDA_CHANGED, meeting, actor, invitees=True, change=change,
                     item_id=item.id)
    else:
        record_event(MeetingEvent.AGENDA_EDITED, meeting, actor, change=change, item_id=item.id)


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
    today = council_today()
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
