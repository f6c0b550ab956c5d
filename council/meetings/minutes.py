"""Minutes: drafting, publishing, the co-chairs' approval, translations' approval and revisions."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from council import conflicts
from council.auth.permissions import require
from council.directory.models import (
    Country,
    GroupRole,
    Membership,
    User,
)
from council.directory.services import council_sides
from council.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from council.extensions import db
from council.i18n import LANGUAGES, Translations, clean_translations, plain_localized
from council.meetings.models import (
    GENERAL_NOTES,
    REVISION_TRANSITIONS,
    Decision,
    Meeting,
    MeetingEvent,
    MeetingStatus,
    MinutesApproval,
    MinutesLanguageApproval,
    MinutesRevision,
    RevisionStatus,
    decision_commitment,
)
from council.meetings.permissions import is_chair
from council.meetings.services import _transition, record_event
from council.meetings.wording import about
from council.timeutil import utcnow
from council.tracker.models import (
    Commitment,
)


def draft_revision(meeting: Meeting) -> MinutesRevision:
    """The revision that may still change, or a clear refusal."""
    if meeting.status == MeetingStatus.MINUTES_APPROVED:
        raise Conflict(_("The minutes are approved and read-only. Start an amendment to change them."))
    if meeting.status != MeetingStatus.HELD or meeting.minutes is None:
        raise Conflict(about(meeting, "Minutes are written once the meeting has been held."))
    revision = meeting.minutes.current
    if revision.status != RevisionStatus.DRAFT:
        raise Conflict(_("This revision is awaiting approval. Start a new revision to change it."))
    return revision


def _revision_to(revision: MinutesRevision, target: RevisionStatus) -> None:
    if target not in REVISION_TRANSITIONS[revision.status]:
        raise Conflict(_("This revision is “%(status)s” and cannot become “%(target)s”.",
                         status=revision.status.label, target=target.label))
    revision.status = target


def save_minutes(actor: User, meeting: Meeting, *, original_language: str,
                 notes: dict[str, Translations]) -> MinutesRevision:
    """Notes per agenda item (and general notes) of the draft revision."""
    require(actor, "minutes.write", meeting)
    revision = draft_revision(meeting)
    if original_language not in LANGUAGES:
        raise ValidationFailed(_("Choose the original language."), field="original_language")
    allowed = {GENERAL_NOTES, *(str(item.id) for item in meeting.agenda_items)}
    cleaned: dict[str, Translations] = {}
    for key, texts in notes.items():
        if str(key) not in allowed:
            raise ValidationFailed(about(meeting, "Choose an item of this meeting's agenda."))
        texts = clean_translations(texts)
        if texts:
            cleaned[str(key)] = texts
    changed = cleaned != (revision.notes or {}) or original_language != revision.original_language
    revision.notes = cleaned
    revision.original_language = original_language
    if changed:
        record_event(MeetingEvent.MINUTES_EDITED, meeting, actor, revision=revision.number)
    return revision


def _decision_snapshot(meeting: Meeting) -> list[dict[str, Any]]:
    return [{"number": d.number, "text": d.text, "original_language": d.original_language,
             "agenda_item_id": d.agenda_item_id, "recommendation_id": d.recommendation_id,
             "recommendation_code": d.recommendation.code if d.recommendation else None,
             "commitment_codes": [c.code for c in d.commitments]} for d in meeting.decisions]


def created_commitments(meeting: Meeting) -> list[Commitment]:
    """The commitments the meeting's decisions created in the tracker."""
    return list(db.session.scalars(
        select(Commitment).join(decision_commitment, decision_commitment.c.commitment_id == Commitment.id)
        .join(Decision, Decision.id == decision_commitment.c.decision_id)
        .where(Decision.meeting_id == meeting.id)
        .options(selectinload(Commitment.organisation), selectinload(Commitment.owner))
        .order_by(Commitment.code)))


def chair_ids(meeting: Meeting) -> list[int]:
    if meeting.group_id is None:
        return [c.id for c in meeting.session_chairs]
    return list(db.session.scalars(select(Membership.user_id).where(
        Membership.group_id == meeting.group_id, Membership.role == GroupRole.CO_CHAIR)))


def publish_minutes(actor: User, meeting: Meeting) -> MinutesRevision:
    """Freeze the draft and ask both co-chairs to approve it."""
    require(actor, "minutes.write", meeting)
    revision = draft_revision(meeting)
    if not revision.notes and not meeting.decisions:
        raise ValidationFailed(_("Write the minutes before sending them for approval."))
    _revision_to(revision, RevisionStatus.PUBLISHED)
    revision.published_at = utcnow()
    revision.decisions_snapshot = _decision_snapshot(meeting)
    record_event(MeetingEvent.MINUTES_PUBLISHED, meeting, actor, invitees=True, revision=revision.number)
    record_event(MeetingEvent.MINUTES_APPROVAL_REQUESTED, meeting, actor, revision=revision.number,
                 user_ids=chair_ids(meeting))
    return revision


def approve_minutes(actor: User, meeting: Meeting) -> MinutesApproval:
    """One co-chair's approval; once every side of the council has approved, the minutes are final."""
    require(actor, "minutes.approve", meeting)
    if meeting.minutes is None:
        raise Conflict(about(meeting, "Minutes are written once the meeting has been held."))
    revision = meeting.minutes.current
    if any(a.user_id == actor.id for a in revision.approvals):
        raise Conflict(_("You have already approved this revision."))
    if revision.status == RevisionStatus.APPROVED:
        raise Conflict(_("These minutes are already approved."))
    if revision.status != RevisionStatus.PUBLISHED:
        raise Conflict(_("These minutes have not been sent for approval yet."))
    country = actor.country_code
    if country is None:
        raise NotAllowed(about(meeting, "Only the co-chairs of the meeting approve its minutes."))
    if any(a.country_code == country for a in revision.approvals):
        raise Conflict(_("The co-chair from %(country)s has already approved this revision.",
                         country=country_name(country)))
    approval = MinutesApproval(user_id=actor.id, country_code=country, approved_at=utcnow())
    revision.approvals.append(approval)
    # What this co-chair approved: the languages the revision has now (a translation added later is
    # approved on its own).
    for language in revision.languages:
        revision.language_approvals.append(MinutesLanguageApproval(
            language=language, country_code=country, user_id=actor.id, approved_at=approval.approved_at))
    conflicts.flush()
    record_event(MeetingEvent.MINUTES_APPROVED, meeting, actor, revision=revision.number, user_id=actor.id,
                 country=country)
    sides = set(council_sides(meeting.council_id))
    if sides <= {a.country_code for a in revision.approvals}:
        _revision_to(revision, RevisionStatus.APPROVED)
        revision.approved_at = utcnow()
        _transition(meeting, MeetingStatus.MINUTES_APPROVED)
        record_event(MeetingEvent.MINUTES_FULLY_APPROVED, meeting, actor, invitees=True,
                     revision=revision.number)
    return approval


def approve_translation(actor: User, meeting: Meeting, language: str) -> MinutesLanguageApproval:
    """A co-chair approves a translation added to minutes after their side approved them. Until every
    side has, the translation is shown as not yet approved and the portal leaves it out."""
    if not actor.active or actor.council_id != meeting.council_id or not is_chair(actor, meeting):
        raise NotAllowed(_("Only the co-chairs of the meeting approve its minutes and their translations."))
    if meeting.minutes is None:
        raise Conflict(about(meeting, "Minutes are written once the meeting has been held."))
    revision = meeting.minutes.current
    country = actor.country_code
    if country is None:
        raise NotAllowed(_("Only the co-chairs of the meeting approve its minutes and their translations."))
    if revision.status not in (RevisionStatus.PUBLISHED, RevisionStatus.APPROVED) \
            or not any(a.country_code == country for a in revision.approvals):
        raise Conflict(_("Approve the minutes themselves first: that approves every language they "
                         "have."), field="language")
    if language not in revision.languages:
        raise ValidationFailed(_("The minutes have no text in this language."), field="language")
    if any(row.language == language and row.country_code == country for row in revision.language_approvals):
        raise Conflict(_("The co-chair from %(country)s has already approved this language.",
                         country=country_name(country)), field="language")
    row = MinutesLanguageApproval(language=language, country_code=country, user_id=actor.id,
                                  approved_at=utcnow())
    revision.language_approvals.append(row)
    conflicts.flush()
    record_event(MeetingEvent.MINUTES_TRANSLATION_APPROVED, meeting, actor, revision=revision.number,
                 language=language, country=country)
    if language in revision.approved_languages:
        record_event(MeetingEvent.MINUTES_TRANSLATION_FULLY_APPROVED, meeting, actor,
                     revision=revision.number, language=language)
    return row


def country_name(code: str) -> str:
    country = db.session.get(Country, code)
    return plain_localized(country.name) if country is not None else code


def start_revision(actor: User, meeting: Meeting, reason: str) -> MinutesRevision:
    """Change published or approved minutes: a new draft revision that both co-chairs approve again."""
    require(actor, "minutes.write", meeting)
    current = require_revisable(meeting)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say what the new revision changes."), field="reason")
    amended = current.status == RevisionStatus.APPROVED
    _revision_to(current, RevisionStatus.SUPERSEDED)
    if amended:
        _transition(meeting, MeetingStatus.HELD)
    revision = MinutesRevision(number=current.number + 1, original_language=current.original_language,
                               notes=dict(current.notes or {}), reason=reason, created_by_id=actor.id,
                               created_at=utcnow())
    current.minutes.revisions.append(revision)
    conflicts.flush()
    record_event(MeetingEvent.MINUTES_REVISION_STARTED, meeting, actor, revision=revision.number,
                 reason=reason, amendment=amended)
    return revision


def require_revisable(meeting: Meeting) -> MinutesRevision:
    """The published or approved revision a new one would replace; else a 409."""
    if meeting.minutes is None or meeting.status not in (MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED):
        raise Conflict(about(meeting, "Minutes are written once the meeting has been held."))
    current = meeting.minutes.current
    if current.status == RevisionStatus.DRAFT:
        raise Conflict(_("The current revision is still a draft: edit it."))
    return current


def revision_of(meeting: Meeting, number: int) -> MinutesRevision:
    if meeting.minutes is None:
        raise NotFound(_("There is nothing at this address."))
    for revision in meeting.minutes.revisions:
        if revision.number == number:
            return revision
    raise NotFound(_("There is nothing at this address."))


def approval_notice(meeting: Meeting) -> str:
    """What a co-chair is told after approving: final, or still waiting for the other side."""
    if meeting.status == MeetingStatus.MINUTES_APPROVED:
        return _("Both co-chairs have approved: the minutes are final.")
    return _("Your approval is recorded. The other co-chair's approval is still needed.")
