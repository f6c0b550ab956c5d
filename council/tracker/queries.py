"""Read side of the tracker: filtered and sorted lists, the two-country view, history.

Everything is computed in SQL; lists are paginated and pages need a constant number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, select, union
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from council.directory.models import Organisation, User, WorkingGroup
from council.directory.services import council_sides
from council.events import Event, history_query
from council.extensions import db
from council.tracker.models import (
    PRIORITY_ORDER,
    Commitment,
    CommitmentCount,
    CommitmentStatus,
    Initiative,
    Observation,
    ProgressUpdate,
    Recommendation,
    TrackerEvent,
    due_within_condition,
    overdue_condition,
)
from council.tracker.search import matching_ids

MAX_DUE_WITHIN = 3650


@dataclass
class Filters:
    """What a list of recommendations or commitments is narrowed to, from the page's query string."""

    group_id: int | None = None
    country: str | None = None
    organisation_id: int | None = None
    owner_id: int | None = None
    status: str | None = None
    overdue: bool = False
    due_within: int | None = None
    text: str | None = None
    sort: str = ""

    @property
    def narrowed(self) -> bool:
        """Is the list narrowed at all (the order aside)?"""
        return bool(self.group_id or self.status or self.text or self.through_commitments)

    @property
    def through_commitments(self) -> bool:
        """Does a list of recommendations keep those with a commitment that matches (an EXISTS each)?"""
        return bool(self.country or self.organisation_id or self.owner_id or self.overdue
                    or self.due_within is not None)

    def as_args(self) -> dict[str, Any]:
        """The query-string arguments that reproduce these filters (for export links)."""
        args = {"group": self.group_id, "country": self.country, "organisation": self.organisation_id,
                "owner": self.owner_id, "status": self.status, "overdue": "1" if self.overdue else None,
                "due_within": self.due_within, "q": self.text, "sort": self.sort or None}
        return {key: value for key, value in args.items() if value not in (None, "")}

    def narrowing_args(self) -> dict[str, Any]:
        """`as_args` but the order: what decides which rows the list has."""
        return {key: value for key, value in self.as_args().items() if key != "sort"}


def _commitment_conditions(filters: Filters, today: date) -> list[ColumnElement[bool]]:
    """Conditions on Commitment (joined to its Organisation) for the filters about commitments."""
    conditions: list[ColumnElement[bool]] = []
    if filters.country:
        conditions.append(Organisation.country_code == filters.country)
    if filters.organisation_id:
        conditions.append(Commitment.organisation_id == filters.organisation_id)
    if filters.owner_id:
        conditions.append(Commitment.owner_id == filters.owner_id)
    if filters.overdue:
        conditions.append(overdue_condition(today))
    if filters.due_within is not None:
        conditions.append(due_within_condition(today, filters.due_within))
    return conditions


# Recommendations ----------------------------------------------------------------------------------

RECOMMENDATION_SORTS: dict[str, Any] = {
    "code": Recommendation.code,
    "-code": Recommendation.code.desc(),
    "priority": case(PRIORITY_ORDER, value=Recommendation.priority),
    "status": Recommendation.status,
    "progress": Recommendation.progress.asc().nulls_first(),
    "-progress": Recommendation.progress.desc().nulls_last(),
    "-created": Recommendation.created_at.desc(),
}


def recommendations_query(council_id: int, filters: Filters, today: date) -> Select[Any]:
    query = select(Recommendation).where(Recommendation.council_id == council_id)
    if filters.group_id:
        query = query.where(Recommendation.group_id == filters.group_id)
    if filters.status:
        query = query.where(Recommendation.status == filters.status)
    if filters.text:
        query = query.where(Recommendation.id.in_(matching_ids(Recommendation, filters.text)))
    conditions = _commitment_conditions(filters, today)
    if conditions:
        query = query.where(exists(
            select(Commitment.id).join(Commitment.organisation)
            .where(Commitment.recommendation_id == Recommendation.id, *conditions)))
    order = RECOMMENDATION_SORTS.get(filters.sort, Recommendation.code)
    return query.order_by(order, Recommendation.id)


@dataclass
class CommitmentCounts:
    total: int = 0
    overdue: int = 0
    waiting: int = 0  # reported done, waiting for verification


def commitment_counts(recommendation_ids: list[int], today: date) -> dict[int, CommitmentCounts]:
    """For a page of recommendations: how many commitments each has, overdue, waiting (one query)."""
    if not recommendation_ids:
        return {}
    rows = db.session.execute(
        select(Commitment.recommendation_id, func.count(),
               func.sum(case((overdue_condition(today), 1), else_=0)),
               func.sum(case((Commitment.status == CommitmentStatus.REPORTED_DONE, 1), else_=0)))
        .where(Commitment.recommendation_id.in_(recommendation_ids))
        .group_by(Commitment.recommendation_id))
    return {rid: CommitmentCounts(total, int(overdue or 0), int(waiting or 0))
            for rid, total, overdue, waiting in rows}


# Commitments ----------------------------------------------------------------------------------------

Owner = aliased(User, name="owner")

COMMITMENT_SORTS: dict[str, Any] = {
    "due": Commitment.due_date,
    "-due": Commitment.due_date.desc(),
    "code": Commitment.code,
    "status": Commitment.status,
    "progress": Commitment.progress,
    "-progress": Commitment.progress.desc(),
    "organisation": Organisation.code,
    "owner": Owner.name,
}


def _matching_commitments(words: str) -> Any:
    """SQL: the ids of the commitments whose own text, recommendation's, organisation's or owner's holds
    `words`: each part read through an index (council/tracker/search.py), then put together."""
    return union(
        matching_ids(Commitment, words),
        select(Commitment.id).where(Commitment.recommendation_id.in_(matching_ids(Recommendation, words))),
        select(Commitment.id).where(Commitment.organisation_id.in_(matching_ids(Organisation, words))),
        select(Commitment.id).where(Commitment.owner_id.in_(matching_ids(User, words))))


def _commitment_filters(query: Select[Any], council_id: int, filters: Filters, today: date) -> Select[Any]:
    query = query.where(Commitment.council_id == council_id, *_commitment_conditions(filters, today))
    if filters.group_id:
        query = query.where(Commitment.group_id == filters.group_id)
    if filters.status:
        query = query.where(Commitment.status == filters.status)
    if filters.text:
        query = query.where(Commitment.id.in_(_matching_commitments(filters.text)))
    return query


def _commitments_base(council_id: int, filters: Filters, today: date) -> Select[Any]:
    query = (select(Commitment).join(Commitment.organisation).join(Commitment.recommendation)
             .outerjoin(Owner, Commitment.owner_id == Owner.id))
    order = COMMITMENT_SORTS.get(filters.sort, Commitment.due_date)
    return _commitment_filters(query, council_id, filters, today).order_by(order, Commitment.id)


def commitment_ids(council_id: int, filters: Filters, today: date) -> Select[Any]:
    """The ids of the commitments a list shows, without its joins (every commitment has its organisation
    and recommendation, and the owner's is an outer join): what the pager counts, off the indexes of
    commitment alone. The organisation is joined only for the country filter."""
    query = select(Commitment.id)
    if filters.country:
        query = query.join(Commitment.organisation)
    return _commitment_filters(query, council_id, filters, today)


def commitment_total(council_id: int) -> int:
    """How many commitments the council has (kept as they are recorded: CommitmentCount)."""
    return db.session.scalar(select(CommitmentCount.total)
                             .where(CommitmentCount.council_id == council_id)) or 0


def commitment_order(ids: Select[Any], filters: Filters) -> Select[Any]:
    """The commitments' `ids` (commitment_ids) in the list's order: a page is taken from these (off
    commitment's indexes, joined to the organisation or the owner only when the filter or the sort
    needs it), and only that page's rows are read with their joins (council.web.paginate)."""
    if filters.sort == "organisation" and not filters.country:
        ids = ids.join(Commitment.organisation)
    if filters.sort == "owner":
        ids = ids.outerjoin(Owner, Commitment.owner_id == Owner.id)
    return ids.order_by(COMMITMENT_SORTS.get(filters.sort, Commitment.due_date), Commitment.id)


def _with_joins(query: Select[Any]) -> Select[Any]:
    """`query` of commitments with their organisation, recommendation and owner loaded by it.

    The recommendation's derived progress (a correlated average over its commitments) is left out: the
    list does not show it, and computed for every filtered row before the sort it was most of the
    query's time."""
    return query.options(
        contains_eager(Commitment.organisation),
        contains_eager(Commitment.recommendation).defer(Recommendation.progress),
        contains_eager(Commitment.owner.of_type(Owner)))


def commitments_query(council_id: int, filters: Filters, today: date) -> Select[Any]:
    """Commitments with their organisation, recommendation and owner loaded by the same query."""
    return _with_joins(_commitments_base(council_id, filters, today))


def commitments_with_joins(council_id: int) -> Select[Any]:
    """The council's commitments with their organisation, recommendation and owner, unfiltered: a list
    reads the rows of a page whose ids it found already (`Commitment.id.in_(…)`)."""
    return _with_joins(select(Commitment).join(Commitment.organisation).join(Commitment.recommendation)
                       .outerjoin(Owner, Commitment.owner_id == Owner.id)
                       .where(Commitment.council_id == council_id))


def owners_with_commitments(council_id: int, limit: int = 300) -> list[tuple[int, str]]:
    """People who own at least one commitment: the choices of the owner filter."""
    rows = db.session.execute(
        select(User.id, User.name).where(User.council_id == council_id, exists(
            select(Commitment.id).where(Commitment.owner_id == User.id)))
        .order_by(User.name).limit(limit))
    return [(user_id, name) for user_id, name in rows]


# Exports: plain rows from one streamed query ---------------------------------------------------------


def commitment_export_rows(council_id: int, filters: Filters, today: date) -> Any:
    """One streamed query of every column the export writes (no ORM objects, no per-row queries)."""
    base = _commitments_base(council_id, filters, today).join(
        WorkingGroup, Commitment.group_id == WorkingGroup.id)
    counterpart = aliased(Commitment, name="counterpart")
    query = (base.outerjoin(counterpart, Commitment.counterpart_id == counterpart.id)
             .outerjoin(Initiative, Commitment.initiative_id == Initiative.id)
             .with_only_columns(
                 Commitment.code, Recommendation.code.label("recommendation"),
                 Organisation.code.label("organisation"), Owner.email.label("owner_email"),
                 Owner.id.label("owner_id"),
                 Commitment.description, Commitment.original_language, Commitment.start_date,
                 Commitment.due_date, counterpart.code.label("counterpart"),
                 Initiative.code.label("initiative"), WorkingGroup.code.label("group"),
                 Organisation.country_code.label("country"),
                 Organisation.name.label("organisation_name"),
                 Organisation.original_language.label("organisation_language"),
                 Owner.name.label("owner_name"), Commitment.status, Commitment.progress,
                 overdue_condition(today).label("overdue"), Commitment.last_reported_at,
                 maintain_column_froms=True))
    return db.session.execute(query.execution_options(yield_per=500))


def recommendation_export_rows(council_id: int, filters: Filters, today: date) -> Any:
    counts = (select(Commitment.recommendation_id, func.count().label("total"),
                     func.sum(case((overdue_condition(today), 1), else_=0)).label("overdue"))
              .group_by(Commitment.recommendation_id).subquery())
    query = (recommendations_query(council_id, filters, today)
             .join(WorkingGroup, Recommendation.group_id == WorkingGroup.id)
             .outerjoin(counts, counts.c.recommendation_id == Recommendation.id)
             .with_only_columns(
                 Recommendation.code, WorkingGroup.code.label("group"), Recommendation.title,
                 Recommendation.text, Recommendation.original_language, Recommendation.source,
                 Recommendation.source_reference, Recommendation.priority, Recommendation.is_public,
                 Recommendation.status, Recommendation.status_reason, Recommendation.progress,
                 func.coalesce(counts.c.total, 0).label("commitments"),
                 func.coalesce(counts.c.overdue, 0).label("overdue_commitments"),
                 maintain_column_froms=True))
    return db.session.execute(query.execution_options(yield_per=500))


# The two-country view -------------------------------------------------------------------------------


def average_progress(total: int, count: int) -> int | None:
    """A rounded average, half up like SQL's round(), so that figures computed in Python and in SQL agree
    (Python's round() would take 62.5 to 62)."""
    return (2 * total + count) // (2 * count) if count else None


@dataclass
class Side:
    """One side's commitments under a recommendation; cancelled ones are listed but not averaged."""

    country: str
    commitments: list[Commitment] = field(default_factory=list)
    overdue: int = 0

    @property
    def progress(self) -> int | None:
        counted = [c.progress for c in self.commitments if c.status != CommitmentStatus.CANCELLED]
        return average_progress(sum(counted), len(counted))


def lagging_side(sides: list[Side]) -> str | None:
    """The side behind: the lower average progress, at equal progress the more overdue commitments; None
    when the sides are level or a side has nothing to average."""
    if len(sides) < 2 or any(side.progress is None for side in sides):
        return None
    ranked = sorted(sides, key=lambda side: (side.progress, -side.overdue))
    first, second = ranked[0], ranked[1]
    if (first.progress, first.overdue) == (second.progress, second.overdue):
        return None
    return first.country


@dataclass
class TwoCountryView:
    sides: list[Side]
    others: list[Commitment]  # commitments of organisations of no side

    @property
    def lagging(self) -> str | None:
        """The country code of the side behind, or None when level or one-sided."""
        return lagging_side(self.sides)


def two_country_view(recommendation: Recommendation, today: date, *, people: bool = True) -> TwoCountryView:
    """A recommendation's commitments, each side's next to the other's, and which side lags.

    The internal recommendation page and the public portal both show this one view, so they agree. With
    `people=False` (the portal, which names no one) the owners and counterparts are not read.
    """
    query = (select(Commitment).join(Commitment.organisation)
             .where(Commitment.recommendation_id == recommendation.id)
             .options(contains_eager(Commitment.organisation)).order_by(Commitment.code))
    if people:
        query = query.options(selectinload(Commitment.owner), selectinload(Commitment.counterpart))
    commitments = list(db.session.scalars(query))
    sides = {code: Side(code) for code in council_sides(recommendation.council_id)}
    others: list[Commitment] = []
    for commitment in commitments:
        side = sides.get(commitment.organisation.country_code)
        if side is None:
            others.append(commitment)
            continue
        side.commitments.append(commitment)
        side.overdue += commitment.is_overdue(today)
    return TwoCountryView(list(sides.values()), others)


# History ---------------------------------------------------------------------------------------------


HISTORY_PER_PAGE = 20
REPORTS_PER_PAGE = 10
OBSERVATIONS_PER_PAGE = 25


@dataclass
class NewestFirst:
    """One page of a section of a record's page (its progress reports, its history), newest first:
    page 1 is the latest; the pages before it are never cut off."""

    items: list[Any]
    page: int
    pages: int


def newest_first(query: Select[Any], per_page: int, page: int | None) -> NewestFirst:
    """Page `page` of `query` (ordered newest first; past the last page, the last). Most records fit on
    one page: their rows are read with one query, and the rows are counted only when there are more.
    Page 1, the one a record's page opens on, is read once however many pages there are."""
    first = (page or 1) <= 1
    if first:
        rows = _rows(query.limit(per_page + 1))
        if len(rows) <= per_page:
            return NewestFirst(rows, 1, 1)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(-(-total // per_page), 1)
    if first:
        return NewestFirst(rows[:per_page], 1, pages)
    shown = min(page or 1, pages)
    return NewestFirst(_rows(query.offset((shown - 1) * per_page).limit(per_page)), shown, pages)


def _rows(query: Select[Any]) -> list[Any]:
    """The query's entities, or its rows when it selects more than one thing; each once (a collection
    read with joinedload repeats its parent's row)."""
    result = db.session.execute(query).unique()
    return list(result.scalars() if len(query.column_descriptions) == 1 else result)


@dataclass
class HistoryEntry:
    event: Event
    actor_name: str | None
    names: dict[int, str]  # people named in the payload (owners), by id


def history_of(subject_type: str, subject_id: int, page: int | None = None) -> NewestFirst:
    """A page of a record's events, newest first, with the names of who acted (read with them) and of
    owners mentioned."""
    events = newest_first(history_query(subject_type, subject_id)
                          .outerjoin(User, User.id == Event.actor_id).add_columns(User.name),
                          HISTORY_PER_PAGE, page)
    mentioned = {value for event, _ in events.items if event.kind == TrackerEvent.COMMITMENT_OWNER_CHANGED
                 for value in (event.payload.get("from"), event.payload.get("to")) if value}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(mentioned))).all()) \
        if mentioned else {}
    events.items = [HistoryEntry(event, actor_name, names) for event, actor_name in events.items]
    return events


# What a commitment's page shows of its neighbours, read with it in its one statement: of its initiative
# the name only (not its progress, an average over all of the initiative's commitments).
COMMITMENT_PAGE_LOADS = (joinedload(Commitment.recommendation), joinedload(Commitment.organisation),
                         joinedload(Commitment.owner),
                         joinedload(Commitment.counterpart).joinedload(Commitment.organisation),
                         joinedload(Commitment.initiative).load_only(Initiative.name,
                                                                     Initiative.original_language))


def progress_reports(commitment_id: int, page: int | None = None) -> NewestFirst:
    """A page of a commitment's progress reports, newest first, with their evidence and authors."""
    return newest_first(select(ProgressUpdate).where(ProgressUpdate.commitment_id == commitment_id)
                        .options(joinedload(ProgressUpdate.evidence), joinedload(ProgressUpdate.author))
                        .order_by(ProgressUpdate.id.desc()), REPORTS_PER_PAGE, page)


# Indicators ----------------------------------------------------------------------------------------------


def observations_of(indicator_id: int, page: int | None = None) -> NewestFirst:
    """A page of an indicator's recorded values, the latest first."""
    return newest_first(select(Observation).where(Observation.indicator_id == indicator_id)
                        .order_by(Observation.observed_on.desc(), Observation.id.desc()),
                        OBSERVATIONS_PER_PAGE, page)


def latest_observations(indicator_ids: list[int]) -> dict[int, Observation]:
    """The most recent value of each indicator on a page (one query)."""
    if not indicator_ids:
        return {}
    latest = (select(Observation.indicator_id, func.max(Observation.observed_on).label("day"))
              .where(Observation.indicator_id.in_(indicator_ids))
              .group_by(Observation.indicator_id).subquery())
    rows = db.session.scalars(select(Observation).join(latest, and_(
        Observation.indicator_id == latest.c.indicator_id, Observation.observed_on == latest.c.day)))
    return {row.indicator_id: row for row in rows}
