"""Which domain events a webhook endpoint may ask for, by the record they are about.

The kinds are the domain's own event kinds (event.kind), so a receiver reads the same names in the
webhook's `type` as in the records' histories. Only records that the API represents are offered: the
payload carries the record as the API shows it.
"""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from council.meetings.models import MeetingEvent
from council.tracker.models import TrackerEvent

# subject type (event.subject_type) -> the event kinds offered for it.
KINDS_BY_SUBJECT: dict[str, tuple[str, ...]] = {
    "recommendation": tuple(str(kind) for kind in TrackerEvent if kind.startswith("recommendation.")),
    "commitment": tuple(str(kind) for kind in TrackerEvent if kind.startswith("commitment.")),
    "initiative": tuple(str(kind) for kind in TrackerEvent if kind.startswith("initiative.")),
    "indicator": tuple(str(kind) for kind in TrackerEvent if kind.startswith("indicator.")),
    "meeting": tuple(str(kind) for kind in (
        MeetingEvent.SCHEDULED, MeetingEvent.UPDATED, MeetingEvent.AGENDA_PUBLISHED,
        MeetingEvent.CANCELLED, MeetingEvent.HELD, MeetingEvent.DECISION_RECORDED,
        MeetingEvent.MINUTES_FULLY_APPROVED)),
}
SUBJECT_LABELS: dict[str, LazyString] = {
    "recommendation": _l("Recommendations"),
    "commitment": _l("Commitments"),
    "initiative": _l("Initiatives"),
    "indicator": _l("Indicators"),
    "meeting": _l("Meetings"),
}
ALL_KINDS: tuple[str, ...] = tuple(kind for kinds in KINDS_BY_SUBJECT.values() for kind in kinds)
SUBJECT_OF_KIND: dict[str, str] = {kind: subject for subject, kinds in KINDS_BY_SUBJECT.items()
                                   for kind in kinds}
# An organisation's own endpoint hears about the organisation's commitments, nothing else.
ORGANISATION_SUBJECTS = ("commitment",)
