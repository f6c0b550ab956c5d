"""The public portal: councils, groups, recommendations and minutes that were made public."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Select,
    exists,
    func,
    select,
)
from sqlalchemy.orm import joinedload, selectinload

from council.dashboard.figures import (
    DUE_SOON_DAYS,
    CommitmentFigures,
    RecommendationFigures,
    Scope,
    commitment_figures,
    recommendation_figures,
)
from council.dashboard.meetings import approved_condition, approved_minutes
from council.dashboard.services import _groups, countries
from council.directory.models import (
    Council,
    Country,
    Organisation,
    WorkingGroup,
)
from council.directory.services import council_sides
from council.errors import NotFound
from council.extensions import db
from council.meetings.models import (
    Meeting,
    Minutes,
    MinutesRevision,
)
from council.tracker.models import (
    COMMITMENT_PENDING,
    Commitment,
    Indicator,
    Recommendation,
    RecommendationStatus,
    overdue_condition,
)


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


class PublicFigures:
    """What the portal's overview and a group's page show of a public scope: the same for every visitor,
    so the pages keep them in the dashboards' cache (council/dashboard/cache.py). Each is read when a
    block first asks for it: a block served from the cache runs no query."""

    def __init__(self, scope: Scope, today: date) -> None:
        self.scope = scope
        self.today = today

    @cached_property
    def commitments(self) -> CommitmentFigures:
        return commitment_figures(self.scope, self.today)

    @cached_property
    def recommendations(self) -> RecommendationFigures:
        return recommendation_figures(self.scope)

    @cached_property
    def groups(self) -> list[WorkingGroup]:
        return public_groups(self.scope.council_id)

    @cached_property
    def countries(self) -> list[Country]:
        return countries(self.scope.council_id)

    @cached_property
    def indicator_count(self) -> int:
        return public_indicator_count(self.scope.council_id)

    @cached_property
    def minutes(self) -> list[Meeting]:
        return approved_minutes(self.scope)


@dataclass
class PublicFilters:
    """The public list's filters; commitment conditions mean "has a commitment that …"."""

    group_id: int | None = None
    status: str | None = None
    country: str | None = None
    overdue: bool = False
    text: str | None = None

    @property
    def through_commitments(self) -> bool:
        """Are recommendations kept for a commitment that matches (an EXISTS each; the count is bounded)?"""
        return bool(self.country or self.overdue)


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
    if filters.country in council_sides(council.id):
        conditions.append(Organisation.country_code == filters.country)
    if filters.overdue:
        conditions.append(overdue_condition(today))
    if conditions:
        query = query.where(exists(select(Commitment.id).join(Commitment.organisation).where(
            Commitment.recommendation_id == Recommendation.id, *conditions)))
    return query.order_by(Recommendation.code, Recommendation.id)


def public_recommendation(council: Council, recommendation_id: int) -> Recommendation:
    recommendation = db.session.get(Recommendation, recommendation_id,
                                    options=[joinedload(Recommendation.group)])
    if recommendation is None or recommendation.council_id != council.id or not recommendation.is_public:
        raise NotFound(_("There is nothing at this address."))
    return recommendation


def public_minutes_query(council: Council) -> Select[Any]:
    """Meetings whose approved minutes are marked public, the latest first."""
    return (select(Meeting).where(Meeting.council_id == council.id, Meeting.is_public.is_(True),
                                  approved_condition(Meeting.id))
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


def due_within(commitment: Commitment, today: date, days: int = DUE_SOON_DAYS) -> bool:
    return commitment.status in COMMITMENT_PENDING and today <= commitment.due_date <= today + timedelta(
        days=days)
