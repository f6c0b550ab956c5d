"""Every change to the tracker: permission, transition, validation and event, in the caller's transaction.

Services take plain values and model objects (never `request`); they raise DomainError subclasses with a
clear message and the form field at fault. The caller commits, or rolls back on a DomainError, so nothing
is ever half-saved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from council import conflicts, events
from council.auth.permissions import require
from council.directory.models import Organisation, User, WorkingGroup
from council.errors import Conflict, Problems, ValidationFailed
from council.extensions import db
from council.i18n import Translations, clean_translations
from council.records import apply_changes, require_original_text
from council.timeutil import utcnow
from council.tracker import evidence as evidence_files
from council.tracker.models import (
    COMMITMENT_NEEDS_REASON,
    RECOMMENDATION_CLOSED,
    Commitment,
    CommitmentStatus,
    Evidence,
    EvidenceKind,
    Initiative,
    Priority,
    ProgressUpdate,
    Recommendation,
    RecommendationSource,
    RecommendationStatus,
    TrackerEvent,
)
from council.tracker.permissions import NewCommitment

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9./-]{0,58}[A-Z0-9]$")
MAX_NOTE = 4000


# Shared checks --------------------------------------------------------------------------------------


def _code(value: str, field: str = "code") -> str:
    code = (value or "").strip().upper()
    if not CODE_PATTERN.match(code):
        raise ValidationFailed(_("Use 2–60 capital Latin letters, digits, dots, slashes and hyphens, "
                                 "e.g. TRD-2026-004."), field=field)
    return code


def _unique_code(model: type[Any], council_id: int, code: str, record: Any = None) -> None:
    clash = db.session.scalar(select(model.id).where(model.council_id == council_id,
                                                     model.code == code))
    if clash is not None and (record is None or clash != record.id):
        raise Conflict(_("The code %(code)s is already used.", code=code), field="code")


def _enum(enum: type[Any], value: Any, field: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise ValidationFailed(_("Choose one of the listed values."), field=field) from None


def _in_council(record: Any, council_id: int, field: str, message: str) -> None:
    if record is None or record.council_id != council_id:
        raise ValidationFailed(message, field=field)


def _optional_text(value: str | None, limit: int, field: str) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationFailed(_("Use at most %(count)s characters.", count=limit), field=field)
    return value or None


def _reason(reason: str | None, needed: bool, field: str = "reason") -> str | None:
    reason = _optional_text(reason, MAX_NOTE, field)
    if needed and not reason:
        raise ValidationFailed(_("Give a reason."), field=field)
    return reason


# Record codes ---------------------------------------------------------------------------------------


def next_recommendation_code(group: WorkingGroup, year: int) -> str:
    """The group's next free recommendation code of the year: TRD-2026-004."""
    prefix = f"{group.code}-{year}-"
    taken = db.session.scalars(select(Recommendation.code).where(
        Recommendation.council_id == group.council_id, Recommendation.code.startswith(prefix)))
    numbers = [int(code[len(prefix):]) for code in taken if code[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def next_commitment_code(recommendation: Recommendation, country_code: str) -> str:
    """The next free commitment code of a side under a recommendation: TRD-2026-004-KZ2."""
    prefix = f"{recommendation.code}-{country_code}"
    taken = set(db.session.scalars(select(Commitment.code).where(
        Commitment.council_id == recommendation.council_id, Commitment.code.startswith(prefix))))
    number = 1
    while f"{prefix}{number}" in taken:
        number += 1
    return f"{prefix}{number}"


# Recommendations ------------------------------------------------------------------------------------


def _recommendation_values(council_id: int, record: Recommendation | None, *, code: str,
                           title: Translations, text: Translations, original_language: str,
                           source: Any, source_reference: str | None, priority: Any,
                           is_public: bool) -> dict[str, Any]:
    problems = Problems()
    code = problems.check(_code, code) or ""
    if code:
        problems.check(_unique_code, Recommendation, council_id, code, record)
    title = problems.check(require_original_text, title, original_language, "title") or {}
    values = dict(code=code, title=title, text=clean_translations(text),
                  original_language=original_language,
                  source=problems.check(_enum, RecommendationSource, source, "source"),
                  source_reference=problems.check(_optional_text, source_reference, 300,
                                                  "source_reference"),
                  priority=problems.check(_enum, Priority, priority, "priority"),
                  is_public=bool(is_public))
    problems.raise_any()
    return values


def create_recommendation(actor: User, group: WorkingGroup, *, code: str, title: Translations,
                          text: Translations, original_language: str, source: Any,
                          source_reference: str | None, priority: Any = Priority.MEDIUM,
                          is_public: bool = False) -> Recommendation:
    """Record a proposed recommendation for a working group (secretaries and its co-chairs)."""
    require(actor, "recommendation.manage", group)
    values = _recommendation_values(
        group.council_id, None, code=code, title=title, text=text,
        original_language=original_language, source=source, source_reference=source_reference,
        priority=priority, is_public=is_public)
    recommendation = Recommendation(council_id=group.council_id, group_id=group.id,
                                    status=RecommendationStatus.PROPOSED, created_by_id=actor.id,
                                    **values)
    db.session.add(recommendation)
    conflicts.flush()  # a code saved meanwhile by someone else is a Conflict, not a 500
    events.record(TrackerEvent.RECOMMENDATION_CREATED, recommendation, actor, group_id=group.id,
                  code=recommendation.code, title=recommendation.title,
                  to=RecommendationStatus.PROPOSED.value)
    return recommendation


def update_recommendation(actor: User, recommendation: Recommendation, *, code: str,
                          title: Translations, text: Translations, original_language: str,
                          source: Any, source_reference: str | None, priority: Any,
                          is_public: bool) -> Recommendation:
    """Change a recommendation's wording, source, priority or public flag (not its status)."""
    require(actor, "recommendation.manage", recommendation)
    values = _recommendation_values(
        recommendation.council_id, recommendation, code=code, title=title, text=text,
        original_language=original_language, source=source, source_reference=source_reference,
        priority=priority, is_public=is_public)
    changed = apply_changes(recommendation, values)
    conflicts.flush()
    if changed:
        events.record(TrackerEvent.RECOMMENDATION_UPDATED, recommendation, actor,
                      group_id=recommendation.group_id, code=recommendation.code,
                      title=recommendation.title, changes=changed)
    return recommendation


def change_recommendation_status(actor: User, recommendation: Recommendation, to: Any,
                                 reason: str | None = None) -> Recommendation:
    """proposed → adopted | rejected | withdrawn; adopted → implemented | superseded.

    Closing the record (anything but adopting it) needs a reason.
    """
    require(actor, "recommendation.manage", recommendation)
    target = _enum(RecommendationStatus, to, "status")
    if target not in recommendation.allowed_statuses():
        raise Conflict(_("A recommendation that is “%(current)s” cannot become “%(target)s”.",
                         current=recommendation.status.label, target=target.label), field="status")
    reason = _reason(reason, target in RECOMMENDATION_CLOSED)
    previous = recommendation.status
    recommendation.status = target
    recommendation.status_reason = reason
    recommendation.status_changed_at = utcnow()
    events.record(TrackerEvent.RECOMMENDATION_STATUS_CHANGED, recommendation, actor,
                  group_id=recommendation.group_id, code=recommendation.code,
                  title=recommendation.title, reason=reason,
                  **{"from": previous.value, "to": target.value})
    return recommendation


# Commitments ----------------------------------------------------------------------------------------


def _commitment_payload(commitment: Commitment, **extra: Any) -> dict[str, Any]:
    """What notifications need to find recipients from directory tables alone."""
    return dict(group_id=commitment.group_id, recommendation_id=commitment.recommendation_id,
                organisation_id=commitment.organisation_id, owner_id=commitment.owner_id,
                code=commitment.code, title=commitment.recommendation.title,
                description=commitment.description, progress=commitment.progress, **extra)


def _check_commitment(council_id: int, commitment: Commitment | None, *,
                      organisation: Organisation | None, owner: User | None,
                      description: Translations, original_language: str,
                      start_date: date | None, due_date: date | None,
                      counterpart: Commitment | None,
                      initiative: Initiative | None, problems: Problems | None = None) -> dict[str, Any]:
    """The commitment's values once every field is right; every wrong one is reported at once."""
    problems = problems if problems is not None else Problems()
    problems.check(_in_council, organisation, council_id, "organisation_id",
                   _("Choose the responsible organisation."))
    if owner is not None and organisation is not None and (
            owner.organisation_id != organisation.id or not owner.active):
        problems.add(_("The owner must be an active member of the responsible organisation."),
                     "owner_id")
    description = problems.check(require_original_text, description, original_language,
                                 "description") or {}
    if due_date is None:
        problems.add(_("Enter the due date."), "due_date")
    elif start_date is not None and due_date < start_date:
        problems.add(_("The due date cannot be before the start date."), "due_date")
    if counterpart is not None:
        if counterpart.council_id != council_id:
            problems.add(_("Choose a commitment of this council."), "counterpart_id")
        elif commitment is not None and counterpart.id == commitment.id:
            problems.add(_("A commitment cannot be its own counterpart."), "counterpart_id")
        elif organisation is not None and \
                counterpart.organisation.country_code == organisation.country_code:
            problems.add(_("The counterpart commitment must be on the other side of the border."),
                         "counterpart_id")
    if initiative is not None:
        problems.check(_in_council, initiative, council_id, "initiative_id",
                       _("Choose an initiative of this council."))
    problems.raise_any()
    assert organisation is not None  # noqa: S101  checked above; narrows the type
    return dict(organisation_id=organisation.id, owner_id=owner.id if owner else None,
                description=description, original_language=original_language,
                start_date=start_date, due_date=due_date,
                counterpart_id=counterpart.id if counterpart else None,
                initiative_id=initiative.id if initiative else None)


def _require_side(actor: User, recommendation: Recommendation, organisation: Organisation | None) -> None:
    """Parity: the organisation must be of a side the actor may take commitments on for (an
    organisation of another council is left to the field check)."""
    if organisation is not None and organisation.council_id == recommendation.council_id:
        require(actor, "commitment.create", NewCommitment(recommendation, organisation))


def _pair(commitment: Commitment, counterpart: Commitment | None) -> None:
    """Counterparts point at each other, unless the other side is already paired elsewhere."""
    if counterpart is not None and counterpart.counterpart_id is None:
        counterpart.counterpart_id = commitment.id


def create_commitment(actor: User, recommendation: Recommendation, *, organisation: Organisation | None,
                      owner: User | None, description: Translations, original_language: str,
                      start_date: date | None, due_date: date | None,
                      counterpart: Commitment | None = None, initiative: Initiative | None = None,
                      code: str | None = None) -> Commitment:
    """An organisation's commitment under an adopted recommendation (parity: a co-chair takes it on
    for an organisation of their own country only; council.tracker.permissions)."""
    require(actor, "commitment.manage", recommendation)
    if recommendation.status != RecommendationStatus.ADOPTED:
        raise Conflict(_("Commitments can be made only under an adopted recommendation."))
    _require_side(actor, recommendation, organisation)
    problems = Problems()
    if code:
        code = problems.check(_code, code)
        if code:
            problems.check(_unique_code, Commitment, recommendation.council_id, code)
    values = _check_commitment(
        recommendation.council_id, None, organisation=organisation, owner=owner,
        description=description, original_language=original_language, start_date=start_date,
        due_date=due_date, counterpart=counterpart, initiative=initiative, problems=problems)
    assert organisation is not None  # noqa: S101  checked by _check_commitment; narrows the type
    code = code or next_commitment_code(recommendation, organisation.country_code)
    commitment = Commitment(council_id=recommendation.council_id, code=code,
                            recommendation=recommendation, group_id=recommendation.group_id,
                            progress=0, status=CommitmentStatus.PLANNED, **values)
    db.session.add(commitment)
    conflicts.flush()
    _pair(commitment, counterpart)
    events.record(TrackerEvent.COMMITMENT_CREATED, commitment, actor, **_commitment_payload(
        commitment, due_date=commitment.due_date.isoformat(), to=CommitmentStatus.PLANNED.value))
    return commitment


def update_commitment(actor: User, commitment: Commitment, *, organisation: Organisation | None,
                      owner: User | None, description: Translations, original_language: str,
                      start_date: date | None, due_date: date | None,
                      counterpart: Commitment | None = None,
                      initiative: Initiative | None = None) -> Commitment:
    """Change who, what and when. Owner and due date changes are events of their own.

    A closed commitment refuses any change, but the same values again (an exported file imported back)
    are accepted as no change."""
    require(actor, "commitment.manage", commitment)
    if not commitment.is_open:
        changed_field = _first_change(commitment, dict(
            organisation_id=organisation.id if organisation else None,
            owner_id=owner.id if owner else None, description=clean_translations(description),
            original_language=original_language, start_date=start_date, due_date=due_date,
            counterpart_id=counterpart.id if counterpart else None,
            initiative_id=initiative.id if initiative else None))
        if changed_field is None:
            return commitment
        raise Conflict(_("This commitment is closed (verified or cancelled)."), field=changed_field)
    if organisation is not None and organisation.id != commitment.organisation_id:
        _require_side(actor, commitment.recommendation, organisation)  # moving it is making it anew
    values = _check_commitment(
        commitment.council_id, commitment, organisation=organisation, owner=owner,
        description=description, original_language=original_language, start_date=start_date,
        due_date=due_date, counterpart=counterpart, initiative=initiative)
    old_owner, old_due = commitment.owner_id, commitment.due_date
    changed = apply_changes(commitment, values)
    _pair(commitment, counterpart)
    if "owner_id" in changed:
        events.record(TrackerEvent.COMMITMENT_OWNER_CHANGED, commitment, actor, **_commitment_payload(
            commitment, previous_owner_id=old_owner, **{"from": old_owner, "to": commitment.owner_id}))
    if "due_date" in changed:
        events.record(TrackerEvent.COMMITMENT_DUE_CHANGED, commitment, actor, **_commitment_payload(
            commitment, **{"from": old_due.isoformat(), "to": commitment.due_date.isoformat()}))
    others = {key: value for key, value in changed.items() if key not in ("owner_id", "due_date")}
    if others:
        events.record(TrackerEvent.COMMITMENT_UPDATED, commitment, actor,
                      **_commitment_payload(commitment, changes=others))
    return commitment


def _first_change(record: Any, values: dict[str, Any]) -> str | None:
    return next((key for key, value in values.items() if getattr(record, key) != value), None)


def _set_status(actor: User, commitment: Commitment, target: CommitmentStatus,
                reason: str | None, kind: TrackerEvent = TrackerEvent.COMMITMENT_STATUS_CHANGED,
                **extra: Any) -> None:
    previous = commitment.status
    commitment.status = target
    commitment.status_reason = reason
    commitment.status_changed_at = utcnow()
    if target in (CommitmentStatus.REPORTED_DONE, CommitmentStatus.VERIFIED):
        commitment.progress = 100
    events.record(kind, commitment, actor, **_commitment_payload(
        commitment, reason=reason, **extra, **{"from": previous.value, "to": target.value}))


def _check_transition(commitment: Commitment, target: CommitmentStatus) -> None:
    if target not in commitment.allowed_statuses():
        raise Conflict(_("A commitment that is “%(current)s” cannot become “%(target)s”.",
                         current=commitment.status.label, target=target.label), field="status")


def _progress_value(value: Any) -> int:
    """A whole percent from 0 to 100, given as a number or as the text of one."""
    if isinstance(value, int) and not isinstance(value, bool):
        number: int | None = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        number = None
    if number is None or not 0 <= number <= 100:
        raise ValidationFailed(_("Progress is a whole number from 0 to 100."), field="progress")
    return number


# What a reporter (the owner or their organisation's members) may set with a report.
REPORTED_STATUSES = frozenset({CommitmentStatus.IN_PROGRESS, CommitmentStatus.REPORTED_DONE,
                               CommitmentStatus.BLOCKED})


def report_progress(actor: User, commitment: Commitment, *, progress: Any,
                    status: Any = None, note: str | None = "",
                    files: Sequence[evidence_files.Upload] = (),
                    links: Iterable[str] = ()) -> ProgressUpdate:
    """A progress report: percent, optionally a status change, a note, and evidence (files, links).

    Reporting done sets progress to 100 and waits for a co-chair or secretary to verify; blocking
    needs the note as its reason. A first report above 0 % on a planned commitment starts it.
    """
    require(actor, "commitment.report", commitment)
    if not commitment.is_open:
        raise Conflict(_("This commitment is closed (verified or cancelled)."))
    percent = _progress_value(progress)
    requested = _enum(CommitmentStatus, status, "status") if status not in (None, "") else None
    target = None if requested == commitment.status else requested
    if target is not None:
        if target not in REPORTED_STATUSES or (commitment.status == CommitmentStatus.REPORTED_DONE
                                               and target == CommitmentStatus.IN_PROGRESS):
            raise Conflict(_("A commitment that is “%(current)s” cannot become “%(target)s”.",
                             current=commitment.status.label, target=target.label), field="status")
        _check_transition(commitment, target)
    if target == CommitmentStatus.REPORTED_DONE:
        percent = 100
    elif commitment.status == CommitmentStatus.REPORTED_DONE and target is None and percent != 100:
        raise Conflict(_("This commitment is waiting for verification; a co-chair or secretary can "
                         "send it back."), field="progress")
    if target is None and commitment.status == CommitmentStatus.PLANNED and percent > 0:
        target = CommitmentStatus.IN_PROGRESS
    # A report that says "blocked" says why, also when the commitment was blocked already.
    text = _reason(note, requested == CommitmentStatus.BLOCKED, field="note") or ""
    checked_links = [evidence_files.check_link(link) for link in links if link and link.strip()]
    uploads = [upload for upload in files if upload is not None and upload.filename]
    if percent == commitment.progress and target is None and not text and not checked_links \
            and not uploads:
        raise ValidationFailed(_("Nothing to report: change the progress, add a note or evidence."),
                               field="progress")

    update = ProgressUpdate(commitment=commitment, author_id=actor.id, progress=percent,
                            previous_progress=commitment.progress, from_status=commitment.status,
                            to_status=target, note=text, created_at=utcnow())
    db.session.add(update)
    for url in checked_links:
        update.evidence.append(Evidence(commitment_id=commitment.id, kind=EvidenceKind.LINK, url=url))
    _attach_files(update, commitment, uploads)
    commitment.progress = percent
    commitment.last_reported_at = update.created_at
    conflicts.flush()
    events.record(TrackerEvent.COMMITMENT_PROGRESS_REPORTED, commitment, actor, **_commitment_payload(
        commitment, previous_progress=update.previous_progress, update_id=update.id,
        note=text[:300], evidence=len(checked_links) + len(uploads)))  # all of them, or an error above
    if target is not None:
        # The report's id tells notifications that this status change is a report's (who hears of it).
        _set_status(actor, commitment, target,
                    text if target == CommitmentStatus.BLOCKED else None, update_id=update.id)
    return update


def _attach_files(update: ProgressUpdate, commitment: Commitment,
                  uploads: Sequence[evidence_files.Upload]) -> None:
    """Store every file or none: a refused file removes those already written by this report."""
    written: list[str] = []
    try:
        for upload in uploads:
            stored = evidence_files.store(upload, commitment.id)
            written.append(stored.stored_name)
            update.evidence.append(Evidence(
                commitment_id=commitment.id, kind=EvidenceKind.FILE, filename=stored.filename,
                stored_name=stored.stored_name, content_type=stored.content_type, size=stored.size,
                sha256=stored.sha256))
    except Exception:
        evidence_files.remove(written)
        raise


def verify_commitment(actor: User, commitment: Commitment, comment: str | None = None) -> Commitment:
    """A co-chair or secretary accepts a commitment reported done."""
    require(actor, "commitment.verify", commitment)
    _check_transition(commitment, CommitmentStatus.VERIFIED)
    comment = _optional_text(comment, MAX_NOTE, "comment")
    commitment.verified_at = utcnow()
    commitment.verified_by_id = actor.id
    _set_status(actor, commitment, CommitmentStatus.VERIFIED, comment, kind=TrackerEvent.COMMITMENT_VERIFIED,
                comment=comment)
    return commitment


def send_back(actor: User, commitment: Commitment, comment: str | None) -> Commitment:
    """A co-chair or secretary returns a report of done to in progress, saying why."""
    require(actor, "commitment.verify", commitment)
    if commitment.status != CommitmentStatus.REPORTED_DONE:
        raise Conflict(_("Only a commitment reported done can be sent back."), field="status")
    comment = _reason(comment, True, field="comment")
    _set_status(actor, commitment, CommitmentStatus.IN_PROGRESS, comment,
                kind=TrackerEvent.COMMITMENT_SENT_BACK, comment=comment)
    return commitment


def change_commitment_status(actor: User, commitment: Commitment, to: Any,
                             reason: str | None = None) -> Commitment:
    """Any allowed move. Verifying and sending back need a verifier, cancelling a manager, the rest a
    reporter; blocking and cancelling need a reason."""
    target = _enum(CommitmentStatus, to, "status")
    if target == CommitmentStatus.VERIFIED:
        return verify_commitment(actor, commitment, reason)
    if commitment.status == CommitmentStatus.REPORTED_DONE and target == CommitmentStatus.IN_PROGRESS:
        return send_back(actor, commitment, reason)
    require(actor, "commitment.manage" if target == CommitmentStatus.CANCELLED
            else "commitment.report", commitment)
    _check_transition(commitment, target)
    _set_status(actor, commitment, target, _reason(reason, target in COMMITMENT_NEEDS_REASON))
    return commitment
