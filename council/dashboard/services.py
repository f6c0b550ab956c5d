"""What each dashboard shows: the council's, a working group's and an organisation's pages put together
from the figures (council/dashboard/figures.py), with their meetings and approved minutes. A page runs
the same number of queries whatever the volume.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    func,
    select,
)

from council import events, generations
from council.auth.permissions import require
from council.dashboard import meetings, slices
from council.dashboard.cache import completed_parts, page_parts
from council.dashboard.figures import (
    DUE_SOON_DAYS,
    TOP_ORGANISATIONS,
    CommitmentFigures,
    MonthCount,
    RecommendationFigures,
    Scope,
    commitment_figures,
    completed_per_month,
    indicators,
    initiatives,
    initiatives_progress,
    recommendation_figures,
)
from council.directory.models import (
    Country,
    Organisation,
    User,
    WorkingGroup,
)
from council.directory.services import GroupCard, council_sides, group_cards
from council.errors import Conflict
from council.extensions import db
from council.generations import EVERY_COUNCIL
from council.meetings.models import (
    Meeting,
    MeetingEvent,
)
from council.timeutil import council_today
from council.tracker.models import (
    Indicator,
    Initiative,
)

# Meetings -----------------------------------------------------------------------------------------


def set_minutes_public(actor: User, meeting: Meeting, is_public: bool) -> Meeting:
    """Show a meeting's approved minutes on the public portal, or take them off (its organisers)."""
    require(actor, "meeting.organise", meeting)
    if is_public and not db.session.scalar(select(meetings.approved_condition(meeting.id))):
        raise Conflict(_("Only approved minutes can be shown on the public portal."))
    if meeting.is_public != is_public:
        meeting.is_public = is_public
        kind = MeetingEvent.MINUTES_MADE_PUBLIC if is_public else MeetingEvent.MINUTES_MADE_PRIVATE
        events.record(kind, meeting, actor, meeting_id=meeting.id, group_id=meeting.group_id)
    return meeting


# The dashboards ------------------------------------------------------------------------------------


@dataclass
class Facts:
    groups: int
    organisations: dict[str, int]
    people: int


class Dashboard:
    """Every block of a dashboard. The figures are read when a block first asks for them: a block served
    from the cache (council/dashboard/cache.py) runs no query."""

    due_soon_days = DUE_SOON_DAYS

    def __init__(self, scope: Scope, today: date, reader: User) -> None:
        self.scope = scope
        self.today = today
        # Every generation the page depends on, in one round trip (its groups' ids, kept, take one more).
        groups = [slices.parts(scope.council_id, group) for group in self.group_ids] \
            if slices.applies(scope) else []
        generations.current([*page_parts(scope), *(part for each in groups for part in each)])
        self.meetings = meetings.upcoming(reader, scope)  # the reader's own: drafts if they may edit them
        self.minutes = meetings.approved(scope) if scope.organisation_id is None else []
        self._council_wide = scope.group_id is None and scope.organisation_id is None

    @cached_property
    def commitments(self) -> CommitmentFigures:
        top = TOP_ORGANISATIONS if self.scope.organisation_id is None else 0
        if slices.applies(self.scope):  # a sum of group slices, most of them from the cache
            return slices.commitment_figures(self.scope, self.today, self.group_ids, organisations=top)
        return commitment_figures(self.scope, self.today, organisations=top)

    @cached_property
    def recommendations(self) -> RecommendationFigures:
        """Of a council or a group: kept until the council's own generation moves (a recommendation's
        events move it; progress reports do not). An organisation's follow its commitments: not kept."""
        scope = self.scope
        if scope.organisation_id is not None or scope.owner_id is not None:
            return recommendation_figures(scope)
        slot = f"dashboard-recommendations:{scope.council_id}:{scope.group_id}:{int(scope.public)}"
        return generations.kept(slot, [EVERY_COUNCIL, str(scope.council_id)],
                                lambda: recommendation_figures(scope), timeout=slices.TIMEOUT)

    @cached_property
    def completed(self) -> list[MonthCount]:
        """Kept apart from the other figures: a progress report moves those and not this."""
        scope = self.scope
        slot = ":".join(str(part) for part in (
            "dashboard-completed", scope.council_id, scope.group_id, scope.organisation_id, scope.owner_id,
            int(scope.public), self.today.isoformat()))
        return generations.kept(slot, completed_parts(scope), lambda: completed_per_month(scope, self.today),
                                timeout=slices.TIMEOUT)

    @cached_property
    def groups(self) -> list[WorkingGroup]:
        return _groups(self.scope.council_id)

    @cached_property
    def group_ids(self) -> list[int]:
        """The ids of `groups`, in their order: kept until the council's own generation moves (a group
        made, renamed or closed is a directory event, which moves it), so that a dashboard whose blocks
        come from the cache loads no group."""
        council = self.scope.council_id
        return generations.kept(f"dashboard-group-ids:{council}", [EVERY_COUNCIL, str(council)],
                                lambda: [group.id for group in _groups(council)], timeout=slices.TIMEOUT)

    @cached_property
    def countries(self) -> list[Country]:
        return countries(self.scope.council_id)

    @cached_property
    def initiatives(self) -> list[Initiative]:
        return initiatives(self.scope)

    @cached_property
    def indicators(self) -> list[Indicator]:
        return [] if self.scope.organisation_id is not None else indicators(self.scope)

    @cached_property
    def facts(self) -> Facts | None:
        """The council's directory in numbers: kept until the council's own generation moves (the
        directory's events move it; progress reports do not)."""
        if not self._council_wide:
            return None
        council = self.scope.council_id
        return generations.kept(f"dashboard-facts:{council}", [EVERY_COUNCIL, str(council)],
                                lambda: _facts(council), timeout=slices.TIMEOUT)

    @cached_property
    def group_cards(self) -> list[GroupCard]:
        """The council's home shows each group's co-chairs and size."""
        return group_cards(self.groups) if self._council_wide else []

    def shown_figures(self) -> tuple[Any, ...]:
        """Every value the figures block shows, as shown: a block rendered for the same values is the
        same (council/dashboard/cache.py serves it again after a report that moved no shown number)."""
        return (self.shown_tallies(), self.commitments.shown_organisations(),
                [(month.month, month.count) for month in self.completed])

    def shown_tallies(self) -> tuple[Any, ...]:
        """What the council's figures block shows: its organisations' rows and trend are blocks of their
        own, so that a report moving one organisation's average renders those ten rows again, not the
        council's hundreds of figures."""
        return (self.facts, [country.code for country in self.countries],
                self.group_ids_with_figures, self.commitments.shown(organisations=False),
                self.recommendations.shown())

    def shown_organisations(self) -> tuple[Any, ...]:
        return self.commitments.shown_organisations()

    def shown_initiatives(self) -> list[tuple[int, int | None]]:
        """What the initiatives block shows that a report can change: which initiatives, and their
        progress. Their names and milestones are the council's own records, whose events move the
        council's generations (the block is then rendered anew whatever this says). Asked right after
        the block was rendered, from what it read; else in one query, without the milestones."""
        if "initiatives" in self.__dict__:  # functools.cached_property keeps its value there
            return [(initiative.id, initiative.progress) for initiative in self.initiatives]
        return initiatives_progress(self.scope)

    @property
    def groups_with_figures(self) -> list[WorkingGroup]:
        """The groups a row is shown for: all of the council's, or those the scope has records in."""
        shown = set(self.group_ids_with_figures)
        return [group for group in self.groups if group.id in shown]

    @property
    def group_ids_with_figures(self) -> list[int]:
        if self.scope.organisation_id is None and self.scope.group_id is None:
            return self.group_ids
        return [group_id for group_id in self.group_ids if group_id in self.commitments.by_group
                or group_id in self.recommendations.by_group]


def _groups(council_id: int) -> list[WorkingGroup]:
    query = (select(WorkingGroup).where(WorkingGroup.council_id == council_id)
             .order_by(WorkingGroup.active.desc(), WorkingGroup.code))
    return list(db.session.scalars(query))


def countries(council_id: int, sides: Sequence[str] | None = None) -> list[Country]:
    """The countries of the council's sides (`sides`, their codes, when the page has read them already).
    Without `sides`, kept until the council's own generation moves (an organisation of a new country is
    a directory event, which moves it): every dashboard shows them, and they hardly ever change."""
    if sides is not None:
        return _countries(sides)
    kept = generations.kept(f"dashboard-countries:{council_id}", [EVERY_COUNCIL, str(council_id)],
                            lambda: [(country.code, country.name, country.time_zone)
                                     for country in _countries(council_sides(council_id))],
                            timeout=slices.TIMEOUT)
    # Plain, unsaved copies: a kept value never joins this request's session.
    return [Country(code=code, name=dict(name), time_zone=zone) for code, name, zone in kept]


def _countries(codes: Sequence[str]) -> list[Country]:
    return list(db.session.scalars(select(Country).where(Country.code.in_(codes)).order_by(Country.code)))


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
    """A council, working-group or organisation dashboard (a fixed number of queries, fewer when its
    blocks come from the cache)."""
    return Dashboard(scope, today or council_today(), reader)


def can_view(user: User, council_id: int) -> None:
    require(user, "tracker.view", council_id)
