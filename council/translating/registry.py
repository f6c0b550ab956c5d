"""The kinds of record that carry text in the four languages, and how to read, write and find each.

One entry per kind rather than a translation view per kind: the translation page, the "to translate"
list, the detail pages' notices and the API all go through this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import ColumnElement, Select, and_, func, not_, or_
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from council import events
from council.conversations.models import Comment, ConversationEvent
from council.conversations.permissions import translatable_comments
from council.directory.models import User
from council.i18n import LANGUAGES, Translations
from council.meetings import services as meeting_services
from council.meetings.models import (
    GENERAL_NOTES,
    PLANNING_STATUSES,
    AgendaItem,
    Decision,
    Meeting,
    MeetingEvent,
    MeetingStatus,
    Minutes,
    RevisionStatus,
)
from council.meetings.permissions import (
    editable_agenda_items,
    editable_decisions,
    editable_meetings,
    editable_minutes,
)
from council.tracker.models import Commitment, Indicator, Initiative, Recommendation, TrackerEvent
from council.tracker.permissions import editable_by_secretariat, editable_group_records


@dataclass(frozen=True)
class TextPart:
    """One translatable text of a record: an attribute, or one note of the minutes."""

    key: str
    label: Any
    max_length: int
    multiline: bool = False


@dataclass(frozen=True)
class Kind:
    key: str
    label: Any
    plural: Any
    model: type[Any]
    action: str  # the permission that edits the record; whoever has it may translate it
    parts: Callable[[Any], list[TextPart]]
    # The JSON columns the "to translate" list checks in SQL; empty: checked in Python (minutes).
    columns: tuple[Any, ...]
    editable: Callable[[User], Select[Any]]  # the records of this kind the user may edit
    endpoint: str  # the record's own page, and the name of its id argument there
    id_argument: str
    anchor: str | None = None
    # What a listed record's parts, code, title and address read beyond its own row, loaded with the
    # list in a fixed number of queries rather than one per row.
    load: tuple[LoaderOption, ...] = ()
    permission_target: Callable[[Any], Any] = lambda record: record
    meeting_of: Callable[[Any], Meeting | None] = lambda record: None
    read: Callable[[Any, str], Translations] = lambda record, key: dict(getattr(record, key) or {})
    original: Callable[[Any], str] = lambda record: str(record.original_language)
    code: Callable[[Any], str] = lambda record: str(getattr(record, "code", "") or "")
    title: Callable[[Any], Translations] = lambda record: dict(record.title or {})
    write: Callable[[Any, str, Translations], None] = lambda record, key, texts: setattr(record, key, texts)
    # An approved or published text (minutes, their decisions, the plan of a meeting that took place):
    # a translation may be added to it, but one it already has is part of the record and stays.
    frozen: Callable[[Any], bool] = lambda record: False
    # Of approved minutes (and their decisions): the languages both co-chairs approved; a language
    # added since is a translation not yet approved. None for records that are not approved so.
    approved: Callable[[Any], list[str] | None] = lambda record: None
    # Where the change is recorded: the record's own history, or for a meeting's parts the meeting's.
    announce: Callable[[Any, User, dict[str, Any]], None] = \
        lambda record, actor, payload: _tracker_event(record, actor, payload)

    def url_values(self, record: Any) -> dict[str, Any]:
        meeting = self.meeting_of(record)
        values: dict[str, Any] = {self.id_argument: meeting.id if meeting is not None else record.id}
        if self.anchor:
            values["_anchor"] = self.anchor.format(id=record.id)
        return values


# Writing and recording ------------------------------------------------------------------------------


_TRACKER_TRANSLATED = {"recommendation": TrackerEvent.RECOMMENDATION_TRANSLATED,
                       "commitment": TrackerEvent.COMMITMENT_TRANSLATED,
                       "initiative": TrackerEvent.INITIATIVE_TRANSLATED,
                       "indicator": TrackerEvent.INDICATOR_TRANSLATED}


def _tracker_event(record: Any, actor: User, payload: dict[str, Any]) -> None:
    kind = kind_of(record)
    assert kind is not None  # noqa: S101  only registered kinds reach here; narrows the type
    events.record(_TRACKER_TRANSLATED[kind.key], record, actor, group_id=getattr(record, "group_id", None),
                  code=kind.code(record), **payload)


def _comment_event(record: Any, actor: User, payload: dict[str, Any]) -> None:
    events.record(ConversationEvent.TRANSLATED, record, actor, record_type=str(record.record_type),
                  record_id=record.record_id, group_id=record.group_id, **payload)


def _meeting_event(record: Any, actor: User, payload: dict[str, Any]) -> None:
    kind = kind_of(record)
    assert kind is not None  # noqa: S101  only registered kinds reach here; narrows the type
    meeting = record if isinstance(record, Meeting) else record.meeting
    if kind.key in ("meeting", "agenda_item") and meeting.status == MeetingStatus.AGENDA_PUBLISHED:
        meeting.sequence += 1  # the calendar entry's title or agenda reads differently in that language
    meeting_services.record_event(MeetingEvent.TRANSLATED, meeting, actor, part=kind.key, **payload)


def _plan_frozen(meeting: Meeting) -> bool:
    return meeting.status not in PLANNING_STATUSES


def _minutes_frozen(minutes: Minutes | None) -> bool:
    return minutes is not None and minutes.current.status != RevisionStatus.DRAFT


def _write_decision(decision: Decision, key: str, texts: Translations) -> None:
    """The decision, and the published revision's copy of it, so the minutes read the same."""
    setattr(decision, key, texts)
    minutes = decision.meeting.minutes
    if minutes is None or minutes.current.status == RevisionStatus.DRAFT:
        return  # a draft shows the decisions as they are
    revision = minutes.current
    revision.decisions_snapshot = [dict(entry, text=texts) if entry.get("number") == decision.number
                                   else entry for entry in revision.decisions_snapshot or []]


def _approved_languages(minutes: Minutes | None) -> list[str] | None:
    if minutes is None or minutes.current.approved_at is None:
        return None
    return minutes.current.approved_languages


def _write_minutes(minutes: Minutes, key: str, texts: Translations) -> None:
    revision = minutes.current
    revision.notes = {**(revision.notes or {}), key: texts}


# The minutes: their notes live in the current revision, one text per agenda item (and general notes) ---


def _minutes_parts(minutes: Minutes) -> list[TextPart]:
    revision = minutes.current
    parts = []
    if revision.note(GENERAL_NOTES):
        parts.append(TextPart(GENERAL_NOTES, _l("General notes"), 20000, multiline=True))
    items = {str(item.id): item for item in minutes.meeting.agenda_items}
    for key in revision.notes or {}:
        if key in items and revision.note(key):
            parts.append(TextPart(key, items[key].title, 20000, multiline=True))
    return parts


def _fixed(*parts: TextPart) -> Callable[[Any], list[TextPart]]:
    """The record's parts that have text (an optional description may be empty)."""
    def present(record: Any) -> list[TextPart]:
        return [part for part in parts if getattr(record, part.key, None)]
    return present


TITLE_500 = TextPart("title", _l("Title"), 500)
TITLE_300 = TextPart("title", _l("Title"), 300)
NAME = TextPart("name", lazy_pgettext("thing", "Name"), 300)  # an indicator's or initiative's name
DESCRIPTION = TextPart("description", _l("Description"), 4000, multiline=True)

KINDS: dict[str, Kind] = {kind.key: kind for kind in (
    Kind("recommendation", _l("Recommendation"), _l("Recommendations"), Recommendation,
         "recommendation.manage",
         _fixed(TITLE_500, TextPart("text", _l("Text"), 10000, multiline=True)),
         (Recommendation.title, Recommendation.text), editable_group_records(Recommendation),
         "tracker.recommendation", "recommendation_id"),
    Kind("commitment", _l("Commitment"), _l("Commitments"), Commitment, "commitment.manage",
         _fixed(TextPart("description", _l("What will be done"), 4000, multiline=True)),
         (Commitment.description,), editable_group_records(Commitment), "tracker.commitment",
         "commitment_id",
         title=lambda record: dict(record.description or {})),
    Kind("initiative", _l("Initiative"), _l("Initiatives"), Initiative, "initiative.manage",
         _fixed(NAME, DESCRIPTION), (Initiative.name, Initiative.description),
         editable_by_secretariat(Initiative),
         "tracker.initiative", "initiative_id", permission_target=lambda record: record.council_id,
         title=lambda record: dict(record.name or {})),
    Kind("indicator", _l("Indicator"), _l("Indicators"), Indicator, "indicator.manage",
         _fixed(NAME, DESCRIPTION), (Indicator.name, Indicator.description),
         editable_by_secretariat(Indicator),
         "tracker.indicator", "indicator_id", permission_target=lambda record: record.council_id,
         title=lambda record: dict(record.name or {})),
    Kind("meeting", _l("Meeting"), _l("Meetings"), Meeting, "meeting.edit", _fixed(TITLE_300),
         (Meeting.title,), editable_meetings, "meetings.meeting", "meeting_id",
         code=lambda record: str(record.reference), frozen=_plan_frozen, announce=_meeting_event),
    Kind("agenda_item", _l("Agenda item"), _l("Agenda items"), AgendaItem, "meeting.edit",
         _fixed(TITLE_300, TextPart("notes", _l("Notes"), 4000, multiline=True)),
         (AgendaItem.title, AgendaItem.notes), editable_agenda_items, "meetings.meeting", "meeting_id",
         anchor="item-{id}", load=(joinedload(AgendaItem.meeting),),
         permission_target=lambda record: record.meeting,
         meeting_of=lambda record: record.meeting, code=lambda record: str(record.meeting.reference),
         frozen=lambda record: _plan_frozen(record.meeting), announce=_meeting_event),
    Kind("decision", _l("Decision"), _l("Decisions"), Decision, "minutes.write",
         _fixed(TextPart("text", _l("Decision"), 4000, multiline=True)), (Decision.text,), editable_decisions,
         "meetings.meeting", "meeting_id", anchor="decisions", load=(joinedload(Decision.meeting),),
         permission_target=lambda record: record.meeting, meeting_of=lambda record: record.meeting,
         code=lambda record: f"{record.meeting.reference} · {record.number}",
         title=lambda record: dict(record.text or {}), write=_write_decision,
         frozen=lambda record: _minutes_frozen(record.meeting.minutes), announce=_meeting_event,
         approved=lambda record: _approved_languages(record.meeting.minutes)),
    Kind("minutes", _l("Minutes"), _l("Minutes"), Minutes, "minutes.write", _minutes_parts, (),
         editable_minutes,
         "meetings.meeting", "meeting_id", anchor="minutes",
         load=(selectinload(Minutes.revisions),
               joinedload(Minutes.meeting).selectinload(Meeting.agenda_items)),
         permission_target=lambda record: record.meeting, meeting_of=lambda record: record.meeting,
         read=lambda record, key: dict(record.current.note(key)),
         original=lambda record: str(record.current.original_language),
         code=lambda record: str(record.meeting.reference),
         title=lambda record: dict(record.meeting.title or {}), write=_write_minutes,
         frozen=_minutes_frozen, announce=_meeting_event, approved=_approved_languages),
    # A comment of a conversation: its own page is its place in its record's thread.
    Kind("comment", _l("Comment"), _l("Comments"), Comment, "comment.translate",
         _fixed(TextPart("body", _l("Comment"), 10000, multiline=True)), (Comment.body,),
         translatable_comments, "conversations.comment", "comment_id",
         code=lambda record: f"#{record.id}", title=lambda record: dict(record.body or {}),
         announce=_comment_event),
)}


def kind_of(record: Any) -> Kind | None:
    return next((kind for kind in KINDS.values() if isinstance(record, kind.model)), None)


# Missing languages --------------------------------------------------------------------------------


def missing_in(kind: Kind, record: Any) -> list[str]:
    """Languages that one of the record's texts lacks (never the original, which is required)."""
    parts = [kind.read(record, part.key) for part in kind.parts(record)]
    return [lang for lang in LANGUAGES if any(texts and not texts.get(lang) for texts in parts)]


def partly_in(kind: Kind, record: Any) -> list[str]:
    """Languages that some of the record's texts have and others lack (a title translated, its text not)."""
    parts = [kind.read(record, part.key) for part in kind.parts(record)]
    return [lang for lang in LANGUAGES if any(texts.get(lang) for texts in parts)
            and any(texts and not texts.get(lang) for texts in parts)]


def _has(column: Any, lang: str) -> ColumnElement[bool]:
    return func.coalesce(column[lang].as_string(), "") != ""


_missing_conditions: dict[tuple[str, str], ColumnElement[bool]] = {}


def missing_condition(kind: Kind, lang: str) -> ColumnElement[bool]:
    """SQL: one of the kind's texts has some language but not `lang`.

    Built once per kind and language: the expression (JSON paths over every text column) took about
    4 ms to build, and the navigation asks for it on every page. SQL expressions are immutable."""
    key = (kind.key, lang)
    if key not in _missing_conditions:
        _missing_conditions[key] = or_(*[
            and_(or_(*[_has(column, other) for other in LANGUAGES if other != lang]),
                 not_(_has(column, lang))) for column in kind.columns])
    return _missing_conditions[key]

