""""My work": a person's own commitments, meetings, minutes and verifications waiting for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import (
    ColumnElement,
    func,
    select,
)
from sqlalchemy.orm import contains_eager

from council.auth.permissions import group_roles, is_secretary
from council.dashboard.figures import (
    DUE_SOON_DAYS,
    SHORT_LIST,
    Scope,
    Tally,
    commitment_figures,
)
from council.dashboard.services import _groups, minutes_awaiting, my_meetings
from council.directory.models import (
    GroupRole,
    PlatformRole,
    User,
    WorkingGroup,
)
from council.extensions import db
from council.meetings.models import (
    Meeting,
)
from council.timeutil import council_today
from council.tracker.models import (
    COMMITMENT_OPEN,
    COMMITMENT_PENDING,
    Commitment,
    CommitmentStatus,
    Recommendation,
)


@dataclass
class VerificationQueue:
    """Commitments reported done that this person may verify: council-wide or in the groups they chair."""

    group_ids: list[int] | None  # None: every group of the council
    counts: dict[int, int]
    commitments: list[Commitment]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class MyWork:
    today: date
    mine: Tally
    organisation: Tally | None
    my_commitments: list[Commitment]
    organisation_attention: list[Commitment]
    verification: VerificationQueue
    groups: dict[int, WorkingGroup]
    meetings: list[Meeting]
    approvals: list[Meeting]  # minutes waiting for this co-chair's approval
    due_soon_days: int = DUE_SOON_DAYS


def _commitment_list(*conditions: ColumnElement[bool], limit: int = SHORT_LIST) -> list[Commitment]:
    """Commitments with their organisation and recommendation loaded by the same query (not the
    recommendation's derived progress, a correlated average the list does not show)."""
    query = (select(Commitment).join(Commitment.organisation).join(Commitment.recommendation)
             .where(*conditions)
             .options(contains_eager(Commitment.organisation),
                      contains_eager(Commitment.recommendation).defer(Recommendation.progress))
             .order_by(Commitment.due_date, Commitment.id).limit(limit))
    return list(db.session.scalars(query))


def verifiable_groups(user: User) -> list[int] | None:
    """None when the person verifies in every group of their council (secretaries, administrators)."""
    if user.role == PlatformRole.ADMIN or is_secretary(user, user.council_id):
        return None
    return sorted(group_id for group_id, role in group_roles(user).items() if role == GroupRole.CO_CHAIR)


def verification_queue(user: User) -> VerificationQueue:
    group_ids = verifiable_groups(user)
    conditions: list[ColumnElement[bool]] = [Commitment.council_id == user.council_id,
                                             Commitment.status == CommitmentStatus.REPORTED_DONE]
    if group_ids is not None:
        if not group_ids:
            return VerificationQueue([], {}, [])
        conditions.append(Commitment.group_id.in_(group_ids))
    counts = {group_id: count for group_id, count in db.session.execute(
        select(Commitment.group_id, func.count()).where(*conditions).group_by(Commitment.group_id))}
    commitments = _commitment_list(*conditions) if counts else []
    return VerificationQueue(group_ids, counts, commitments)


def my_work(user: User, today: date | None = None) -> MyWork:
    """What a person has to do: their commitments, their organisation's, and what awaits them."""
    today = today or council_today()
    mine = commitment_figures(Scope(user.council_id, owner_id=user.id), today).total
    organisation = None
    attention: list[Commitment] = []
    if user.organisation_id is not None:
        organisation = commitment_figures(
            Scope(user.council_id, organisation_id=user.organisation_id), today).total
        attention = _commitment_list(
            Commitment.council_id == user.council_id,
            Commitment.organisation_id == user.organisation_id,
            Commitment.status.in_(COMMITMENT_PENDING),
            Commitment.due_date <= today + timedelta(days=DUE_SOON_DAYS))
    my_commitments = _commitment_list(Commitment.council_id == user.council_id,
                                      Commitment.owner_id == user.id,
                                      Commitment.status.in_(COMMITMENT_OPEN))
    groups = {group.id: group for group in _groups(user.council_id)}
    return MyWork(today, mine, organisation, my_commitments, attention, verification_queue(user), groups,
                  my_meetings(user), minutes_awaiting(user))
