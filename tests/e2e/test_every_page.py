"""The rest of the main pages, as the people test_phone_and_desk.py does not sign in as: a member of
each side, the observer, and an anonymous visitor of the public portal. Each page is loaded once, looked
at on a phone (390 px: no sideways scroll, no clipped table, the site's header under 80 px) and then, widened
in place, on a desk (1366 px: no sideways scroll, no clipped table); axe finds nothing serious at either
width. The reader changes from page to page so that every language is seen (member ru, member.tm tk,
observer en, and kk in the browser of an anonymous visitor and the Kazakh co-chair).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.e2e.conftest import MOBILE, LiveServer, Pages, axe_violations, horizontal_overflow, screenshot
from tests.e2e.test_phone_and_desk import CLIPPED_TABLES, DESK, HEADER_LIMIT

SIGNED_IN = [("member", "ru"), ("member_tm", "tk"), ("observer", "en"), ("cochair_kz", "kk")]
SIGNED_IN_PAGES = ["my-work", "groups", "group", "organisation", "person", "profile", "notifications",
                   "preferences", "initiatives", "initiative", "indicators", "indicator",
                   "organisation-dashboard", "print-minutes", "translations", "calendars"]
PORTAL = ["ru", "kk", "tk"]
PORTAL_PAGES = ["portal", "portal-council", "portal-group", "portal-recommendations",
                "portal-recommendation", "portal-minutes-list", "portal-minutes", "portal-indicators",
                "portal-reports"]


def _cases() -> list[Any]:
    cases = []
    for number, name in enumerate(SIGNED_IN_PAGES):
        account, language = SIGNED_IN[number % len(SIGNED_IN)]
        cases.append(pytest.param(name, account, language, id=f"{name}-{language}"))
    # The developers' components page: every shared macro at once, so axe and the widths see them all.
    cases.append(pytest.param("components", "admin", "en", id="components-en"))
    for number, name in enumerate(PORTAL_PAGES):
        language = PORTAL[number % len(PORTAL)]
        cases.append(pytest.param(name, None, language, id=f"{name}-{language}"))
    return cases


@pytest.fixture(scope="module")
def every_path(live_server: LiveServer) -> dict[str, str]:
    from council.demo.directory import COUNCIL_SLUG
    from council.directory.models import Organisation, User, WorkingGroup
    from council.extensions import db
    from council.meetings.models import Meeting
    from council.tracker.models import Indicator, Initiative, Recommendation

    def first(statement: Any) -> Any:
        value = db.session.scalar(statement)
        assert value is not None, statement
        return value

    with live_server.app_context():
        group = first(select(WorkingGroup.id).where(WorkingGroup.slug == "trade"))
        organisation = first(select(Organisation.id).where(Organisation.code == "kz-customs"))
        person = first(select(User.id).where(User.email == "member.tm@council-demo.org"))
        initiative = first(select(Initiative.id).order_by(Initiative.id))
        indicator = first(select(Indicator.id).where(Indicator.is_public.is_(True)).order_by(Indicator.id))
        public_minutes = first(select(Meeting.id).where(Meeting.is_public.is_(True)).order_by(Meeting.id))
        public_recommendation = first(select(Recommendation.id).where(
            Recommendation.is_public.is_(True)).order_by(Recommendation.id))
        path = live_server.path_of
        slug = COUNCIL_SLUG
        paths = {
            "my-work": path("dashboard.my_work"),
            "groups": path("directory.groups"),
            "group": path("directory.group", group_id=group),
            "organisation": path("directory.organisation", organisation_id=organisation),
            "person": path("directory.person", person_id=person),
            "profile": path("directory.profile"),
            "notifications": path("notifications.index"),
            "preferences": path("notifications.preferences"),
            "initiatives": path("tracker.initiatives"),
            "initiative": path("tracker.initiative", initiative_id=initiative),
            "indicators": path("tracker.indicators"),
            "indicator": path("tracker.indicator", indicator_id=indicator),
            "organisation-dashboard": path("dashboard.organisation", organisation_id=organisation),
            "print-minutes": path("meetings.print_minutes", meeting_id=public_minutes),
            "translations": path("translating.translations"),
            "calendars": path("meetings.calendars"),
            "components": path("operations.components"),
            "portal": path("portal.index"),
            "portal-council": path("portal.council_page", slug=slug),
            "portal-group": path("portal.group", slug=slug, group_id=group),
            "portal-recommendations": path("portal.recommendations", slug=slug),
            "portal-recommendation": path("portal.recommendation", slug=slug,
                                          recommendation_id=public_recommendation),
            "portal-minutes-list": path("portal.minutes_list", slug=slug),
            "portal-minutes": path("portal.minutes", slug=slug, meeting_id=public_minutes),
            "portal-indicators": path("portal.indicators", slug=slug),
            "portal-reports": path("public_reports.reports", slug=slug),
        }
        db.session.remove()
    return paths


def _fits(page: Page, shot: str) -> None:
    assert horizontal_overflow(page) == 0, "the page scrolls sideways"
    clipped = page.evaluate(CLIPPED_TABLES)
    assert not clipped, f"clipped tables: {clipped}"
    screenshot(page, shot)
    assert axe_violations(page) == []


@pytest.mark.parametrize(("name", "account", "language"), _cases())
def test_a_page_fits_a_phone_then_a_desk(new_page: Pages, every_path: dict[str, str], name: str,
                                         account: str | None, language: str) -> None:
    page = new_page(account, viewport=MOBILE, locale=f"{language}-{language.upper()}")
    response = page.goto(every_path[name])
    assert response is not None and response.status == 200, f"{name}: HTTP {response and response.status}"
    expect(page.locator("html")).to_have_attribute("lang", language)
    # A print view's header is the document's (its code and draft mark), not the site's navigation.
    if name != "print-minutes":
        header = page.locator("body > header").bounding_box()
        height = header["height"] if header else None
        assert height is not None and height <= HEADER_LIMIT, f"the header is {height} px high"
    _fits(page, f"every-{name}-{language}-390")
    page.set_viewport_size(DESK)
    _fits(page, f"every-{name}-{language}-1366")
