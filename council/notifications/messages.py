"""What each notification says, in the reader's language and time zone, and how it is e-mailed.

Sentences are made at the moment of reading or sending, in the recipient's language, from the event's
payload (its code and title snapshot, statuses, dates) and a few names looked up by id.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from werkzeug.routing import BuildError

from council.addresses import external_url
from council.directory.models import DirectoryEvent, User, WorkingGroup
from council.extensions import db
from council.formatting import date_pattern, datetime_pattern, percent
from council.i18n import Translations, fallback_note, localize, shortened
from council.meetings.models import MeetingEvent, MeetingKind
from council.meetings.wording import meeting_gettext
from council.notifications.models import Notification, ReminderKind
from council.timeutil import time_zone_name
from council.tracker.models import CommitmentStatus, RecommendationStatus, TrackerEvent

# Pages of the records notifications are about: subject type -> (endpoint, argument name).
# Domains that land later add theirs here (commitment, recommendation, meeting, minutes).
SUBJECT_PAGES: dict[str, tuple[str, str]] = {
    "meeting": ("meetings.meeting", "meeting_id"),
    "commitment": ("tracker.commitment", "commitment_id"),
    "recommendation": ("tracker.recommendation", "recommendation_id"),
    "user": ("directory.person", "person_id"),
    "workinggroup": ("directory.group", "group_id"),
    "organisation": ("directory.organisation", "organisation_id"),
    "reportversion": ("reports.report", "report_id"),
    "webhookendpoint": ("webhooks.endpoint", "endpoint_id"),
}



# What a message needs to know about its record now rather than as it was (a meeting's time and place):
# subject type -> function(ids) -> {id: values added to the payload}. Domains register theirs.
SUBJECT_DETAILS: dict[str, Callable[[Iterable[int]], dict[int, dict[str, Any]]]] = {}


def subject_details(subjects: Iterable[tuple[str | None, int | None]]
                    ) -> dict[tuple[str, int], dict[str, Any]]:
    """The current details of these records, one query per type."""
    by_type: dict[str, set[int]] = {}
    for subject_type, subject_id in subjects:
        if subject_type in SUBJECT_DETAILS and subject_id is not None:
            by_type.setdefault(subject_type, set()).add(subject_id)
    return {(subject_type, subject_id): values
            for subject_type, ids in by_type.items()
            for subject_id, values in SUBJECT_DETAILS[subject_type](ids).items()}


@dataclass(frozen=True)
class Reader:
    """The recipient's language and time zone: every date in a message is written for them."""

    language: str
    time_zone: str

    @classmethod
    def of(cls, person: User) -> Reader:
        return cls(person.language, person.time_zone)

    def date(self, value: date | datetime | str | None, format: str = "long") -> str:
        if value is None or value == "":
            return ""
        return _date_text(value, format, self.language, self.time_zone)

    def when(self, value: datetime | str | None, format: str = "medium") -> str:
        if value is None or value == "":
            return ""
        return _when_text(value, format, self.language, self.time_zone)

    def meeting_time(self, value: datetime | str, zone: str | None) -> str:
        """When a meeting starts, to the minute, in the meeting's own zone and named with it; then in
        the reader's zone when that shows another hour: "Dec 1, 2026, 10:00 Aktau (UTC+5)"."""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        zones = [zone or self.time_zone]
        if self.time_zone != zones[0] and value.astimezone(ZoneInfo(self.time_zone)).utcoffset() \
                != value.astimezone(ZoneInfo(zones[0])).utcoffset():
            zones.append(self.time_zone)
        day = date_pattern("medium", self.language)
        return " / ".join(
            f"{format_date(value.astimezone(ZoneInfo(each)), day, locale=self.language)}, "
            f"{format_time(value, 'short', tzinfo=ZoneInfo(each), locale=self.language)} "
            f"{time_zone_name(each)}" for each in zones)

    def time(self, value: datetime | str, format: str = "short") -> str:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return str(format_time(value, format, tzinfo=ZoneInfo(self.time_zone), locale=self.language))

    def text(self, value: Translations | str | None, length: int | None = None) -> str:
        """A snapshot that is either plain text or {language: text}; a text in another language says so,
        as pages do ("… (not translated yet: Қазақша)"). `length` shortens the text, not the note."""
        if isinstance(value, dict):
            shown = localize(value, None, self.language)
            text = shortened(shown.text, length)
            return f"{text} {fallback_note(shown.language)}" if shown.is_fallback else text
        return shortened(value or "", length)


# A digest run writes the same few dates for thousands of readers; Babel parses its pattern each time.
@functools.lru_cache(maxsize=4096)
def _date_text(value: date | datetime | str, format: str, language: str, time_zone: str) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(time_zone)).date()
    return str(format_date(value, date_pattern(format, language), locale=language))


@functools.lru_cache(maxsize=4096)
def _when_text(value: datetime | str, format: str, language: str, time_zone: str) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return str(format_datetime(value, datetime_pattern(format, language), tzinfo=ZoneInfo(time_zone),
                               locale=language))


@dataclass
class Message:
    """A notification in words: a headline (the e-mail's subject) and a few lines of detail."""

    headline: str
    lines: list[str] = field(default_factory=list)


# Links --------------------------------------------------------------------------------------------


def page_link(subject_type: str, subject_id: int) -> str:
    """An absolute link to a record's page, or to the notifications list while its page is missing."""
    endpoint, argument = SUBJECT_PAGES[subject_type]
    try:
        return external_url(endpoint, **{argument: subject_id})
    except BuildError:
        return external_url("notifications.index")


def subject_path(subject_type: str | None, subject_id: int | None) -> str | None:
    """The page of a record, if its domain has one."""
    page = SUBJECT_PAGES.get(subject_type or "")
    if page is None or subject_id is None:
        return None
    endpoint, argument = page
    values: dict[str, Any] = {argument: subject_id}
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def subject_of(row: Notification) -> tuple[str | None, int | None]:
    if row.event is not None:
        return row.event.subject_type, row.event.subject_id
    return row.payload.get("subject_type"), row.payload.get("subject_id")


# Sentences ----------------------------------------------------------------------------------------


WHAT_LENGTH = 120  # a commitment's text in a subject line: the start of it names it well enough


def _what(payload: dict[str, Any], reader: Reader) -> str:
    """"TRD-2026-004-1 Electronic queue at Temirbaba": the record's code and title snapshot. A
    commitment is named by what will be done, its code after ("Open a second lane (TRD-2026-004-KZ1)");
    one recorded before its text was in the payload keeps the code and the recommendation's title."""
    if payload.get("description"):
        text = reader.text(payload["description"], WHAT_LENGTH)
        return f"{text} ({payload.get('code')})" if payload.get("code") else text
    parts = [str(payload.get("code") or ""), reader.text(payload.get("title"))]
    return " ".join(part for part in parts if part) or _("(untitled)")


def _status(value: Any) -> str:
    """A commitment's or a recommendation's status, as the tracker names it."""
    for statuses in (CommitmentStatus, RecommendationStatus):
        if value in {status.value for status in statuses}:
            return statuses(value).label
    return str(value or "—")


def _meeting(payload: dict[str, Any], group: str, reader: Reader) -> str:
    title = reader.text(payload.get("title"))
    if title:
        return title
    return _("the meeting of %(group)s", group=group) if group else _("the council session")


Headline = Callable[[dict[str, Any]], str]
EVENT_HEADLINES: dict[str, Headline] = {
    "webhook.disabled": lambda v: ngettext(
        "Your webhook endpoint %(what)s is turned off: every delivery to it failed for %(num)d day. "
        "Check the receiving system, then register the endpoint again.",
        "Your webhook endpoint %(what)s is turned off: every delivery to it failed for %(num)d days. "
        "Check the receiving system, then register the endpoint again.", v["days"], what=v["what"]),
    "webhook.access_lost": lambda v: _(
        "Your webhook endpoint %(what)s is turned off: you no longer hold an active personal access "
        "token for its organisation, or no longer belong to it. The organisation's people who hold a "
        "token can register it again.", what=v["what"]),
    "report.ready": lambda v: _("The quarterly progress report of the working group is ready: %(group)s",
                                **v),
    TrackerEvent.COMMITMENT_CREATED: lambda v: _("New commitment: %(what)s", **v),
    TrackerEvent.COMMITMENT_UPDATED: lambda v: _("Commitment updated: %(what)s", **v),
    TrackerEvent.COMMITMENT_STATUS_CHANGED: lambda v: _("Commitment %(what)s: %(from)s → %(to)s", **v),
    TrackerEvent.COMMITMENT_PROGRESS_REPORTED: lambda v: _("Progress reported: %(what)s", **v),
    TrackerEvent.COMMITMENT_SENT_BACK: lambda v: _("Progress report sent back: %(what)s", **v),
    TrackerEvent.COMMITMENT_VERIFIED: lambda v: _("Commitment verified: %(what)s", **v),
    TrackerEvent.COMMITMENT_OWNER_CHANGED: lambda v: _("New owner of commitment %(what)s", **v),
    TrackerEvent.COMMITMENT_DUE_CHANGED: lambda v: _("New due date of %(what)s: %(date)s", **v),
    TrackerEvent.RECOMMENDATION_CREATED: lambda v: _("New recommendation: %(what)s", **v),
    TrackerEvent.RECOMMENDATION_UPDATED: lambda v: _("Recommendation updated: %(what)s", **v),
    TrackerEvent.RECOMMENDATION_STATUS_CHANGED:
        lambda v: _("Recommendation %(what)s: %(from)s → %(to)s", **v),
    MeetingEvent.UPDATED: lambda v: meeting_gettext(v["meeting_kind"], "Meeting changed: %(meeting)s", **v),
    MeetingEvent.INVITED: lambda v: _("You are invited: %(meeting)s", **v),
    MeetingEvent.AGENDA_PUBLISHED: lambda v: _("Agenda published: %(meeting)s", **v),
    MeetingEvent.AGENDA_CHANGED: lambda v: _("Agenda changed: %(meeting)s", **v),
    MeetingEvent.CANCELLED:
        lambda v: meeting_gettext(v["meeting_kind"], "Meeting cancelled: %(meeting)s", **v),
    MeetingEvent.HELD: lambda v: meeting_gettext(v["meeting_kind"], "Meeting held: %(meeting)s", **v),
    MeetingEvent.MINUTES_PUBLISHED: lambda v: _("Minutes sent for approval: %(meeting)s", **v),
    MeetingEvent.MINUTES_APPROVAL_REQUESTED:
        lambda v: _("Minutes waiting for your approval: %(meeting)s", **v),
    MeetingEvent.MINUTES_APPROVED: lambda v: _("Minutes approved by %(actor)s: %(meeting)s", **v),
    MeetingEvent.MINUTES_FULLY_APPROVED: lambda v: _("Minutes approved: %(meeting)s", **v),
    DirectoryEvent.GROUP_CO_CHAIR_CHANGED: lambda v: _(
        "New co-chair from %(country)s: %(person)s, replacing %(previous)s", **v) if v["previous"]
    else _("New co-chair from %(country)s: %(person)s", **v),
    ReminderKind.COMMITMENT_DUE: lambda v: ngettext(
        "Due in %(num)d day: %(what)s", "Due in %(num)d days: %(what)s", v["days"], **v),
    ReminderKind.COMMITMENT_OVERDUE: lambda v: ngettext(
        "%(num)d day overdue: %(what)s", "%(num)d days overdue: %(what)s", v["days"], **v),
    ReminderKind.COMMITMENT_ESCALATION: lambda v: ngettext(
        "Escalation: %(what)s (%(organisation)s) is %(num)d day overdue",
        "Escalation: %(what)s (%(organisation)s) is %(num)d days overdue", v["days"], **v),
    ReminderKind.MEETING_TOMORROW: lambda v: _("Tomorrow: %(meeting)s", **v),
}
VERIFICATION_HEADLINE: Headline = lambda v: _("Reported done, waiting for verification: %(what)s", **v)  # noqa: E731
DUE_TODAY_HEADLINE: Headline = lambda v: _("Due today: %(what)s", **v)  # noqa: E731


COMMENTED = {TrackerEvent.COMMITMENT_SENT_BACK, TrackerEvent.COMMITMENT_VERIFIED}


def describe(kind: str, payload: dict[str, Any], reader: Reader, *, actor: str | None = None,
             group: Translations | None = None) -> Message:
    """The words of one notification: call inside force_locale(reader.language)."""
    group_name = reader.text(group)
    values: dict[str, Any] = {
        "what": _what(payload, reader), "actor": actor or _("someone"), "group": group_name,
        "from": _status(payload.get("from")), "to": _status(payload.get("to")),
        "meeting": _meeting(payload, group_name, reader),
        # A working group's meeting carries its group; a council session has none.
        "meeting_kind": MeetingKind.GROUP_MEETING if payload.get("group_id") else MeetingKind.COUNCIL_SESSION,
        "date": reader.date(payload.get("to") if kind == TrackerEvent.COMMITMENT_DUE_CHANGED
                            else payload.get("due_date")),
        "days": int(payload.get("days") or 0),
        "organisation": reader.text(payload.get("organisation")),
        "person": payload.get("person_name") or "", "previous": payload.get("previous_name") or "",
        "country": reader.text(payload.get("country_name")),
    }
    headline = EVENT_HEADLINES.get(kind)
    if kind == TrackerEvent.COMMITMENT_STATUS_CHANGED and payload.get("to") == CommitmentStatus.REPORTED_DONE:
        headline = VERIFICATION_HEADLINE
    elif kind == ReminderKind.COMMITMENT_DUE and values["days"] == 0:
        headline = DUE_TODAY_HEADLINE
    message = Message(headline(values) if headline else kind)
    if group_name:
        message.lines.append(_("Working group: %(group)s", group=group_name))
    if payload.get("starts_at"):
        message.lines.append(_("Starts: %(when)s", when=reader.meeting_time(
            payload["starts_at"], payload.get("time_zone"))))
    if payload.get("place"):
        message.lines.append(_("Place: %(place)s", place=payload["place"]))
    if payload.get("due_date") and kind.startswith("reminder.commitment"):
        message.lines.append(_("Due date: %(date)s", date=values["date"]))
    if payload.get("progress") is not None and kind.startswith("commitment."):
        message.lines.append(_("Progress: %(progress)s", progress=percent(payload["progress"])))
    # Verifiers comment (the tracker stores it as the status change's reason); others give reasons.
    comment = payload.get("comment") or (payload.get("reason") if kind in COMMENTED else None)
    if comment:
        message.lines.append(_("Comment: %(text)s", text=reader.text(comment)))
    elif payload.get("reason"):
        message.lines.append(_("Reason: %(text)s", text=reader.text(payload["reason"])))
    if actor and kind != MeetingEvent.MINUTES_APPROVED:
        message.lines.append(_("By %(actor)s", actor=actor))
    return message


def describe_rows(rows: list[Notification], reader: Reader) -> dict[int, Message]:
    """The words of several rows (events loaded with them), with two look-ups for all of them."""
    actor_ids = {row.event.actor_id for row in rows if row.event is not None and row.event.actor_id}
    group_ids = {row.group_id for row in rows if row.group_id is not None}
    actors = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(actor_ids)))
                  .all()) if actor_ids else {}
    groups = dict(db.session.execute(select(WorkingGroup.id, WorkingGroup.name)
                                     .where(WorkingGroup.id.in_(group_ids))).all()) \
        if group_ids else {}
    details = subject_details(subject_of(row) for row in rows)
    described = {}
    for row in rows:
        payload = dict(row.event.payload if row.event is not None else {})
        payload.update(row.payload or {})
        payload.update(details.get(subject_of(row), {}))  # type: ignore[arg-type]
        actor = actors.get(row.event.actor_id) if row.event is not None and row.event.actor_id else None
        described[row.id] = describe(row.kind, payload, reader, actor=actor,
                                     group=groups.get(row.group_id) if row.group_id else None)
    return described


def describe_row(row: Notification, reader: Reader) -> Message:
    return describe_rows([row], reader)[row.id]


# E-mail -------------------------------------------------------------------------------------------
