"""Dashboard figures computed in SQL, checked against the records of `tracked` (see conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from council.dashboard import figures as dashboard_figures
from council.dashboard import my_work, portal
from council.dashboard.figures import Scope
from council.errors import NotAllowed
from council.events import history
from council.extensions import db
from council.timeutil import council_today
from council.tracker import queries
from council.tracker.models import CommitmentStatus as CS
from tests.factories import CommitmentFactory, RecommendationFactory


def test_commitments_by_status_group_and_country(tracked):
    world = tracked.world
    figures = dashboard_figures.commitment_figures(Scope(world.council.id), council_today())
    total = figures.total
    assert total.total == 6
    assert {status: total.count(status) for status in CS} == {
        CS.PLANNED: 1, CS.IN_PROGRESS: 1, CS.REPORTED_DONE: 1, CS.VERIFIED: 1, CS.BLOCKED: 1,
        CS.CANCELLED: 1}
    # C2 and C6 are late; C3 is done and C5 cancelled, so their past due dates do not count.
    assert total.overdue == 2
    # C1 is due in 5 days; C4 in 30 days and already reported done.
    assert total.due_soon == 1
    # Average of the five not cancelled: (40 + 0 + 100 + 100 + 20) / 5.
    assert total.progress == 52
    trade = figures.group(world.group.id)
    assert (trade.total, trade.progress, trade.overdue, trade.due_soon) == (5, 60, 1, 1)
    assert (figures.side(world.group.id, "KZ").progress, figures.side(world.group.id, "TM").progress) \
        == (70, 50)
    assert figures.side(tracked.ecology.id, "KZ").progress is None
    assert figures.side(tracked.ecology.id, "TM").overdue == 1
    assert (figures.country("KZ").progress, figures.country("TM").progress) == (70, 40)
    assert (figures.country("KZ").overdue, figures.country("TM").overdue) == (0, 2)


def test_scopes_narrow_the_same_figures(tracked):
    world = tracked.world
    today = council_today()
    by_group = dashboard_figures.commitment_figures(
        Scope(world.council.id, group_id=tracked.ecology.id), today)
    assert (by_group.total.total, by_group.total.progress) == (1, 20)
    by_organisation = dashboard_figures.commitment_figures(
        Scope(world.council.id, organisation_id=world.kz_org.id), today)
    assert (by_organisation.total.total, by_organisation.total.progress,
            by_organisation.total.overdue) == (3, 70, 0)
    mine = dashboard_figures.commitment_figures(Scope(world.council.id, owner_id=world.member.id), today)
    assert mine.total.total == 2 and mine.total.progress == 40
    public = dashboard_figures.commitment_figures(Scope(world.council.id, public=True), today)
    assert public.total.total == 2  # C1 and C2, under the public R1
    assert (public.country("KZ").progress, public.country("TM").progress) == (40, 0)


def test_recommendations_by_group_and_status(tracked):
    world = tracked.world
    figures = dashboard_figures.recommendation_figures(Scope(world.council.id))
    assert figures.total == {"adopted": 2, "proposed": 1, "implemented": 1}
    assert figures.group_count(world.group.id) == 2
    assert figures.group_status(tracked.ecology.id, "implemented") == 1
    public = dashboard_figures.recommendation_figures(Scope(world.council.id, public=True))
    assert public.total == {"adopted": 1, "proposed": 1}
    # An organisation's recommendations are those it has commitments under.
    by_organisation_scope = Scope(world.council.id, organisation_id=world.kz_org.id)
    assert dashboard_figures.recommendation_figures(by_organisation_scope).total == {"adopted": 2}


def test_completed_per_month_follows_the_councils_calendar(tracked):
    world = tracked.world
    today = council_today()
    month_start = today.replace(day=1)
    # 20:00 UTC on the last day of the previous month is already this month in Aqtau (UTC+5).
    evening = datetime.combine(month_start - timedelta(days=1), datetime.min.time(), tzinfo=UTC) \
        + timedelta(hours=20)
    noon = evening - timedelta(hours=8)
    long_ago = datetime.now(UTC) - timedelta(days=400)
    for code, moment in (("LATE-EVENING", evening), ("NOON", noon), ("OLD", long_ago)):
        CommitmentFactory(code=code, recommendation=tracked.recommendations["R2"],
                          organisation=world.kz_org, status=CS.VERIFIED, progress=100, verified_at=moment)
    months = dashboard_figures.completed_per_month(Scope(world.council.id), today)
    assert len(months) == 12 and months[-1].month == month_start
    assert months[-1].count == 2  # C3 (verified now) and the late-evening one
    assert months[-2].count == 1  # noon on the last day of the previous month
    assert sum(month.count for month in months) == 3  # a year and more ago is outside the trend


def test_organisations_sorted_by_overdue(tracked):
    world = tracked.world
    rows = dashboard_figures.commitment_figures(Scope(world.council.id), council_today(),
                                       organisations=10).organisations
    assert [(row.organisation.id, row.total, row.overdue, row.progress, row.done) for row in rows] == [
        (world.tm_org.id, 3, 2, 40, 0), (world.kz_org.id, 3, 0, 70, 1)]
    by_progress = dashboard_figures.organisations_page(Scope(world.council.id), council_today(), page=1,
                                              per_page=10, sort="-progress").items
    assert [row.organisation.id for row in by_progress] == [world.kz_org.id, world.tm_org.id]
    page = dashboard_figures.organisations_page(Scope(world.council.id), council_today(), page=2, per_page=1)
    assert (page.total, page.pages, [row.organisation.id for row in page.items]) == \
        (2, 2, [world.kz_org.id])


def test_my_work_for_a_member_a_co_chair_and_a_secretary(tracked):
    world = tracked.world
    work = my_work.my_work(world.member)
    assert [c.code for c in work.my_commitments] == ["C1"]  # C5 is cancelled
    assert work.mine.total == 2
    assert work.organisation is not None and work.organisation.total == 3
    assert [c.code for c in work.organisation_attention] == ["C1"]  # due within 14 days
    assert work.verification.group_ids == [] and work.verification.total == 0
    tm_work = my_work.my_work(world.tm_member)
    assert [c.code for c in tm_work.organisation_attention] == ["C2", "C6"]  # overdue, by due date
    chair = my_work.my_work(world.kz_chair).verification
    assert chair.group_ids == [world.group.id] and chair.counts == {world.group.id: 1}
    assert [c.code for c in chair.commitments] == ["C4"]
    assert my_work.my_work(world.secretary).verification.group_ids is None


def test_two_sides_of_a_recommendation(tracked):
    view = queries.two_country_view(tracked.recommendations["R2"], council_today())
    kz, tm = view.sides
    assert [c.code for c in kz.commitments] == ["C3", "C5"] and kz.progress == 100
    assert [c.code for c in tm.commitments] == ["C4"] and tm.progress == 100
    assert view.lagging is None
    view = queries.two_country_view(tracked.recommendations["R1"], council_today())
    assert view.lagging == "TM"


def test_only_secretaries_publish_indicators(tracked):
    world = tracked.world
    indicator = tracked.private_indicator
    with pytest.raises(NotAllowed):
        dashboard_figures.set_indicator_public(world.kz_chair, indicator, True)
    dashboard_figures.set_indicator_public(world.secretary, indicator, True)
    db.session.commit()
    assert indicator.is_public
    assert history("indicator", indicator.id)[0].payload["changes"] == {"is_public": [False, True]}


def test_public_list_filters_by_country_and_overdue(tracked):
    world = tracked.world
    RecommendationFactory(group=world.group, code="TRD-2026-009", is_public=True)
    today = council_today()

    def codes(**filters):
        query = portal.public_recommendations_query(world.council, portal.PublicFilters(**filters),
                                                      today)
        return [r.code for r in db.session.scalars(query)]

    assert codes() == ["ECO-2026-001", "TRD-2026-001", "TRD-2026-009"]
    assert codes(overdue=True) == ["TRD-2026-001"]
    assert codes(country="TM", group_id=world.group.id) == ["TRD-2026-001"]
    assert codes(status="proposed") == ["ECO-2026-001"]
    assert codes(text="WATER") == ["ECO-2026-001"]
