"""What goes into a progress report: the figures of the period and of the one before, each working group's
recommendations, sides, overdue and verified commitments, the indicators, the meetings held and the
initiatives' milestones. Only what the requester may read: the council's tracker (tracker.view), the
meetings they may see, and for a portal report only public records.

Lists are capped (the figures never are): a report of a council with 100 000 records stays a document
of some pages, and says how many more there are in the tracker. Queries are bounded by the number of
groups, not by the volume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import selectinload

from council.auth.permissions import require
from council.dashboard.figures import Scope, Tally, commitment_figures, indicators, initiatives
from council.dashboard.services import countries
from council.directory.models import Council, Country, User, WorkingGroup
from council.extensions import db
from council.meetings.models import Meeting, MeetingStatus
from council.meetings.services import visible_meetings
from council.reports.periods import Period
from council.timeutil import council_time_zone, council_today, utcnow
from council.tracker.models import (
    Commitment,
    CommitmentStatus,
    Indicator,
    Initiative,
    Milestone,
    ProgressUpdate,
    Recommendation,
    overdue_condition,
)

LIST_LIMIT = 25
MEASURES = ("recommendations", "commitments", "reports", "verified", "due", "overdue", "meetings",
            "milestones")


def moment(day: date) -> datetime:
    """Midnight starting `day` in the council's time zone, in UTC."""
    return datetime.combine(day, time(), tzinfo=ZoneInfo(council_time_zone())).astimezone(UTC)


T = TypeVar("T")


@dataclass
class Capped(Generic[T]):
    """The first rows of a list and how many there are in all."""

    rows: list[T]
    total: int

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.rows))


@dataclass
class Side:
    country: Country
    tally: Tally


@dataclass
class GroupSection:
    group: WorkingGroup
    recommendations: Capped[Recommendation]
    sides: list[Side]
    lagging: Side | None
    overdue: Capped[tuple[Commitment, int]]  # with the days late
    verified: Capped[Commitment]


@dataclass
class InitiativeRow:
    initiative: Initiative
    reached: list[Milestone]
    due: list[Milestone]


@dataclass
class ReportData:
    council: Council
    group: WorkingGroup | None
    period: Period
    previous: Period
    as_of: date  # the day overdue is measured on: the period's end, or today for a current period
    generated_at: datetime
    public: bool
    final: bool
    summary: dict[str, int]
    previous_summary: dict[str, int]
    groups: list[GroupSection] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    initiatives: list[InitiativeRow] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing happened in the period (the lists of standing records may still have rows)."""
        return not any(self.summary.values())


def _in(column: Any, period: Period) -> list[ColumnElement[bool]]:
    return [column >= moment(period.start), column < moment(period.end + timedelta(days=1))]


def _count(query: object) -> int:
    return int(db.session.scalar(query) or 0)  # type: ignore[call-overload]


def _meetings(reader: User | None, scope: Scope) -> Select[Any]:
    query = visible_meetings(reader) if reader is not None else \
        select(Meeting).where(Meeting.council_id == scope.council_id)
    query = query.where(Meeting.status.in_([MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED]))
    if scope.group_id is not None:
        query = query.where(Meeting.group_id == scope.group_id)
    if scope.public:
        query = query.where(Meeting.is_public.is_(True))
    return query


def summary(scope: Scope, period: Period, reader: User | None, as_of: date) -> dict[str, int]:
    """The period's figures: what was recommended, committed, reported, verified, due, overdue at its
    end, held and reached."""
    commitments = scope.commitment_conditions()
    milestones = select(func.count()).select_from(Milestone).join(Initiative).where(
        Initiative.council_id == scope.council_id, Milestone.completed_on >= period.start,
        Milestone.completed_on <= period.end)
    if scope.group_id is not None:
        milestones = milestones.where(Initiative.group_id == scope.group_id)
    meetings = _meetings(reader, scope).where(*_in(Meeting.starts_at, period))
    return {
        "recommendations": _count(select(func.count()).select_from(Recommendation).where(
            *scope.recommendation_conditions(), *_in(Recommendation.created_at, period))),
        "commitments": _count(select(func.count()).select_from(Commitment).where(
            *commitments, *_in(Commitment.created_at, period))),
        "reports": _count(select(func.count()).select_from(ProgressUpdate).join(Commitment).where(
            *commitments, *_in(ProgressUpdate.created_at, period))),
        "verified": _count(select(func.count()).select_from(Commitment).where(
            *commitments, Commitment.status == CommitmentStatus.VERIFIED,
            *_in(Commitment.verified_at, period))),
        "due": _count(select(func.count()).select_from(Commitment).where(
            *commitments, Commitment.due_date >= period.start, Commitment.due_date <= period.end)),
        "overdue": _count(select(func.count()).select_from(Commitment).where(
            *commitments, overdue_condition(as_of), Commitment.due_date >= period.start)),
        "meetings": _count(select(func.count()).select_from(meetings.subquery())),
        "milestones": _count(milestones),
    }


def _lagging(sides: list[Side]) -> Side | None:
    """The side whose commitments have the lower average progress, when the sides differ."""
    measured = [side for side in sides if side.tally.progress is not None]
    if len(measured) < 2:
        return None
    measured.sort(key=lambda side: side.tally.progress or 0)
    return measured[0] if measured[0].tally.progress != measured[-1].tally.progress else None


def _group_section(group: WorkingGroup, scope: Scope, period: Period, as_of: date,
                   sides: list[Side]) -> GroupSection:
    conditions = [*Scope(scope.council_id, group.id, public=scope.public).commitment_conditions()]
    recommendations = [*Scope(scope.council_id, group.id, public=scope.public).recommendation_conditions(),
                       Recommendation.created_at < moment(period.end + timedelta(days=1))]
    overdue = [*conditions, overdue_condition(as_of)]
    verified = [*conditions, Commitment.status == CommitmentStatus.VERIFIED,
                *_in(Commitment.verified_at, period)]
    load = (selectinload(Commitment.organisation),)
    return GroupSection(
        group=group,
        recommendations=Capped(list(db.session.scalars(
            select(Recommendation).where(*recommendations).order_by(Recommendation.code)
            .limit(LIST_LIMIT))), _count(select(func.count()).select_from(Recommendation)
                                         .where(*recommendations))),
        sides=sides, lagging=_lagging(sides),
        overdue=Capped([(commitment, (as_of - commitment.due_date).days) for commitment in db.session.scalars(
            select(Commitment).where(*overdue).options(*load)
            .order_by(Commitment.due_date, Commitment.code).limit(LIST_LIMIT))],
            _count(select(func.count()).select_from(Commitment).where(*overdue))),
        verified=Capped(list(db.session.scalars(
            select(Commitment).where(*verified).options(*load)
            .order_by(Commitment.verified_at, Commitment.code).limit(LIST_LIMIT))),
            _count(select(func.count()).select_from(Commitment).where(*verified))),
    )


def _initiatives(scope: Scope, period: Period) -> list[InitiativeRow]:
    rows = []
    for initiative in initiatives(scope):
        reached = [m for m in initiative.milestones
                   if m.completed_on is not None and period.start <= m.completed_on <= period.end]
        due = [m for m in initiative.milestones if m.completed_on is None and m.due_date is not None
               and m.due_date <= period.end + timedelta(days=period.days)]
        rows.append(InitiativeRow(initiative, reached, due))
    return rows


def gather(reader: User | None, council: Council, group: WorkingGroup | None, period: Period, *,
           public: bool = False, final: bool = False, today: date | None = None) -> ReportData:
    """Everything the report shows, read as `reader` may (None: the public portal's view, public only)."""
    if reader is not None:
        require(reader, "tracker.view", council.id)
    public = public or reader is None
    today = today or council_today()
    as_of = min(period.end + timedelta(days=1), today)
    scope = Scope(council.id, group.id if group is not None else None, public=public)
    previous = period.previous()
    groups = [group] if group is not None else list(db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.council_id == council.id, WorkingGroup.active.is_(True))
        .order_by(WorkingGroup.code)))
    figures = commitment_figures(scope, as_of)
    sides = countries(council.id)
    meetings = (_meetings(reader, scope).where(*_in(Meeting.starts_at, period))
                .options(selectinload(Meeting.decisions), selectinload(Meeting.group))
                .order_by(Meeting.starts_at, Meeting.id).limit(LIST_LIMIT))
    return ReportData(
        council=council, group=group, period=period, previous=previous, as_of=as_of,
        generated_at=utcnow(), public=public, final=final,
        summary=summary(scope, period, reader, as_of),
        previous_summary=summary(scope, previous, reader, min(previous.end + timedelta(days=1), today)),
        groups=[_group_section(each, scope, period, as_of,
                               [Side(country, figures.side(each.id, country.code)) for country in sides])
                for each in groups],
        indicators=indicators(scope),
        meetings=list(db.session.scalars(meetings)),
        initiatives=_initiatives(scope, period),
    )
