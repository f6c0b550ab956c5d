"""The dashboards' figures: what a dashboard is about, commitments rolled up, recommendations,
completions per month, initiatives and indicators.

Every figure is an SQL aggregate (GROUP BY over the tracker's tables, served by the indexes declared in
council/dashboard/models.py); no query loads a table into Python, and a page runs the same number of
queries whatever the volume. The one-pass commitment query returns at most groups × countries × statuses
rows; the totals by group, by country and overall are sums of those few rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Integer,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import selectinload

from council import events
from council.auth.permissions import require
from council.directory.models import (
    Organisation,
    User,
)
from council.extensions import db
from council.timeutil import council_time_zone
from council.tracker.models import (
    COMMITMENT_OPEN,
    Commitment,
    CommitmentStatus,
    Indicator,
    Initiative,
    Recommendation,
    TrackerEvent,
    due_within_condition,
    overdue_condition,
)
from council.tracker.queries import average_progress

DUE_SOON_DAYS = 14
TREND_MONTHS = 12
TOP_ORGANISATIONS = 10
SHORT_LIST = 10
MAX_INITIATIVES = 20
MAX_INDICATORS = 24


@dataclass(frozen=True)
class Scope:
    """The commitments a dashboard counts: a council's, narrowed to a group, an organisation or an owner,
    or (for the public portal) only those under public recommendations."""

    council_id: int
    group_id: int | None = None
    organisation_id: int | None = None
    owner_id: int | None = None
    public: bool = False

    def commitment_conditions(self) -> list[ColumnElement[bool]]:
        conditions = [Commitment.council_id == self.council_id]
        if self.group_id is not None:
            conditions.append(Commitment.group_id == self.group_id)
        if self.organisation_id is not None:
            conditions.append(Commitment.organisation_id == self.organisation_id)
        if self.owner_id is not None:
            conditions.append(Commitment.owner_id == self.owner_id)
        if self.public:
            conditions.append(Commitment.recommendation_id.in_(
                select(Recommendation.id).where(Recommendation.council_id == self.council_id,
                                                Recommendation.is_public.is_(True))))
        return conditions

    def recommendation_conditions(self) -> list[ColumnElement[bool]]:
        conditions = [Recommendation.council_id == self.council_id]
        if self.group_id is not None:
            conditions.append(Recommendation.group_id == self.group_id)
        if self.public:
            conditions.append(Recommendation.is_public.is_(True))
        if self.organisation_id is not None or self.owner_id is not None:
            # Start from the organisation's (or owner's) few commitments, not from every recommendation.
            conditions.append(Recommendation.id.in_(
                select(Commitment.recommendation_id).where(*self.commitment_conditions())))
        return conditions

    def list_args(self) -> dict[str, Any]:
        """The list filters that reproduce this scope (the query-string names of the tracker's lists)."""
        args = {"group": self.group_id, "organisation": self.organisation_id, "owner": self.owner_id}
        return {key: value for key, value in args.items() if value is not None}


@dataclass
class Tally:
    """Commitments counted together: by status, overdue, due soon, and their average progress
    (cancelled commitments are counted but left out of the average)."""

    statuses: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    due_soon: int = 0
    progress_sum: int = 0
    counted: int = 0

    def add(self, status: str, count: int, progress_sum: int, overdue: int, due_soon: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + count
        self.overdue += overdue
        self.due_soon += due_soon
        if status != CommitmentStatus.CANCELLED:
            self.progress_sum += progress_sum
            self.counted += count

    def count(self, status: str) -> int:
        return self.statuses.get(status, 0)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def open(self) -> int:
        return sum(self.count(status) for status in COMMITMENT_OPEN)

    @property
    def done(self) -> int:
        return self.count(CommitmentStatus.VERIFIED)

    @property
    def waiting(self) -> int:
        return self.count(CommitmentStatus.REPORTED_DONE)

    @property
    def progress(self) -> int | None:
        return average_progress(self.progress_sum, self.counted)

    def shown(self) -> tuple[Any, ...]:
        """What a dashboard shows of it: the counts and the average as rounded (not the raw sum)."""
        return tuple(sorted(self.statuses.items())), self.overdue, self.due_soon, self.progress


def _flag_sum(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def cells_query(scope: Scope, today: date, group_ids: Sequence[int] | None = None) -> Any:
    """The one pass over the scope's commitments (of these groups only, if given): counts per working
    group, organisation and status.

    It walks ix_commitment_figures in its own order (council, group, organisation, status), so neither
    database sorts; every figure of a page is a roll-up of these few thousand rows at most.
    """
    conditions = scope.commitment_conditions()
    if group_ids is not None:
        conditions.append(Commitment.group_id.in_(group_ids))
    return (select(Commitment.group_id, Commitment.organisation_id, Commitment.status,
                   func.count().label("total"),
                   func.coalesce(func.sum(Commitment.progress), 0).label("progress_sum"),
                   _flag_sum(overdue_condition(today)).label("overdue"),
                   _flag_sum(due_within_condition(today, DUE_SOON_DAYS)).label("due_soon"))
            .where(*conditions)
            .group_by(Commitment.group_id, Commitment.organisation_id, Commitment.status)
            .cte("cells"))


@dataclass
class OrganisationRow:
    organisation: Organisation
    total: int
    overdue: int
    due_soon: int
    done: int
    progress: int | None


def _per_organisation(cells: Any) -> Any:
    """Roll the cells up per organisation (cancelled commitments left out of the average)."""
    counted = cells.c.status != CommitmentStatus.CANCELLED
    return select(
        cells.c.organisation_id, func.sum(cells.c.total).label("total"),
        func.sum(cells.c.overdue).label("overdue"), func.sum(cells.c.due_soon).label("due_soon"),
        func.sum(case((cells.c.status == CommitmentStatus.VERIFIED, cells.c.total), else_=0)).label("done"),
        func.sum(case((counted, cells.c.progress_sum), else_=0)).label("progress_sum"),
        func.sum(case((counted, cells.c.total), else_=0)).label("counted"),
    ).group_by(cells.c.organisation_id)


def _organisation_order(figures: Any, sort: str) -> list[Any]:
    progress = case((figures.c.counted > 0, figures.c.progress_sum * 1.0 / figures.c.counted))
    return {
        "progress": [progress.asc()],
        "-progress": [progress.desc()],
        "total": [figures.c.total.desc()],
        "name": [],
    }.get(sort, [figures.c.overdue.desc(), figures.c.total.desc()])


@dataclass
class CommitmentFigures:
    total: Tally = field(default_factory=Tally)
    by_group: dict[int, Tally] = field(default_factory=dict)
    by_country: dict[str, Tally] = field(default_factory=dict)
    by_group_country: dict[tuple[int, str], Tally] = field(default_factory=dict)
    organisations: list[OrganisationRow] = field(default_factory=list)  # the most overdue first
    organisation_count: int = 0  # organisations with commitments in the scope

    def group(self, group_id: int) -> Tally:
        return self.by_group.get(group_id) or Tally()

    def country(self, country: str) -> Tally:
        return self.by_country.get(country) or Tally()

    def side(self, group_id: int, country: str) -> Tally:
        return self.by_group_country.get((group_id, country)) or Tally()

    def shown(self, organisations: bool = True) -> tuple[Any, ...]:
        """Every figure as a dashboard shows it (council/dashboard/cache.py keys blocks with it); without
        the organisations' rows for a block that does not show them."""
        def tallies(by: dict[Any, Tally]) -> list[Any]:
            return sorted((key, tally.shown()) for key, tally in by.items())
        return (self.total.shown(), tallies(self.by_group), tallies(self.by_country),
                tallies(self.by_group_country), self.shown_organisations() if organisations else None)

    def shown_organisations(self) -> tuple[Any, ...]:
        """The organisations' rows as shown: their averages move with most reports, the rest rarely."""
        return (self.organisation_count, [(row.organisation.id, row.total, row.overdue, row.due_soon,
                                           row.done, row.progress) for row in self.organisations])


def commitment_figures(scope: Scope, today: date, *, organisations: int = 0) -> CommitmentFigures:
    """Counts by working group × country × status with overdue, due soon and progress; with
    `organisations`, also the organisations with the most overdue commitments and how many have any.

    One statement, one pass over the commitments: the roll-ups are UNION ALL members reading the same
    materialised CTE, told apart by their first column.
    """
    cells = cells_query(scope, today)
    no_number = cast(null(), Integer)
    parts = [select(literal("side").label("kind"), cells.c.group_id, Organisation.country_code,
                    cells.c.status, func.sum(cells.c.total), func.sum(cells.c.progress_sum),
                    func.sum(cells.c.overdue), func.sum(cells.c.due_soon), no_number, no_number)
             .join(Organisation, Organisation.id == cells.c.organisation_id)
             .group_by(cells.c.group_id, Organisation.country_code, cells.c.status)]
    if organisations:
        ranked = _per_organisation(cells).subquery("ranked")
        top = (select(ranked).order_by(*_organisation_order(ranked, "overdue"), ranked.c.organisation_id)
               .limit(organisations).subquery("top"))
        parts.append(select(literal("organisation"), top.c.organisation_id, null(), null(), top.c.total,
                            top.c.progress_sum, top.c.overdue, top.c.due_soon, top.c.done, top.c.counted))
        parts.append(select(literal("organisations"), no_number, null(), null(),
                            func.count(func.distinct(cells.c.organisation_id)), no_number, no_number,
                            no_number, no_number, no_number))
    figures = CommitmentFigures()
    top_rows = []
    for kind, key, country, status, total, progress, overdue, due_soon, done, counted in \
            db.session.execute(union_all(*parts)):
        if kind == "side":
            values = (str(status), int(total), int(progress), int(overdue), int(due_soon))
            figures.total.add(*values)
            figures.by_group.setdefault(key, Tally()).add(*values)
            figures.by_country.setdefault(country, Tally()).add(*values)
            figures.by_group_country.setdefault((key, country), Tally()).add(*values)
        elif kind == "organisation":
            top_rows.append((key, int(total), int(overdue), int(due_soon), int(done),
                             average_progress(int(progress), int(counted))))
        else:
            figures.organisation_count = int(total)
    if top_rows:
        named = {organisation.id: organisation for organisation in db.session.scalars(
            select(Organisation).where(Organisation.id.in_([row[0] for row in top_rows])))}
        top_rows.sort(key=lambda row: (-row[2], -row[1], row[0]))
        figures.organisations = [OrganisationRow(named[row[0]], *row[1:]) for row in top_rows]
    return figures


@dataclass
class RowsPage:
    """A page of aggregate rows, shaped like Flask-SQLAlchemy's pagination for the pager macro."""

    items: Sequence[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def organisations_page(scope: Scope, today: date, *, page: int, per_page: int,
                       sort: str = "overdue") -> RowsPage:
    """Organisations with commitments in the scope and their figures, sorted and paged in SQL (one
    statement; the number of organisations rides along as a window count)."""
    page = max(1, page)
    figures = _per_organisation(cells_query(scope, today)).subquery("figures")
    query = (select(Organisation, figures.c.total, figures.c.overdue, figures.c.due_soon, figures.c.done,
                    figures.c.progress_sum, figures.c.counted, func.count().over())
             .join(figures, figures.c.organisation_id == Organisation.id)
             .order_by(*_organisation_order(figures, sort), Organisation.code)
             .limit(per_page).offset((page - 1) * per_page))
    rows = db.session.execute(query).all()
    if not rows and page > 1:  # past the last page: show the last one
        total = db.session.scalar(select(func.count()).select_from(figures)) or 0
        return organisations_page(scope, today, page=max(1, -(-total // per_page)), per_page=per_page,
                                  sort=sort) if total else RowsPage([], 1, per_page, 0)
    items = [OrganisationRow(organisation, int(total), int(overdue), int(due_soon), int(done),
                             average_progress(int(progress_sum), int(counted)))
             for organisation, total, overdue, due_soon, done, progress_sum, counted, _ in rows]
    return RowsPage(items, page, per_page, int(rows[0][-1]) if rows else 0)


@dataclass
class RecommendationFigures:
    total: dict[str, int] = field(default_factory=dict)
    by_group: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(self.total.values())

    def group_count(self, group_id: int) -> int:
        return sum(self.by_group.get(group_id, {}).values())

    def group_status(self, group_id: int, status: str) -> int:
        return self.by_group.get(group_id, {}).get(status, 0)

    def shown(self) -> tuple[Any, ...]:
        return (sorted(self.total.items()),
                sorted((group, sorted(counts.items())) for group, counts in self.by_group.items()))


def recommendation_figures(scope: Scope) -> RecommendationFigures:
    """Recommendations by working group and status (one query)."""
    query = (select(Recommendation.group_id, Recommendation.status, func.count())
             .where(*scope.recommendation_conditions())
             .group_by(Recommendation.group_id, Recommendation.status))
    figures = RecommendationFigures()
    for group_id, status, count in db.session.execute(query):
        figures.total[str(status)] = figures.total.get(str(status), 0) + count
        figures.by_group.setdefault(group_id, {})[str(status)] = count
    return figures


@dataclass
class MonthCount:
    month: date  # its first day
    count: int


def _month_starts(today: date, months: int) -> list[date]:
    starts = [today.replace(day=1)]
    while len(starts) < months:
        previous = starts[-1] - timedelta(days=1)
        starts.append(previous.replace(day=1))
    return list(reversed(starts))


def _moment(day: date) -> datetime:
    """Midnight of `day` in the council's time zone, as an aware datetime."""
    return datetime.combine(day, time(), tzinfo=ZoneInfo(council_time_zone())).astimezone(UTC)


def completed_per_month(scope: Scope, today: date, months: int = TREND_MONTHS) -> list[MonthCount]:
    """Commitments verified in each of the last `months` months (the council's calendar; one query).

    The month of each row is a CASE over precomputed boundaries: portable, and the range condition on
    verified_at keeps it on the index.
    """
    starts = _month_starts(today, months)
    ends = [*starts[1:], (starts[-1] + timedelta(days=32)).replace(day=1)]
    month = case(*[(Commitment.verified_at < _moment(end), literal(index))
                   for index, end in enumerate(ends)], else_=literal(-1))
    query = (select(month, func.count())
             .where(*scope.commitment_conditions(), Commitment.status == CommitmentStatus.VERIFIED,
                    Commitment.verified_at >= _moment(starts[0]),
                    Commitment.verified_at < _moment(ends[-1]))
             .group_by(month))
    counts = {int(index): int(count) for index, count in db.session.execute(query)}
    return [MonthCount(start, counts.get(index, 0)) for index, start in enumerate(starts)]


def initiatives(scope: Scope, limit: int = MAX_INITIATIVES) -> list[Initiative]:
    """Initiatives with their milestones and derived progress (two queries)."""
    query = _initiatives_of(select(Initiative), scope, limit).options(selectinload(Initiative.milestones))
    return list(db.session.scalars(query))


def initiatives_progress(scope: Scope, limit: int = MAX_INITIATIVES) -> list[tuple[int, int | None]]:
    """(id, progress) of the initiatives `initiatives` lists, in its order: one query, no milestones."""
    query = _initiatives_of(select(Initiative.id, Initiative.progress), scope, limit)
    return [(initiative_id, progress) for initiative_id, progress in db.session.execute(query)]


def _initiatives_of(query: Any, scope: Scope, limit: int) -> Any:
    """The scope's initiatives: the council's, its group's, or those its organisation has commitments in."""
    query = query.where(Initiative.council_id == scope.council_id)
    if scope.group_id is not None:
        query = query.where(Initiative.group_id == scope.group_id)
    if scope.organisation_id is not None:
        query = query.where(exists(select(Commitment.id).where(
            Commitment.initiative_id == Initiative.id,
            Commitment.organisation_id == scope.organisation_id)))
    return query.order_by(Initiative.code).limit(limit)


def indicators(scope: Scope, limit: int = MAX_INDICATORS) -> list[Indicator]:
    """Indicators with their observations (two queries); on the portal, public ones only."""
    query = select(Indicator).where(Indicator.council_id == scope.council_id)
    if scope.group_id is not None:
        query = query.where(Indicator.group_id == scope.group_id)
    if scope.public:
        query = query.where(Indicator.is_public.is_(True))
    query = query.options(selectinload(Indicator.observations)).order_by(Indicator.code).limit(limit)
    return list(db.session.scalars(query))


def set_indicator_public(actor: User, indicator: Indicator, is_public: bool) -> Indicator:
    """Show an indicator on the public portal, or take it off (secretaries)."""
    require(actor, "indicator.manage", indicator.council_id)
    if indicator.is_public != is_public:
        indicator.is_public = is_public
        events.record(TrackerEvent.INDICATOR_UPDATED, indicator, actor, code=indicator.code,
                      group_id=indicator.group_id, changes={"is_public": [not is_public, is_public]})
    return indicator
