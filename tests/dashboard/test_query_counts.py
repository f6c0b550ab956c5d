"""Pages issue the same number of queries whatever the volume: no query per row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy import event

from council.extensions import db
from council.tracker.models import CommitmentStatus, Milestone, Observation
from tests.dashboard.conftest import approved
from tests.factories import (
    CommitmentFactory,
    IndicatorFactory,
    InitiativeFactory,
    OrganisationFactory,
    RecommendationFactory,
    UserFactory,
    WorkingGroupFactory,
)
from tests.meetings.conftest import Meetings


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def more_of_everything(tracked, times: int) -> None:
    """Add `times` more groups, organisations, recommendations, commitments, initiatives, indicators,
    meetings and public approved minutes."""
    world = tracked.world
    meetings = Meetings(world)
    for n in range(times):
        group = WorkingGroupFactory(council=world.council)
        organisation = OrganisationFactory(council=world.council, turkmen=n % 2 == 1)
        owner = UserFactory(organisation=organisation)
        initiative = InitiativeFactory(council=world.council, group=group)
        initiative.milestones.append(Milestone(title={"en": f"Milestone {n}"}, due_date=date.today()))
        indicator = IndicatorFactory(council=world.council, group=group, is_public=True)
        indicator.observations.append(Observation(observed_on=date.today() - timedelta(days=n), value=n,
                                                  source="test"))
        for public in (True, False):
            recommendation = RecommendationFactory(group=group, is_public=public)
            for status in (CommitmentStatus.IN_PROGRESS, CommitmentStatus.REPORTED_DONE):
                for holder in (world.kz_org, world.tm_org, organisation):
                    CommitmentFactory(recommendation=recommendation, organisation=holder, status=status,
                                      owner=world.member if holder is world.kz_org else owner,
                                      initiative=initiative, due_date=date.today() - timedelta(days=n))
        meetings.published(group=group, invite=False, title={"ru": f"Совещание {n}"})
        approved(meetings, title={"ru": f"Протокол {n}"}).is_public = True
    db.session.commit()


def pages(tracked) -> list[str]:
    world = tracked.world
    base = f"/public/{world.council.slug}"
    return ["/dashboard", f"/dashboard/groups/{world.group.id}",
            f"/dashboard/organisations/{world.kz_org.id}", "/dashboard/organisations", "/my-work",
            "/dashboard/figures.csv", base, f"{base}/recommendations", f"{base}/indicators",
            f"{base}/recommendations?country=TM&overdue=1", "/dashboard/organisations?sort=progress",
            f"{base}/groups/{world.group.id}",
            f"{base}/recommendations/{tracked.recommendations['R1'].id}", f"{base}/minutes",
            f"{base}/minutes/{tracked.public_minutes_id}"]


def queries_per_page(client, tracked) -> dict[str, int]:
    counts = {}
    for url in pages(tracked):
        with counted() as statements:
            assert client.get(url).status_code == 200, url
        counts[url] = len(statements)
    return counts


def test_queries_per_page_do_not_grow_with_the_data(client, auth, tracked):
    auth.login(tracked.world.secretary)
    more_of_everything(tracked, 1)
    minutes = approved(Meetings(tracked.world), title={"ru": "Открытый протокол"})
    minutes.is_public = True
    db.session.commit()
    tracked.public_minutes_id = minutes.id
    before = queries_per_page(client, tracked)
    more_of_everything(tracked, 6)
    after = queries_per_page(client, tracked)
    assert after == before
    assert max(before.values()) <= 25, before
