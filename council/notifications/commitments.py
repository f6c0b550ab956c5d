"""What notifications know about the tracker: the reminders of commitments (home puts the reader's
commitments at the top of their digest).

Dates are the council's (Asia/Aqtau, UTC+5, like Ashgabat), the same day the tracker uses to call a
commitment overdue. Each reminder fires once per window, so a run missed by beat (or a machine down for a
day) sends it on the next run instead of never:
- due soon: once when 2 to 7 days are left, once when 1 or 0 days are left;
- overdue: once in each week of lateness (days 1–7, 8–14, …);
- escalation to the group's co-chairs: once, from 14 days of lateness.
The keys carry the due date, so moving a commitment's due date arms its reminders again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from council.directory.models import GroupRole, Membership, Organisation, User
from council.extensions import db
from council.notifications.models import ReminderKind
from council.notifications.reminders import Reminder, reminder_source
from council.timeutil import council_today
from council.tracker.models import (
    COMMITMENT_PENDING,
    Commitment,
    Recommendation,
)

DUE_SOON_DAYS = 14
ESCALATION_DAYS = 14
REMINDER_BATCH = 500


# Reminders ----------------------------------------------------------------------------------------


def _reminder(commitment: Commitment, kind: ReminderKind, key: str, recipients: set[int],
              days: int) -> Reminder:
    return Reminder(kind=kind, council_id=commitment.council_id, recipient_ids=frozenset(recipients),
                    key=f"commitment:{commitment.id}:{key}:{commitment.due_date.isoformat()}",
                    group_id=commitment.group_id,
                    payload={"subject_type": "commitment", "subject_id": commitment.id,
                             "code": commitment.code, "title": commitment.recommendation.title,
                             "description": commitment.description,
                             "due_date": commitment.due_date.isoformat(), "days": days,
                             "organisation": commitment.organisation.name})


def _responsible(commitment: Commitment) -> set[int]:
    """The owner; without one (or if they left), the active people of the responsible organisation."""
    if commitment.owner_id is not None and db.session.scalar(
            select(User.active).where(User.id == commitment.owner_id)):
        return {commitment.owner_id}
    return set(db.session.scalars(select(User.id).where(
        User.organisation_id == commitment.organisation_id, User.active.is_(True))))


def _co_chairs(group_id: int) -> set[int]:
    return set(db.session.scalars(select(Membership.user_id).where(
        Membership.group_id == group_id, Membership.role == GroupRole.CO_CHAIR)))


def reminders_for(commitment: Commitment, today: date) -> Iterator[Reminder]:
    days_left = (commitment.due_date - today).days
    if 2 <= days_left <= 7:
        yield _reminder(commitment, ReminderKind.COMMITMENT_DUE, "due-7", _responsible(commitment), days_left)
    elif 0 <= days_left <= 1:
        yield _reminder(commitment, ReminderKind.COMMITMENT_DUE, "due-1", _responsible(commitment), days_left)
    elif days_left < 0:
        late = -days_left
        week = (late - 1) // 7
        yield _reminder(commitment, ReminderKind.COMMITMENT_OVERDUE, f"overdue-w{week}",
                        _responsible(commitment), late)
        if late >= ESCALATION_DAYS:
            yield _reminder(commitment, ReminderKind.COMMITMENT_ESCALATION, "escalation",
                            _co_chairs(commitment.group_id), late)


@reminder_source
def commitment_reminders(at: datetime) -> Iterator[Reminder]:
    """Every unfinished commitment due within a week or overdue, streamed by id in batches."""
    today = council_today(at)
    last_id = 0
    while True:
        batch = list(db.session.scalars(
            select(Commitment)
            .where(Commitment.status.in_(COMMITMENT_PENDING),
                   Commitment.due_date <= today + timedelta(days=7), Commitment.id > last_id)
            .options(selectinload(Commitment.recommendation).load_only(Recommendation.title),
                     selectinload(Commitment.organisation).load_only(Organisation.name))
            .order_by(Commitment.id).limit(REMINDER_BATCH)))
        if not batch:
            return
        last_id = batch[-1].id
        # Worked out before any is written: writing commits, and memory stays one batch wide.
        reminders = [reminder for commitment in batch for reminder in reminders_for(commitment, today)]
        yield from reminders
