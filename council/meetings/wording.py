"""Sentences that name a meeting take the word of its kind.

The glossary keeps a council session («заседание совета», «кеңес отырысы», «geňeşiň mejlisi») apart
from a working-group meeting («совещание рабочей группы», «жұмыс тобының жиналысы», «iş toparynyň
ýygnagy»). English says "meeting" for both, so each such sentence is in the catalogs twice, under the
context of each kind, and `meeting_gettext` picks the one of the meeting at hand. A sentence about
meetings in general (the list, the menu) names both kinds and needs no context.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import (
    format_time,
    get_timezone,
    get_translations,
    lazy_pgettext,
)
from flask_babel import gettext as _

from council.formatting import format_date, format_datetime, remembered
from council.meetings.models import Meeting, MeetingKind

SESSION = "council session"
GROUP_MEETING = "working group meeting"
CONTEXTS = {MeetingKind.COUNCIL_SESSION: SESSION, MeetingKind.GROUP_MEETING: GROUP_MEETING}

# Every sentence `meeting_gettext` and `about` may be given, once per context, so that extraction sees both;
# tests/meetings/test_wording.py checks that each call names one of these.
MESSAGES = (
    lazy_pgettext("council session", "A meeting in the state “%(status)s” cannot become “%(target)s”."),
    lazy_pgettext("working group meeting", "A meeting in the state “%(status)s” cannot become “%(target)s”."),
    lazy_pgettext("council session", "A meeting lasts at most seven days."),
    lazy_pgettext("working group meeting", "A meeting lasts at most seven days."),
    lazy_pgettext("council session", "Attendance is recorded once the meeting has been held."),
    lazy_pgettext("working group meeting", "Attendance is recorded once the meeting has been held."),
    lazy_pgettext("council session", "Back to the meeting"),
    lazy_pgettext("working group meeting", "Back to the meeting"),
    lazy_pgettext("council session", "Cancel the meeting"),
    lazy_pgettext("working group meeting", "Cancel the meeting"),
    lazy_pgettext("council session", "Choose an item of this meeting's agenda."),
    lazy_pgettext("working group meeting", "Choose an item of this meeting's agenda."),
    lazy_pgettext("council session", "Commitments this meeting created"),
    lazy_pgettext("working group meeting", "Commitments this meeting created"),
    lazy_pgettext("council session", "Edit meeting"),
    lazy_pgettext("working group meeting", "Edit meeting"),
    lazy_pgettext("council session", "Meeting cancelled: %(meeting)s"),
    lazy_pgettext("working group meeting", "Meeting cancelled: %(meeting)s"),
    lazy_pgettext("council session", "Meeting cancelled; the invitees will be told."),
    lazy_pgettext("working group meeting", "Meeting cancelled; the invitees will be told."),
    lazy_pgettext("council session", "Meeting changed: %(meeting)s"),
    lazy_pgettext("working group meeting", "Meeting changed: %(meeting)s"),
    lazy_pgettext("council session", "Meeting held: %(meeting)s"),
    lazy_pgettext("working group meeting", "Meeting held: %(meeting)s"),
    lazy_pgettext("council session", "Meeting saved."),
    lazy_pgettext("working group meeting", "Meeting saved."),
    lazy_pgettext("council session", "Meeting scheduled as a draft. Build the agenda, then publish it."),
    lazy_pgettext("working group meeting", "Meeting scheduled as a draft. Build the agenda, then publish "
                  "it."),
    lazy_pgettext("council session", "Minutes are written once the meeting has been held."),
    lazy_pgettext("working group meeting", "Minutes are written once the meeting has been held."),
    lazy_pgettext("council session", "No commitments are overdue or due before the meeting."),
    lazy_pgettext("working group meeting", "No commitments are overdue or due before the meeting."),
    lazy_pgettext("council session", "One row per organisation. Rows without an organisation are ignored. "
                  "The commitments go into the tracker with this meeting as their source."),
    lazy_pgettext("working group meeting", "One row per organisation. Rows without an organisation are "
                  "ignored. The commitments go into the tracker with this meeting as their source."),
    lazy_pgettext("council session", "Only the co-chairs of the meeting approve its minutes."),
    lazy_pgettext("working group meeting", "Only the co-chairs of the meeting approve its minutes."),
    lazy_pgettext("council session", "Proceedings"),
    lazy_pgettext("working group meeting", "Proceedings"),
    lazy_pgettext("council session", "Running time %(duration)s: the agenda ends at %(end)s; the meeting is "
                  "booked until %(meeting_end)s."),
    lazy_pgettext("working group meeting", "Running time %(duration)s: the agenda ends at %(end)s; the "
                  "meeting is booked until %(meeting_end)s."),
    lazy_pgettext("council session", "Say why the meeting is cancelled."),
    lazy_pgettext("working group meeting", "Say why the meeting is cancelled."),
    lazy_pgettext("council session", "The agenda leaves no time for a progress review; shorten other items "
                  "or extend the meeting."),
    lazy_pgettext("working group meeting", "The agenda leaves no time for a progress review; shorten other "
                  "items or extend the meeting."),
    lazy_pgettext("council session", "The agenda needs %(minutes)d minutes; the meeting would be shorter."),
    lazy_pgettext("working group meeting", "The agenda needs %(minutes)d minutes; the meeting would be "
                  "shorter."),
    lazy_pgettext("council session", "The agenda would end at %(end)s, after the meeting ends at "
                  "%(meeting_end)s."),
    lazy_pgettext("working group meeting", "The agenda would end at %(end)s, after the meeting ends at "
                  "%(meeting_end)s."),
    lazy_pgettext("council session", "The meeting has not started yet."),
    lazy_pgettext("working group meeting", "The meeting has not started yet."),
    lazy_pgettext("council session", "The meeting is marked as held. Record the attendance and write the "
                  "minutes."),
    lazy_pgettext("working group meeting", "The meeting is marked as held. Record the attendance and write "
                  "the minutes."),
    lazy_pgettext("council session", "The meeting must end after it starts."),
    lazy_pgettext("working group meeting", "The meeting must end after it starts."),
    lazy_pgettext("council session", "The minutes are approved; the meeting's documents are kept as they "
                  "are."),
    lazy_pgettext("working group meeting", "The minutes are approved; the meeting's documents are kept as "
                  "they are."),
    lazy_pgettext("council session", "This meeting has been cancelled."),
    lazy_pgettext("working group meeting", "This meeting has been cancelled."),
    lazy_pgettext("council session", "This meeting has no minutes yet."),
    lazy_pgettext("working group meeting", "This meeting has no minutes yet."),
    lazy_pgettext("council session", "This meeting has taken place; its plan can no longer change."),
    lazy_pgettext("working group meeting", "This meeting has taken place; its plan can no longer change."),
    lazy_pgettext("council session", "This meeting is no longer taking answers."),
    lazy_pgettext("working group meeting", "This meeting is no longer taking answers."),
    lazy_pgettext("council session", "This meeting was cancelled: %(reason)s"),
    lazy_pgettext("working group meeting", "This meeting was cancelled: %(reason)s"),
    lazy_pgettext("council session", "Time zone of the meeting: %(zone)s"),
    lazy_pgettext("working group meeting", "Time zone of the meeting: %(zone)s"),
)


def meeting_gettext(kind: MeetingKind | str, message: str, **variables: Any) -> str:
    """`message` in the reader's language, with the word for a meeting of this kind."""
    # Looked up by value: MESSAGES above is what extraction sees.
    text = str(get_translations().upgettext(CONTEXTS[MeetingKind(kind)], message))
    return text % variables if variables else text


def about(meeting: Meeting, message: str, **variables: Any) -> str:
    """`message` about this meeting, in the word of its kind (also a Jinja global)."""
    return meeting_gettext(meeting.kind, message, **variables)


def when(meeting: Meeting) -> str:
    """'Thursday, 12 March 2026, 10:00–13:00' in the reader's language and time zone."""
    return _when(meeting.starts_at, meeting.ends_at)


@remembered  # per reader's language and time zone: the dashboards list a dozen meetings per page
def _when(starts_at: datetime, ends_at: datetime) -> str:
    zone = get_timezone()
    if starts_at.astimezone(zone).date() == ends_at.astimezone(zone).date():
        return _("%(date)s, %(start)s–%(end)s", date=format_date(starts_at, "full"),
                 start=format_time(starts_at, "short"), end=format_time(ends_at, "short"))
    return _("%(start)s – %(end)s", start=format_datetime(starts_at, "short"),
             end=format_datetime(ends_at, "short"))
