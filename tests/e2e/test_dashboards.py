"""The dashboards and the public portal in a real browser: charts drawn from their tables, print, phone."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from council.directory.models import Council, Organisation, WorkingGroup
from council.extensions import db
from council.tracker.models import CommitmentStatus, Observation
from tests.e2e.conftest import MOBILE, LiveServer, Pages, axe_violations, horizontal_overflow, screenshot


@pytest.fixture(scope="module")
def tracked(live_server: LiveServer) -> dict[str, Any]:
    """A public recommendation with a commitment on each side, and a public indicator with values,
    added once to the demo council (codes of their own, so other tests are not disturbed)."""
    from tests.factories import CommitmentFactory, IndicatorFactory, RecommendationFactory

    with live_server.app_context():
        council = db.session.scalar(select(Council).order_by(Council.id))
        group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.council_id == council.id,
                                                             WorkingGroup.slug == "trade"))
        sides = {country: db.session.scalar(select(Organisation).where(
            Organisation.council_id == council.id, Organisation.country_code == country)
            .order_by(Organisation.id)) for country in ("KZ", "TM")}
        recommendation = RecommendationFactory(group=group, code="E2E-2026-001", is_public=True,
                                               title={"ru": "Электронная очередь на Темирбабе",
                                                      "en": "Electronic queue at Temirbaba"})
        for number, (country, status, progress, due) in enumerate(
                [("KZ", CommitmentStatus.IN_PROGRESS, 60, 20), ("TM", CommitmentStatus.PLANNED, 0, -5)]):
            CommitmentFactory(code=f"E2E-C{number}", recommendation=recommendation,
                              organisation=sides[country], status=status, progress=progress,
                              due_date=date.today() + timedelta(days=due))
        indicator = IndicatorFactory(council=council, code="E2E-TRADE", is_public=True,
                                     name={"ru": "Товарооборот", "en": "Trade turnover"},
                                     baseline_value=438.2, target_value=600)
        for months, value in ((12, 450), (6, 480), (1, 510)):
            indicator.observations.append(Observation(
                observed_on=date.today() - timedelta(days=30 * months), value=value, source="stat"))
        db.session.commit()
        found = {"council": council.slug, "recommendation": recommendation.id, "group": group.id}
        db.session.remove()
    return found


def charts_drawn(page: Page) -> tuple[int, int]:
    """(tables that describe a chart, charts drawn), once Chart.js has run."""
    page.wait_for_function("() => window.Chart !== undefined")
    return (page.locator("table[data-chart]").count(), page.locator(".chart-canvas canvas").count())


def test_the_council_dashboard_draws_its_charts_from_the_tables(new_page: Pages, tracked: dict[str, Any]):
    page = new_page("secretary")
    page.goto("/dashboard")
    tables, charts = charts_drawn(page)
    assert tables >= 6 and charts == tables
    # Under test automation the charts do not animate, so screenshots are stable.
    assert page.evaluate("() => Chart.defaults.animation") is False
    expect(page.locator(".dash-actions a[download]")).to_be_visible()
    screenshot(page, "dashboard")
    assert axe_violations(page) == []


def test_the_dashboard_prints_without_navigation_and_buttons(new_page: Pages, tracked: dict[str, Any]):
    page = new_page("secretary")
    page.goto("/dashboard")
    charts_drawn(page)
    page.emulate_media(media="print")
    expect(page.locator(".dash-actions")).to_be_hidden()
    expect(page.locator("header.container nav")).to_be_hidden()
    expect(page.locator(".chart-canvas canvas").first).to_be_visible()
    expect(page.locator("table[data-chart]").first).to_be_visible()
    assert len(page.pdf(format="A4")) > 10_000
    screenshot(page, "dashboard-print")


@pytest.mark.parametrize("path", ["/dashboard", "/my-work", "/dashboard/organisations", "/public"])
def test_dashboards_fit_a_phone(new_page: Pages, tracked: dict[str, Any], path: str):
    page = new_page("secretary", viewport=MOBILE)
    page.goto(path)
    assert horizontal_overflow(page) == 0, f"{path} scrolls sideways on a phone"
    screenshot(page, f"{path.strip('/').replace('/', '-')}-mobile")


def test_my_work_and_a_group_dashboard_are_accessible(new_page: Pages, tracked: dict[str, Any]):
    page = new_page("cochair_kz")
    page.goto("/my-work")
    expect(page.locator("h1")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(f"/dashboard/groups/{tracked['group']}")
    tables, charts = charts_drawn(page)
    assert charts == tables
    assert axe_violations(page) == []
    screenshot(page, "group-dashboard")


def test_an_anonymous_visitor_reads_the_public_portal(new_page: Pages, tracked: dict[str, Any]):
    page = new_page()
    page.goto("/")
    assert f"/public/{tracked['council']}" in page.url
    expect(page.locator("a.sign-in")).to_be_visible()
    charts_drawn(page)
    assert axe_violations(page) == []
    screenshot(page, "public-portal")

    page.goto(f"/public/{tracked['council']}/recommendations/{tracked['recommendation']}")
    kazakh_side, turkmen_side = page.locator(".two-sides > div").all()
    left, right = kazakh_side.bounding_box(), turkmen_side.bounding_box()
    assert left and right and left["x"] + left["width"] <= right["x"], "the two sides are not side by side"
    expect(page.locator("main")).not_to_contain_text("@")
    assert axe_violations(page) == []
    screenshot(page, "public-recommendation")

    page.goto(f"/public/{tracked['council']}/indicators")
    assert charts_drawn(page)[1] >= 1
    assert axe_violations(page) == []
    screenshot(page, "public-indicators")
