"""The figures of the dashboards, "my work" and the public portal.

Every figure is an SQL aggregate (GROUP BY over the tracker's tables, served by the indexes declared in
council/dashboard/models.py); no query loads a table into Python, and a page runs the same number of
queries whatever the volume. The one-pass commitment query returns at most groups × countries × statuses
rows; the totals by group, by country and overall are sums of those few rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import contains_eager, selectinload

from council import events
from council.auth.permissions import group_roles, is_secretary, require
from council.directory.models import (
    Council,
    Country,
    GroupRole,
    Organisation,
    PlatformRole,
    User,
    WorkingGroup,
)
from council.directory.services import GroupCard, group_cards
from council.errors import Conflict, NotFound
from council.extensions import db
from council.i18n import marked_localized
from council.meetings.models import (
    Invitation,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesApproval,
    MinutesRevision,
    RevisionStatus,
    session_chair,
)
from council.meetings.services import visible_meetings
from council.timeutil import utcnow
from council.tracker.models import (
    COMMITMENT_OPEN,
    COMMITMENT_PENDING,
    Commitment,
    CommitmentStatus,
    Indicator,
    Initiative,
    Recommendation,
    RecommendationStatus,
    due_within_condition,
    overdue_condition,
)
from council.tracker.services import COUNCIL_TIME_ZONE
from council.tracker.units import unit_label

DUE_SOON_DAYS = 14
TREND_MONTHS = 12
TOP_ORGANISATIONS = 10
SHORT_LIST = 10
MAX_INITIATIVES = 20
MAX_INDICATORS = 24
SIDES = ("KZ", "TM")


def _percent(total: int, count: int) -> int | None:
    """A rounded average, half up like SQL's round(), so Python and SQL figures agree."""
    return (2 * total + count) // (2 * count) if count else None


# What a dashboard is about -------------------------------------------------------------------------


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


def council_date(moment: datetime | None = None) -> date:
    """The council's date now (or at `moment`): what overdue and due soon are measured against."""
    zone = ZoneInfo(_time_zone())
    return (moment or datetime.now(UTC)).astimezone(zone).date()


def _time_zone() -> str:
    if has_app_context():
        return str(current_app.config.get("COUNCIL_TIME_ZONE", COUNCIL_TIME_ZONE))
    return COUNCIL_TIME_ZONE


# Commitments: one pass, rolled up ----------------------------------------------------------------


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
        return _percent(self.progress_sum, self.counted)


def _flag_sum(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _cells(scope: Scope, today: date) -> Any:
    """The one pass over the scope's commitments: counts per working group, organisation and status.

    It walks ix_commitment_figures in its own order (council, group, organisation, status), so neither
    database sorts; every figure of a page is a roll-up of these few thousand rows at most.
    """
    return (select(Commitment.group_id, Commitment.organisation_id, Commitment.status,
                   func.count().label("total"),
                   func.coalesce(func.sum(Commitment.progress), 0).label("progress_sum"),
                   _flag_sum(overdue_condition(today)).label("overdue"),
                   _flag_sum(due_within_condition(today, DUE_SOON_DAYS)).label("due_soon"))
            .where(*scope.commitment_conditions())
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


ORGANISATION_SORTS = ("overdue", "progress", "-progress", "total", "name")


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


def commitment_figures(scope: Scope, today: date, *, organisations: int = 0) -> CommitmentFigures:
    """Counts by working group × country × status with overdue, due soon and progress; with
    `organisations`, also the organisations with the most overdue commitments and how many have any.

    One statement, one pass over the commitments: the roll-ups are UNION ALL members reading the same
    materialised CTE, told apart by their first column.
    """
    cells = _cells(scope, today)
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
                             _percent(int(progress), int(counted))))
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
    figures = _per_organisation(_cells(scope, today)).subquery("figures")
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
                             _percent(int(progress_sum), int(counted)))
             for organisation, total, overdue, due_soon, done, progress_sum, counted, _ in rows]
    return RowsPage(items, page, per_page, int(rows[0][-1]) if rows else 0)


# Recommendations -----------------------------------------------------------------------------------


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


# Completed per month -------------------------------------------------------------------------------


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
    return datetime.combine(day, time(), tzinfo=ZoneInfo(_time_zone())).astimezone(UTC)


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


# Initiatives and indicators ------------------------------------------------------------------------


def initiatives(scope: Scope, limit: int = MAX_INITIATIVES) -> list[Initiative]:
    """Initiatives with their milestones and derived progress (two queries)."""
    query = select(Initiative).where(Initiative.council_id == scope.council_id)
    if scope.group_id is not None:
        query = query.where(Initiative.group_id == scope.group_id)
    if scope.organisation_id is not None:
        query = query.where(exists(select(Commitment.id).where(
            Commitment.initiative_id == Initiative.id,
            Commitment.organisation_id == scope.organisation_id)))
    query = query.options(selectinload(Initiative.milestones)).order_by(Initiative.code).limit(limit)
    return list(db.session.scalars(query))


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
        events.record("indicator.updated", indicator, actor, code=indicator.code,
                      group_id=indicator.group_id, changes={"is_public": [not is_public, is_public]})
    return indicator


# Meetings -----------------------------------------------------------------------------------------

UPCOMING_MEETINGS = 5
RECENT_MINUTES = 5


def _approved(meeting_id: Any) -> ColumnElement[bool]:
    """SQL: the meeting has minutes of which a revision was approved (an amendment may be under way)."""
    return exists(select(MinutesRevision.id).join(Minutes, Minutes.id == MinutesRevision.minutes_id)
                  .where(Minutes.meeting_id == meeting_id, MinutesRevision.approved_at.is_not(None)))


def upcoming_meetings(reader: User, scope: Scope, limit: int = UPCOMING_MEETINGS) -> list[Meeting]:
    """The next meetings the reader may see: of the council, of a group, or to which an organisation
    or its people are invited (one query, and one for the groups' names)."""
    query = (visible_meetings(reader)
             .where(Meeting.ends_at >= utcnow(), Meeting.status != MeetingStatus.CANCELLED)
             .options(selectinload(Meeting.group)).order_by(Meeting.starts_at, Meeting.id).limit(limit))
    if scope.group_id is not None:
        query = query.where(Meeting.group_id == scope.group_id)
    if scope.organisation_id is not None:
        query = query.where(exists(select(Invitation.id).where(
            Invitation.meeting_id == Meeting.id,
            or_(Invitation.organisation_id == scope.organisation_id,
                Invitation.user_id.in_(select(User.id).where(
                    User.organisation_id == scope.organisation_id))))))
    return list(db.session.scalars(query))


def approved_minutes(scope: Scope, limit: int = RECENT_MINUTES) -> list[Meeting]:
    """The latest meetings whose minutes were approved; on the portal, those marked public."""
    query = (select(Meeting).where(Meeting.council_id == scope.council_id, _approved(Meeting.id))
             .options(selectinload(Meeting.group)).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
             .limit(limit))
    if scope.group_id is not None:
        query = query.where(Meeting.group_id == scope.group_id)
    if scope.public:
        query = query.where(Meeting.is_public.is_(True))
    return list(db.session.scalars(query))


def set_minutes_public(actor: User, meeting: Meeting, is_public: bool) -> Meeting:
    """Show a meeting's approved minutes on the public portal, or take them off (its organisers)."""
    require(actor, "meeting.organise", meeting)
    if is_public and not db.session.scalar(select(_approved(meeting.id))):
        raise Conflict(_("Only approved minutes can be shown on the public portal."))
    if meeting.is_public != is_public:
        meeting.is_public = is_public
        events.record("minutes.made_public" if is_public else "minutes.made_private", meeting, actor,
                      meeting_id=meeting.id, group_id=meeting.group_id)
    return meeting


def my_meetings(user: User, limit: int = UPCOMING_MEETINGS) -> list[Meeting]:
    """The next meetings the person, or their organisation, is invited to."""
    invited = Invitation.user_id == user.id
    if user.organisation_id is not None:
        invited = or_(invited, Invitation.organisation_id == user.organisation_id)
    query = (select(Meeting).where(
        Meeting.council_id == user.council_id, Meeting.ends_at >= utcnow(),
        Meeting.status.not_in([MeetingStatus.DRAFT, MeetingStatus.CANCELLED]),
        exists(select(Invitation.id).where(Invitation.meeting_id == Meeting.id, invited)))
        .options(selectinload(Meeting.group)).order_by(Meeting.starts_at, Meeting.id).limit(limit))
    return list(db.session.scalars(query))


def minutes_awaiting(user: User, limit: int = SHORT_LIST) -> list[Meeting]:
    """Meetings whose published minutes wait for this co-chair's approval (their side has not approved)."""
    country = user.organisation.country_code if user.organisation is not None else None
    if country is None:
        return []
    co_chaired = [group_id for group_id, role in group_roles(user).items() if role == GroupRole.CO_CHAIR]
    chairs = or_(Meeting.group_id.in_(co_chaired), and_(Meeting.group_id.is_(None), exists(
        select(session_chair.c.meeting_id).where(session_chair.c.meeting_id == Meeting.id,
                                                 session_chair.c.user_id == user.id))))
    query = (select(Meeting).join(Minutes, Minutes.meeting_id == Meeting.id)
             .join(MinutesRevision, MinutesRevision.minutes_id == Minutes.id)
             .where(Meeting.council_id == user.council_id, MinutesRevision.status == RevisionStatus.PUBLISHED,
                    chairs, ~exists(select(MinutesApproval.id).where(
                        MinutesApproval.revision_id == MinutesRevision.id,
                        MinutesApproval.country_code == country)))
             .options(selectinload(Meeting.group)).order_by(Meeting.starts_at, Meeting.id).limit(limit))
    return list(db.session.scalars(query))


# The dashboards ------------------------------------------------------------------------------------


@dataclass
class Facts:
    groups: int
    organisations: dict[str, int]
    people: int


@dataclass
class Dashboard:
    scope: Scope
    today: date
    commitments: CommitmentFigures
    recommendations: RecommendationFigures
    completed: list[MonthCount]
    groups: list[WorkingGroup]
    countries: list[Country]
    initiatives: list[Initiative]
    indicators: list[Indicator]
    meetings: list[Meeting]
    minutes: list[Meeting]
    facts: Facts | None = None
    group_cards: list[GroupCard] = field(default_factory=list)
    due_soon_days: int = DUE_SOON_DAYS

    @property
    def groups_with_figures(self) -> list[WorkingGroup]:
        """The groups a row is shown for: all of the council's, or those the scope has records in."""
        if self.scope.organisation_id is None and self.scope.group_id is None:
            return self.groups
        return [group for group in self.groups if group.id in self.commitments.by_group
                or group.id in self.recommendations.by_group]


def _groups(council_id: int) -> list[WorkingGroup]:
    query = (select(WorkingGroup).where(WorkingGroup.council_id == council_id)
             .order_by(WorkingGroup.active.desc(), WorkingGroup.code))
    return list(db.session.scalars(query))


def countries() -> list[Country]:
    return list(db.session.scalars(select(Country).where(Country.code.in_(SIDES)).order_by(Country.code)))


def _facts(council_id: int) -> Facts:
    organisations = {code: count for code, count in db.session.execute(
        select(Organisation.country_code, func.count()).where(Organisation.council_id == council_id)
        .group_by(Organisation.country_code))}
    people = db.session.scalar(select(func.count()).select_from(User).where(
        User.council_id == council_id, User.active.is_(True))) or 0
    groups = db.session.scalar(select(func.count()).select_from(WorkingGroup).where(
        WorkingGroup.council_id == council_id, WorkingGroup.active.is_(True))) or 0
    return Facts(groups, organisations, people)


def dashboard(scope: Scope, reader: User, today: date | None = None) -> Dashboard:
    """Every block of a council, working-group or organisation dashboard (a fixed number of queries)."""
    today = today or council_date()
    scoped_indicators = [] if scope.organisation_id is not None else indicators(scope)
    top = TOP_ORGANISATIONS if scope.organisation_id is None else 0
    council_wide = scope.group_id is None and scope.organisation_id is None
    groups = _groups(scope.council_id)
    return Dashboard(
        scope=scope, today=today, commitments=commitment_figures(scope, today, organisations=top),
        recommendations=recommendation_figures(scope), completed=completed_per_month(scope, today),
        groups=groups, countries=countries(),
        initiatives=initiatives(scope), indicators=scoped_indicators,
        meetings=upcoming_meetings(reader, scope),
        minutes=approved_minutes(scope) if scope.organisation_id is None else [],
        facts=_facts(scope.council_id) if council_wide else None,
        # The council's home shows each group's co-chairs and size.
        group_cards=group_cards(groups) if council_wide else [])


def can_view(user: User, council_id: int) -> None:
    require(user, "tracker.view", council_id)


# My work -------------------------------------------------------------------------------------------


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
    """Commitments with their organisation and recommendation loaded by the same query."""
    query = (select(Commitment).join(Commitment.organisation).join(Commitment.recommendation)
             .where(*conditions)
             .options(contains_eager(Commitment.organisation), contains_eager(Commitment.recommendation))
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
    today = today or council_date()
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


# The public portal ---------------------------------------------------------------------------------


def public_councils() -> list[Council]:
    return list(db.session.scalars(select(Council).order_by(Council.id)))


def public_council(slug: str) -> Council:
    council = db.session.scalar(select(Council).where(Council.slug == slug))
    if council is None:
        raise NotFound(_("There is nothing at this address."))
    return council


def public_groups(council_id: int) -> list[WorkingGroup]:
    """The council's active working groups: their names and descriptions are public."""
    return [group for group in _groups(council_id) if group.active]


def public_indicator_count(council_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Indicator).where(
        Indicator.council_id == council_id, Indicator.is_public.is_(True))) or 0


def public_group(council: Council, group_id: int) -> WorkingGroup:
    group = db.session.get(WorkingGroup, group_id)
    if group is None or group.council_id != council.id or not group.active:
        raise NotFound(_("There is nothing at this address."))
    return group


@dataclass
class PublicFilters:
    """The public list's filters; commitment conditions mean "has a commitment that …"."""

    group_id: int | None = None
    status: str | None = None
    country: str | None = None
    overdue: bool = False
    text: str | None = None


def public_recommendations_query(council: Council, filters: PublicFilters, today: date) -> Select[Any]:
    """Public recommendations only, with their group loaded; newest code last."""
    query = (select(Recommendation)
             .where(Recommendation.council_id == council.id, Recommendation.is_public.is_(True))
             .options(selectinload(Recommendation.group)))
    if filters.group_id:
        query = query.where(Recommendation.group_id == filters.group_id)
    if filters.status in set(RecommendationStatus):
        query = query.where(Recommendation.status == filters.status)
    if filters.text:
        query = query.where(Recommendation.search_text.contains(filters.text.casefold(), autoescape=True))
    conditions: list[ColumnElement[bool]] = []
    if filters.country in SIDES:
        conditions.append(Organisation.country_code == filters.country)
    if filters.overdue:
        conditions.append(overdue_condition(today))
    if conditions:
        query = query.where(exists(select(Commitment.id).join(Commitment.organisation).where(
            Commitment.recommendation_id == Recommendation.id, *conditions)))
    return query.order_by(Recommendation.code, Recommendation.id)


def public_recommendation(council: Council, recommendation_id: int) -> Recommendation:
    recommendation = db.session.get(Recommendation, recommendation_id)
    if recommendation is None or recommendation.council_id != council.id or not recommendation.is_public:
        raise NotFound(_("There is nothing at this address."))
    return recommendation


def public_minutes_query(council: Council) -> Select[Any]:
    """Meetings whose approved minutes are marked public, the latest first."""
    return (select(Meeting).where(Meeting.council_id == council.id, Meeting.is_public.is_(True),
                                  _approved(Meeting.id))
            .options(selectinload(Meeting.group)).order_by(Meeting.starts_at.desc(), Meeting.id.desc()))


def public_minutes(council: Council, meeting_id: int) -> tuple[Meeting, MinutesRevision]:
    """A public meeting and the latest revision of its minutes that was approved; else 404."""
    meeting = db.session.get(Meeting, meeting_id)
    revision = None
    if meeting is not None and meeting.council_id == council.id and meeting.is_public:
        revision = db.session.scalar(
            select(MinutesRevision).join(Minutes, Minutes.id == MinutesRevision.minutes_id)
            .where(Minutes.meeting_id == meeting.id, MinutesRevision.approved_at.is_not(None))
            .order_by(MinutesRevision.number.desc()).limit(1))
    if meeting is None or revision is None:
        raise NotFound(_("There is nothing at this address."))
    return meeting, revision


@dataclass
class Side:
    country: str
    commitments: list[Commitment] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)


@dataclass
class TwoSides:
    sides: list[Side]
    others: list[Commitment]

    @property
    def lagging(self) -> str | None:
        """The side whose average progress is lower (at equal progress, the one with more overdue)."""
        kz, tm = (side.tally for side in self.sides)
        if kz.progress is None or tm.progress is None:
            return None
        if kz.progress != tm.progress:
            return "KZ" if kz.progress < tm.progress else "TM"
        if kz.overdue != tm.overdue:
            return "KZ" if kz.overdue > tm.overdue else "TM"
        return None


def two_sides(recommendation: Recommendation, today: date) -> TwoSides:
    """A recommendation's commitments, the Kazakh and the Turkmen side next to each other (one query)."""
    commitments = _commitment_list(Commitment.recommendation_id == recommendation.id, limit=500)
    commitments.sort(key=lambda commitment: commitment.code)
    sides = {country: Side(country) for country in SIDES}
    others: list[Commitment] = []
    for commitment in commitments:
        side = sides.get(commitment.organisation.country_code)
        if side is None:
            others.append(commitment)
            continue
        side.commitments.append(commitment)
        side.tally.add(commitment.status, 1, commitment.progress, int(commitment.is_overdue(today)),
                       int(due_within(commitment, today)))
    return TwoSides(list(sides.values()), others)


def due_within(commitment: Commitment, today: date, days: int = DUE_SOON_DAYS) -> bool:
    return commitment.status in COMMITMENT_PENDING and today <= commitment.due_date <= today + timedelta(
        days=days)


# Export --------------------------------------------------------------------------------------------


def figure_rows(board: Dashboard) -> Iterator[tuple[str, str, str, Any]]:
    """The dashboard's figures as (block, row, measure, value) rows, in the reader's language."""
    total = board.commitments.total
    block = _("Commitments")
    yield block, _("All"), _("Commitments"), total.total
    yield block, _("All"), _("Average progress"), _blank(total.progress)
    yield block, _("All"), _("Overdue"), total.overdue
    yield block, _("All"), ngettext("Due within %(num)d day", "Due within %(num)d days",
                                    board.due_soon_days), total.due_soon
    for status in CommitmentStatus:
        yield _("Commitments by status"), status.label, _("Commitments"), total.count(status)
    for recommendation_status in RecommendationStatus:
        yield _("Recommendations by status"), recommendation_status.label, _("Recommendations"), \
            board.recommendations.total.get(recommendation_status, 0)
    for group in board.groups_with_figures:
        name = marked_localized(group.name, group.original_language)
        tally = board.commitments.group(group.id)
        yield _("Working groups"), name, _("Recommendations"), board.recommendations.group_count(group.id)
        yield _("Working groups"), name, _("Commitments"), tally.total
        yield _("Working groups"), name, _("Average progress"), _blank(tally.progress)
        yield _("Working groups"), name, _("Overdue"), tally.overdue
        for country in SIDES:
            side = board.commitments.side(group.id, country)
            yield _("Working groups"), name, _("%(country)s: progress", country=country), \
                _blank(side.progress)
            yield _("Working groups"), name, _("%(country)s: overdue", country=country), side.overdue
    for country in SIDES:
        tally = board.commitments.country(country)
        yield _("Countries"), country, _("Commitments"), tally.total
        yield _("Countries"), country, _("Average progress"), _blank(tally.progress)
        yield _("Countries"), country, _("Overdue"), tally.overdue
    for row in board.commitments.organisations:
        name = marked_localized(row.organisation.name, row.organisation.original_language)
        yield _("Organisations"), name, _("Commitments"), row.total
        yield _("Organisations"), name, _("Average progress"), _blank(row.progress)
        yield _("Organisations"), name, _("Overdue"), row.overdue
    for month in board.completed:
        yield _("Completed commitments per month"), month.month.strftime("%Y-%m"), _("Verified"), month.count
    for initiative in board.initiatives:
        yield _("Initiatives"), marked_localized(initiative.name, initiative.original_language), \
            _("Average progress"), _blank(initiative.progress)
    for indicator in board.indicators:
        unit = unit_label(indicator.unit)
        name = f"{marked_localized(indicator.name, indicator.original_language)} ({unit})"
        yield _("Indicators"), name, _("Baseline"), _blank(indicator.baseline_value)
        yield _("Indicators"), name, _("Target"), _blank(indicator.target_value)
        for observation in reversed(indicator.observations):
            yield _("Indicators"), name, observation.observed_on.isoformat(), \
                _blank(observation.value)


def _blank(value: Any) -> Any:
    """An empty cell for "no figure"; decimals without trailing zeros (438.2, not 438.2000)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value

