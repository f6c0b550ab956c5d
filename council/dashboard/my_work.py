""""My work": a person's own commitments, meetings, minutes and verifications waiting for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from sqlalchemy import (
    ColumnElement,
    func,
    select,
)
from sqlalchemy.orm import contains_eager

from council import generations
from council.auth.permissions import group_roles, is_secretary
from council.dashboard import meetings
from council.dashboard.cache import page_parts
from council.dashboard.figures import (
    DUE_SOON_DAYS,
    SHORT_LIST,
    Scope,
    Tally,
    commitment_figures,
)
from council.dashboard.meetings import MeetingCard
from council.dashboard.services import _groups
from council.directory.models import (
    GroupRole,
    PlatformRole,
    User,
    WorkingGroup,
)
from council.extensions import db
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


class MyWork:
    """What a person has to do. Each part is read when the page first asks for it: the parts that are
    not the reader's own (their organisation's, the verification queue of their groups) are the same
    for everyone who sees them and come from the dashboards' cache (council/dashboard/cache.py) when
    there, reading nothing."""

    due_soon_days = DUE_SOON_DAYS

    def __init__(self, user: User, today: date) -> None:
        self.user = user
        self.today = today
        # Every generation the page's blocks depend on, in one round trip.
        scopes = (self.council_scope, self.owner_scope, self.organisation_scope)
        generations.current(page_parts(*(scope for scope in scopes if scope is not None)))

    @property
    def owner_scope(self) -> Scope:
        """The reader's own commitments: their block's slot is theirs alone (council/dashboard/cache.py)."""
        return Scope(self.user.council_id, owner_id=self.user.id)

    @cached_property
    def mine(self) -> Tally:
        return commitment_figures(self.owner_scope, self.today).total

    @cached_property
    def my_commitments(self) -> list[Commitment]:
        return _commitment_list(Commitment.council_id == self.user.council_id,
                                Commitment.owner_id == self.user.id, Commitment.status.in_(COMMITMENT_OPEN))

    @cached_property
    def organisation_scope(self) -> Scope | None:
        """The scope of the reader's organisation, whose figures any reader of the council may see."""
        if self.user.organisation_id is None:
            return None
        return Scope(self.user.council_id, organisation_id=self.user.organisation_id)

    @cached_property
    def organisation(self) -> Tally | None:
        scope = self.organisation_scope
        return commitment_figures(scope, self.today).total if scope is not None else None

    @cached_property
    def organisation_attention(self) -> list[Commitment]:
        """The organisation's commitments overdue or due within DUE_SOON_DAYS."""
        if self.user.organisation_id is None:
            return []
        return _commitment_list(
            Commitment.council_id == self.user.council_id,
            Commitment.organisation_id == self.user.organisation_id,
            Commitment.status.in_(COMMITMENT_PENDING),
            Commitment.due_date <= self.today + timedelta(days=DUE_SOON_DAYS))

    @property
    def council_scope(self) -> Scope:
        return Scope(self.user.council_id)

    @cached_property
    def verifiable_groups(self) -> list[int] | None:
        return verifiable_groups(self.user)

    @property
    def verification_variant(self) -> str:
        """What the verification block depends on besides the council: the groups the reader verifies in
        (everyone's with the same groups is the same block)."""
        groups = self.verifiable_groups
        return "all" if groups is None else ",".join(map(str, groups))

    @cached_property
    def verification(self) -> VerificationQueue:
        return verification_queue(self.user)

    @cached_property
    def groups(self) -> dict[int, WorkingGroup]:
        return {group.id: group for group in _groups(self.user.council_id)}

    @cached_property
    def meetings(self) -> list[MeetingCard]:
        return meetings.invited(self.user)

    @cached_property
    def approvals(self) -> list[MeetingCard]:
        """Minutes waiting for this co-chair's approval."""
        return meetings.awaiting(self.user)


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
    return MyWork(user, today or council_today())
