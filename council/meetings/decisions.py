"""Decisions recorded in a meeting's minutes, and the recommendations and commitments they create."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from council import conflicts
from council.auth.permissions import require
from council.directory.models import (
    Organisation,
    User,
    WorkingGroup,
)
from council.errors import Conflict, DomainError, ValidationFailed
from council.extensions import db
from council.i18n import Translations, clean_translations
from council.meetings.agenda import meeting_date
from council.meetings.minutes import draft_revision
from council.meetings.models import (
    AgendaItem,
    Decision,
    Meeting,
    MeetingEvent,
)
from council.meetings.services import record_event
from council.meetings.wording import about
from council.records import require_original_text
from council.timeutil import utcnow
from council.tracker import services as tracker
from council.tracker.models import (
    Commitment,
    Priority,
    Recommendation,
    RecommendationSource,
    RecommendationStatus,
)


@dataclass
class CommitmentDraft:
    """One commitment a decision creates: who, by when, and (by default) the decision's words."""

    organisation_id: int | None
    owner_id: int | None = None
    due_date: date | None = None
    description: Translations | None = None


@dataclass
class DecisionDetails:
    text: Translations
    original_language: str
    agenda_item_id: int | None = None
    # What the decision creates in the tracker, in the same transaction.
    create_recommendation: bool = False
    recommendation_group_id: int | None = None
    recommendation_title: Translations | None = None
    recommendation_priority: str = Priority.MEDIUM.value
    adopt_recommendation: bool = True
    commitment_recommendation_id: int | None = None
    commitments: tuple[CommitmentDraft, ...] = ()


def _check_decision(meeting: Meeting, details: DecisionDetails) -> Translations:
    text = require_original_text(details.text, details.original_language, "text")
    if details.agenda_item_id is not None:
        item = db.session.get(AgendaItem, details.agenda_item_id)
        if item is None or item.meeting_id != meeting.id:
            raise ValidationFailed(about(meeting, "Choose an item of this meeting's agenda."),
                                   field="agenda_item_id")
    return text


def add_decision(actor: User, meeting: Meeting, details: DecisionDetails) -> Decision:
    """Record a decision; it may create a recommendation and commitments in the tracker, linked back here.

    Everything happens in the caller's transaction: if any commitment is refused, nothing is kept.
    """
    require(actor, "minutes.write", meeting)
    revision = draft_revision(meeting)
    text = _check_decision(meeting, details)
    number = max((d.number for d in meeting.decisions), default=0) + 1
    decision = Decision(number=number, text=text, original_language=details.original_language,
                        agenda_item_id=details.agenda_item_id, created_by_id=actor.id,
                        created_at=utcnow())
    reference = f"{meeting.reference}/{number}"
    recommendation = None
    if details.create_recommendation:
        recommendation = _create_recommendation(actor, meeting, details, text, reference)
        decision.recommendation_id = recommendation.id
    if any(draft.organisation_id is not None for draft in details.commitments):
        target = recommendation or _commitment_recommendation(meeting, details.commitment_recommendation_id)
        decision.commitments = [_create_commitment(actor, meeting, target, draft, index, details, text)
                                for index, draft in enumerate(details.commitments)
                                if draft.organisation_id is not None]
    meeting.decisions.append(decision)
    conflicts.flush()
    record_event(MeetingEvent.DECISION_RECORDED, meeting, actor, decision_id=decision.id, number=number,
                 revision=revision.number, recommendation_id=decision.recommendation_id,
                 commitment_ids=[c.id for c in decision.commitments])
    return decision


def _create_recommendation(actor: User, meeting: Meeting, details: DecisionDetails, text: Translations,
                           reference: str) -> Recommendation:
    group = meeting.group
    if group is None and details.recommendation_group_id is not None:
        group = db.session.get(WorkingGroup, details.recommendation_group_id)
    if group is None or group.council_id != meeting.council_id:
        raise ValidationFailed(_("Choose the working group the recommendation is for."),
                               field="recommendation_group_id")
    title = clean_translations(details.recommendation_title) or text
    source = RecommendationSource.COUNCIL_SESSION if meeting.is_council_session \
        else RecommendationSource.GROUP_MEETING
    try:
        code = tracker.next_recommendation_code(group, meeting_date(meeting).year)
        recommendation = tracker.create_recommendation(
            actor, group, code=code, title=title, text=text, original_language=details.original_language,
            source=source, source_reference=reference, priority=details.recommendation_priority)
        if details.adopt_recommendation:
            tracker.change_recommendation_status(actor, recommendation, RecommendationStatus.ADOPTED)
    except DomainError as error:
        raise _moved(error, "recommendation_") from error
    conflicts.flush()
    return recommendation


def _commitment_recommendation(meeting: Meeting, recommendation_id: int | None) -> Recommendation:
    recommendation = db.session.get(Recommendation, recommendation_id) if recommendation_id else None
    if recommendation is None or recommendation.council_id != meeting.council_id:
        raise ValidationFailed(_("Choose the recommendation the commitments answer."),
                               field="commitment_recommendation_id")
    return recommendation


def _create_commitment(actor: User, meeting: Meeting, recommendation: Recommendation,
                       draft: CommitmentDraft, index: int, details: DecisionDetails,
                       text: Translations) -> Commitment:
    organisation = db.session.get(Organisation, draft.organisation_id)
    owner = db.session.get(User, draft.owner_id) if draft.owner_id is not None else None
    description = clean_translations(draft.description)
    language = details.original_language
    if description:
        language = language if description.get(language) else next(iter(description))
    try:
        if owner is not None and owner.council_id != meeting.council_id:
            raise ValidationFailed(_("Choose people of this council."), field="owner_id")
        return tracker.create_commitment(
            actor, recommendation, organisation=organisation, owner=owner, description=description or text,
            original_language=language, start_date=meeting_date(meeting), due_date=draft.due_date)
    except DomainError as error:
        raise _moved(error, f"commitments-{index}-") from error


def _moved(error: DomainError, prefix: str) -> DomainError:
    """The tracker's refusal, pointed at the decision form's own field."""
    return type(error)(error.message, field=f"{prefix}{error.field}" if error.field else None)


def update_decision(actor: User, decision: Decision, details: DecisionDetails) -> Decision:
    meeting = decision.meeting
    require(actor, "minutes.write", meeting)
    revision = draft_revision(meeting)
    decision.text = _check_decision(meeting, details)
    decision.original_language = details.original_language
    decision.agenda_item_id = details.agenda_item_id
    record_event(MeetingEvent.DECISION_UPDATED, meeting, actor, decision_id=decision.id,
                 number=decision.number, revision=revision.number)
    return decision


def remove_decision(actor: User, decision: Decision) -> None:
    meeting = decision.meeting
    require(actor, "minutes.write", meeting)
    revision = draft_revision(meeting)
    if decision.created_in_tracker:
        raise Conflict(_("This decision created records in the tracker and cannot be removed; "
                         "withdraw or cancel them there."))
    record_event(MeetingEvent.DECISION_REMOVED, meeting, actor, decision_id=decision.id,
                 number=decision.number, revision=revision.number)
    meeting.decisions.remove(decision)
