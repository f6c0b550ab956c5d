"""Who hears about which domain event.

Recipients are found from the ids in the event's payload and the directory alone (owner, organisation,
working group, council secretaries), so the tracker and meetings never import this package. A person
hears about what is addressed to them whatever their group level ("direct"); group members hear about
the rest of a group's news according to its importance and their level for that group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from council.auth.models import AuthEvent
from council.directory.models import (
    DirectoryEvent,
    GroupRole,
    Membership,
    Organisation,
    PlatformRole,
    User,
    WorkingGroup,
)
from council.events import Event
from council.extensions import db
from council.meetings.models import Meeting, MeetingEvent, MeetingStatus
from council.tracker.models import ProgressUpdate, TrackerEvent


class Importance(StrEnum):
    IMPORTANT = "important"  # heard by group members at level "normal" and "all"
    MINOR = "minor"  # heard by group members at level "all" only


class Audience(StrEnum):
    OWNER = "owner"  # payload owner_id
    ORGANISATION = "organisation"  # active people of payload organisation_id
    CO_CHAIRS = "co_chairs"  # co-chairs of payload group_id
    SECRETARIES = "secretaries"  # secretaries of the event's council
    ADDRESSED = "addressed"  # payload user_ids, and the people of payload organisation_ids
    SUBJECT = "subject"  # the person the event is about (subject_type "user")
    # Who may verify a commitment reported done: the secretaries, and the co-chair of its group from its
    # organisation's side (council.tracker.permissions, "commitment.verify").
    VERIFIERS = "verifiers"


@dataclass(frozen=True)
class Hearers:
    """Who hears about one kind of event (a permission is a "rule"; this is an audience)."""

    direct: tuple[Audience, ...] = ()
    group: Importance | None = None  # None: the group's other members do not hear about it
    fallback: tuple[Audience, ...] = field(default=())  # when `direct` finds nobody
    # The people the event addresses hear about it from another event of the same change.
    spare_addressed: bool = False
    # Who of those who hear may be e-mailed at once (if they chose immediate e-mails); None: all of them.
    # The others who chose immediate e-mails read it in the day's round-up (notifications.roundup).
    emailed: tuple[Audience, ...] | None = None


OWNERS = (Audience.OWNER, Audience.ORGANISATION)
A = Audience
REPORTED = Hearers(OWNERS, Importance.MINOR, emailed=(A.OWNER,))  # a routine progress report (below)
HEARERS: dict[str, Hearers] = {
    TrackerEvent.COMMITMENT_CREATED: Hearers(OWNERS, Importance.MINOR),
    TrackerEvent.COMMITMENT_UPDATED: Hearers(OWNERS, Importance.MINOR),
    TrackerEvent.COMMITMENT_STATUS_CHANGED: Hearers(OWNERS, Importance.MINOR),
    TrackerEvent.COMMITMENT_PROGRESS_REPORTED: REPORTED,
    TrackerEvent.COMMITMENT_SENT_BACK: Hearers(OWNERS),
    TrackerEvent.COMMITMENT_VERIFIED: Hearers(OWNERS, Importance.MINOR),
    TrackerEvent.COMMITMENT_OWNER_CHANGED: Hearers(OWNERS, Importance.MINOR),
    TrackerEvent.COMMITMENT_DUE_CHANGED: Hearers(OWNERS, Importance.MINOR),
    TrackerEvent.RECOMMENDATION_CREATED: Hearers((), Importance.IMPORTANT),
    TrackerEvent.RECOMMENDATION_UPDATED: Hearers((), Importance.MINOR),
    TrackerEvent.RECOMMENDATION_STATUS_CHANGED: Hearers((), Importance.IMPORTANT),
    # A meeting is news once its agenda is published: drafts (scheduled, changed) stay quiet.
    MeetingEvent.INVITED: Hearers((A.ADDRESSED,)),
    MeetingEvent.UPDATED: Hearers((A.ADDRESSED,)),
    # Publishing the agenda also records meeting.invited for the invitees: they get the invitation,
    # the group's other members the news.
    MeetingEvent.AGENDA_PUBLISHED: Hearers((), Importance.IMPORTANT, spare_addressed=True),
    MeetingEvent.AGENDA_CHANGED: Hearers((A.ADDRESSED,), Importance.IMPORTANT),
    MeetingEvent.CANCELLED: Hearers((A.ADDRESSED,), Importance.IMPORTANT),
    MeetingEvent.HELD: Hearers((), Importance.MINOR),
    MeetingEvent.MINUTES_PUBLISHED: Hearers((A.ADDRESSED,), Importance.IMPORTANT),
    MeetingEvent.MINUTES_APPROVAL_REQUESTED: Hearers((A.ADDRESSED,), fallback=(A.CO_CHAIRS,)),
    MeetingEvent.MINUTES_APPROVED: Hearers((A.SECRETARIES,), Importance.MINOR),
    MeetingEvent.MINUTES_FULLY_APPROVED: Hearers((A.ADDRESSED, A.SECRETARIES), Importance.IMPORTANT),
    # Parity: a change of co-chair is told to both co-chairs (the one replaced too) and the secretaries.
    DirectoryEvent.GROUP_CO_CHAIR_CHANGED: Hearers((A.CO_CHAIRS, A.SECRETARIES, A.ADDRESSED),
                                                   Importance.IMPORTANT),
    # The quarterly progress report of a group (council.reports.schedule) goes to its co-chairs.
    "report.ready": Hearers((A.CO_CHAIRS,)),
}
# Transactional e-mails: sent whatever the person's preferences, and not listed in the app.
TRANSACTIONAL: dict[str, Hearers] = {
    AuthEvent.PERSON_INVITED: Hearers((A.SUBJECT,)),
    AuthEvent.PASSWORD_RESET_REQUESTED: Hearers((A.SUBJECT,)),
    # Security notices: the person hears of it whatever their preferences.
    AuthEvent.SECOND_FACTOR_RESET: Hearers((A.SUBJECT,)),
    # A webhook endpoint turned off after failing for days (council.webhooks): its owner must know.
    "webhook.disabled": Hearers((A.OWNER,)),
    # … or because its owner may no longer hold it (their last token revoked, their organisation left).
    "webhook.access_lost": Hearers((A.OWNER,))}
# A commitment reported done waits for verification by its group's co-chairs and the secretaries.
VERIFICATION_HEARERS = Hearers((*OWNERS, A.CO_CHAIRS, A.SECRETARIES), Importance.MINOR)
VERIFICATION_WAITING = "reported_done"
# A progress report is everyday work: it is listed in the app (and the digests) of the same people as
# before, but e-mailed at once only to whom it concerns. A routine report: the commitment's owner (when
# someone else reported); "done": whoever may verify it; "blocked": the group's co-chairs.
REPORTED_DONE = Hearers(VERIFICATION_HEARERS.direct, Importance.MINOR, emailed=(A.VERIFIERS,))
REPORTED_BLOCKED = Hearers((*OWNERS, A.CO_CHAIRS), Importance.MINOR, emailed=(A.CO_CHAIRS,))
REPORTED_STATUS = {VERIFICATION_WAITING: REPORTED_DONE, "blocked": REPORTED_BLOCKED}
DRAFT_QUIET = {MeetingEvent.UPDATED, MeetingEvent.CANCELLED}


# Items that ask their reader for an action, by what they ask; the events that settle each request, and
# whether they settle it for everyone asked (True) or only for whoever acted (False).
REMINDERS = "report"  # the due and overdue reminders of a commitment ask its people to report
REMINDER_KINDS = ("reminder.commitment_due", "reminder.commitment_overdue")
SETTLES: dict[str, tuple[str, bool]] = {
    "minutes.approved": ("approve_minutes", False),
    "minutes.fully_approved": ("approve_minutes", True),
    "commitment.verified": ("verify", True),
    "commitment.sent_back": ("verify", True),
    "meeting.responded": ("respond", False),
    "meeting.cancelled": ("respond", True),
    "commitment.progress_reported": (REMINDERS, True),
}


def asked_action(event: Event) -> str | None:
    if event.kind == "minutes.approval_requested":
        return "approve_minutes"
    if event.kind == "commitment.status_changed" and event.payload.get("to") == VERIFICATION_WAITING:
        return "verify"
    if event.kind == "meeting.invited":
        return "respond"
    return None


def settled_by(event: Event) -> tuple[str, bool] | None:
    if event.kind == "commitment.status_changed" and event.payload.get("from") == VERIFICATION_WAITING:
        return ("verify", True)  # cancelled, or taken back, while waiting: nothing is left to verify
    if event.kind == "commitment.status_changed" and event.payload.get("to") in SETTLED_STATUSES:
        return (REMINDERS, True)
    return SETTLES.get(event.kind)


SETTLED_STATUSES = {"reported_done", "verified", "cancelled"}


def hearers_for(event: Event) -> Hearers | None:
    if event.kind == TrackerEvent.COMMITMENT_STATUS_CHANGED and event.payload.get("update_id"):
        # The status a progress report set (council.tracker.services.report_progress).
        return REPORTED_STATUS.get(str(event.payload.get("to")), REPORTED)
    if (event.kind == TrackerEvent.COMMITMENT_STATUS_CHANGED
            and event.payload.get("to") == VERIFICATION_WAITING):
        return VERIFICATION_HEARERS
    if event.kind == TrackerEvent.COMMITMENT_PROGRESS_REPORTED:
        # A report that changes the status is told by the status change that follows it, once.
        return None if _report_changes_status(event.payload) else REPORTED
    if event.kind in DRAFT_QUIET and not _meeting_was_published(event):
        return None
    return HEARERS.get(event.kind) or TRANSACTIONAL.get(event.kind)


def _meeting_was_published(event: Event) -> bool:
    """A draft's invitees were never told of it: neither its changes nor its cancelling concern them."""
    if event.kind == MeetingEvent.CANCELLED:
        return event.payload.get("from") != MeetingStatus.DRAFT
    status = db.session.scalar(select(Meeting.status).where(Meeting.id == event.subject_id))
    return status == MeetingStatus.AGENDA_PUBLISHED


def _report_changes_status(payload: dict[str, Any]) -> bool:
    update_id = payload.get("update_id")
    update = db.session.get(ProgressUpdate, update_id) if update_id is not None else None  # in the session
    return update is not None and update.to_status is not None


def _ids(values: Any) -> list[int]:
    if values is None:
        return []
    if isinstance(values, int):
        return [values]
    return [int(value) for value in values if value is not None]


def _people(audience: Audience, event: Event) -> set[int]:
    payload = event.payload or {}
    group_ids = _ids(payload.get("group_id"))
    if audience == Audience.OWNER:
        return set(_ids(payload.get("owner_id")))
    if audience == Audience.SUBJECT:
        return {event.subject_id} if event.subject_type == "user" else set()
    if audience == Audience.ORGANISATION:
        return _organisation_people(_ids(payload.get("organisation_id")))
    if audience == Audience.ADDRESSED:
        return set(_ids(payload.get("user_ids"))) | _organisation_people(
            _ids(payload.get("organisation_ids")))
    if audience == Audience.CO_CHAIRS:
        return group_people(group_ids, roles=(GroupRole.CO_CHAIR,))
    if audience == Audience.SECRETARIES:
        return _secretaries(event.council_id)
    if audience == Audience.VERIFIERS:
        return _secretaries(event.council_id) | _side_co_chairs(group_ids,
                                                                _ids(payload.get("organisation_id")))
    raise ValueError(audience)


def _secretaries(council_id: int | None) -> set[int]:
    return set(db.session.scalars(select(User.id).where(
        User.council_id == council_id, User.role == PlatformRole.SECRETARY, User.active.is_(True))))


def _side_co_chairs(group_ids: list[int], organisation_ids: list[int]) -> set[int]:
    """The co-chairs of these groups from the side (country) of these organisations."""
    if not group_ids or not organisation_ids:
        return set()
    co_chair_side = aliased(Organisation)
    side = select(Organisation.country_code).where(Organisation.id.in_(organisation_ids))
    return set(db.session.scalars(
        select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .join(co_chair_side, co_chair_side.id == User.organisation_id)
        .where(Membership.group_id.in_(group_ids), Membership.role == GroupRole.CO_CHAIR,
               User.active.is_(True), co_chair_side.country_code.in_(side))))


def _organisation_people(organisation_ids: list[int]) -> set[int]:
    if not organisation_ids:
        return set()
    return set(db.session.scalars(select(User.id).where(
        User.organisation_id.in_(organisation_ids), User.active.is_(True))))


def group_people(group_ids: Iterable[int], roles: Iterable[GroupRole] | None = None) -> set[int]:
    group_ids = list(group_ids)
    if not group_ids:
        return set()
    query = select(Membership.user_id).where(Membership.group_id.in_(group_ids))
    if roles is not None:
        query = query.where(Membership.role.in_(list(roles)))
    return set(db.session.scalars(query))


@dataclass(frozen=True)
class Recipients:
    """Who hears about one event: people addressed directly, and the group's other members; and who of
    them may be e-mailed at once (None: everyone by their choice)."""

    direct: set[int]
    group_members: set[int]
    importance: Importance | None
    emailed: set[int] | None = None


def recipients_of(event: Event, hearers: Hearers) -> Recipients:
    direct: set[int] = set()
    for audience in hearers.direct:
        direct |= _people(audience, event)
    if not direct:
        for audience in hearers.fallback:
            direct |= _people(audience, event)
    members: set[int] = set()
    if hearers.group is not None:
        members = group_people(_ids((event.payload or {}).get("group_id"))) - direct
        if hearers.spare_addressed:
            members -= _people(Audience.ADDRESSED, event)
    emailed: set[int] | None = None
    if hearers.emailed is not None:
        emailed = set()
        for audience in hearers.emailed:
            emailed |= _people(audience, event)
        direct |= emailed  # whoever is e-mailed about it also finds it in the app
    if event.actor_id is not None and event.kind not in TRANSACTIONAL:
        # Nobody needs to be told about what they just did themselves.
        direct.discard(event.actor_id)
        members.discard(event.actor_id)
        if emailed is not None:
            emailed.discard(event.actor_id)
    return Recipients(direct, members, hearers.group, emailed)


def _council_of_group(group_id: int | None) -> int | None:
    """Events whose subject has no council_id of its own (a commitment) belong to their group's."""
    if group_id is None:
        return None
    return db.session.scalar(select(WorkingGroup.council_id).where(WorkingGroup.id == group_id))


def group_and_council(event: Event) -> tuple[int | None, int | None]:
    """The working group an event is about, if any, and its council."""
    group_id = next(iter(_ids((event.payload or {}).get("group_id"))), None)
    return group_id, event.council_id or _council_of_group(group_id)
