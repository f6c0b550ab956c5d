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
from dataclasses import dataclass
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


@dataclass(frozen=True)
class People:
    """Who hears about a batch of commitments, read once per batch: the owners still active, the active
    people of each organisation, the co-chairs of each group."""

    active_owners: set[int]
    by_organisation: dict[int | None, set[int]]
    co_chairs: dict[int, set[int]]

    @classmethod
    def of(cls, batch: list[Commitment]) -> People:
        owners = sorted({c.owner_id for c in batch if c.owner_id is not None})
        unowned = sorted({c.organisation_id for c in batch})
        groups = sorted({c.group_id for c in batch})
        by_organisation: dict[int | None, set[int]] = {}
        for user_id, organisation_id in db.session.execute(select(User.id, User.organisation_id).where(
                User.organisation_id.in_(unowned), User.active.is_(True))):
            by_organisation.setdefault(organisation_id, set()).add(user_id)
        co_chairs: dict[int, set[int]] = {}
        for user_id, group_id in db.session.execute(select(Membership.user_id, Membership.group_id).where(
                Membership.group_id.in_(groups), Membership.role == GroupRole.CO_CHAIR)):
            co_chairs.setdefault(group_id, set()).add(user_id)
        active = set(db.session.scalars(select(User.id).where(User.id.in_(owners), User.active.is_(True))))
        return cls(active, by_organisation, co_chairs)

    def responsible(self, commitment: Commitment) -> set[int]:
        """The owner; without one (or if they left), the active people of the responsible organisation."""
        if commitment.owner_id is not None and commitment.owner_id in self.active_owners:
            return {commitment.owner_id}
        return set(self.by_organisation.get(commitment.organisation_id, set()))


def reminders_for(commitment: Commitment, today: date, people: People) -> Iterator[Reminder]:
    days_left = (commitment.due_date - today).days
    if 2 <= days_left <= 7:
        yield _reminder(commitment, ReminderKind.COMMITMENT_DUE, "due-7", people.responsible(commitment),
                        days_left)
    elif 0 <= days_left <= 1:
        yield _reminder(commitment, ReminderKind.COMMITMENT_DUE, "due-1", people.responsible(commitment),
                        days_left)
    elif days_left < 0:
        late = -days_left
        week = (late - 1) // 7
        yield _reminder(commitment, ReminderKind.COMMITMENT_OVERDUE, f"overdue-w{week}",
                        people.responsible(commitment), late)
        if late >= ESCALATION_DAYS:
            yield _reminder(commitment, ReminderKind.COMMITMENT_ESCALATION, "escalation",
                            set(people.co_chairs.get(commitment.group_id, set())), late)


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
        # Who hears about them is read once for the batch (three queries), not per commitment.
        people = People.of(batch)
        reminders = [reminder for commitment in batch
                     for reminder in reminders_for(commitment, today, people)]
        yield from reminders
