"""The public portal shows what is marked public and nothing else, and no one's e-mail address."""

from __future__ import annotations

import re

import pytest

from council.extensions import db
from council.tracker.models import CommitmentStatus
from tests.conftest import page_text
from tests.dashboard.conftest import link, number_links
from tests.factories import CommitmentFactory, CouncilFactory, RecommendationFactory, WorkingGroupFactory


def portal_pages(client, tracked) -> dict[str, str]:
    """Every page of the portal for the tracked council, as an anonymous visitor reads it."""
    base = f"/public/{tracked.world.council.slug}"
    urls = [base, f"{base}/recommendations", f"{base}/indicators",
            f"{base}/recommendations?overdue=1", f"{base}/recommendations?country=KZ"]
    urls += [f"{base}/groups/{group.id}" for group in (tracked.world.group, tracked.ecology)]
    urls += [f"{base}/recommendations/{tracked.recommendations[code].id}" for code in ("R1", "R3")]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = page_text(response)
    return pages


def test_anonymous_visitors_land_on_the_portal_with_a_sign_in_link(client, tracked):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/public"
    page = client.get("/public", follow_redirects=True)
    assert page.status_code == 200
    text = page_text(page)
    assert "Council council-" in text and 'href="/login"' in text and "Sign in" in text


def test_portal_lists_the_council_of_each_slug(client, tracked):
    CouncilFactory(slug="aral", name={"en": "Aral council"})
    text = page_text(client.get("/public"))
    assert "Aral council" in text and f"/public/{tracked.world.council.slug}" in text
    assert client.get("/public/no-such-council").status_code == 404


def test_recommendations_public_ones_only(client, tracked):
    pages = portal_pages(client, tracked)
    everything = "\n".join(pages.values())
    assert "Electronic queues at Temirbaba" in everything and "Joint water monitoring" in everything
    assert "Confidential tariff talks" not in everything and "Secret landfill survey" not in everything
    assert "TRD-2026-002" not in everything and "ECO-2026-002" not in everything
    base = f"/public/{tracked.world.council.slug}"
    for code in ("R2", "R4"):
        assert client.get(f"{base}/recommendations/{tracked.recommendations[code].id}").status_code == 404


def test_commitments_only_under_public_recommendations_and_without_owners(client, tracked):
    pages = portal_pages(client, tracked)
    everything = "\n".join(pages.values())
    r1 = pages[f"/public/{tracked.world.council.slug}/recommendations/{tracked.recommendations['R1'].id}"]
    assert "Description of C1" in r1 and "Description of C2" in r1
    sides = r1.split('class="two-sides"')[1]
    assert sides.index("Kazakhstan") < sides.index("Description of C1") < sides.index("Turkmenistan") \
        < sides.index("Description of C2")
    assert "The Turkmenistan side is behind." in r1
    for code in ("C3", "C4", "C5", "C6"):
        assert f"Description of {code}" not in everything
    for person in (tracked.world.member, tracked.world.tm_member, tracked.world.kz_chair):
        assert person.name not in everything


def test_indicators_public_ones_only(client, tracked):
    pages = portal_pages(client, tracked)
    everything = "\n".join(pages.values())
    indicators = pages[f"/public/{tracked.world.council.slug}/indicators"]
    assert "Bilateral trade turnover" in indicators and 'data-chart="indicator"' in indicators
    assert "Internal crossing time" not in everything
    assert "Show on the public portal" not in everything
    assert "1 public indicator" in pages[f"/public/{tracked.world.council.slug}"]


def test_groups_active_ones_with_public_figures(client, tracked):
    retired = WorkingGroupFactory(council=tracked.world.council, slug="retired", active=False,
                                  name={"en": "Retired group"})
    base = f"/public/{tracked.world.council.slug}"
    text = page_text(client.get(base))
    assert "Trade" in text and "Ecology" in text and "Retired group" not in text
    assert client.get(f"{base}/groups/{retired.id}").status_code == 404
    other_group = WorkingGroupFactory(council=CouncilFactory())
    assert client.get(f"{base}/groups/{other_group.id}").status_code == 404
    # Only the public R1's commitments count: the Kazakh side at 40 %, the Turkmen side at 0 %.
    links = number_links(text)
    trade = tracked.world.group.id
    assert link(f"{base}/recommendations", "40%", group=trade, country="KZ") in links
    assert link(f"{base}/recommendations", "0%", group=trade, country="TM") in links
    assert link(f"{base}/recommendations", "1", group=trade, country="TM", overdue=1) in links
    assert link(f"{base}/recommendations", "1", status="proposed") in links


def test_a_groups_recommendations_are_paged(client, tracked):
    for number in range(30):
        RecommendationFactory(group=tracked.world.group, code=f"TRD-2027-{number:03d}", is_public=True)
    base = f"/public/{tracked.world.council.slug}/groups/{tracked.world.group.id}"
    text = page_text(client.get(base))
    assert f'href="{base}?page=2"' in text
    assert "TRD-2027-029" in page_text(client.get(f"{base}?page=2"))


def test_no_email_address_on_any_portal_page(client, tracked):
    for url, text in portal_pages(client, tracked).items():
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text), url


def test_portal_pages_have_no_inline_script_or_style(client, tracked):
    for url, text in portal_pages(client, tracked).items():
        assert "<script>" not in text and "style=" not in text, url


def test_a_record_made_private_leaves_the_portal(client, tracked):
    recommendation = tracked.recommendations["R1"]
    base = f"/public/{tracked.world.council.slug}"
    assert client.get(f"{base}/recommendations/{recommendation.id}").status_code == 200
    recommendation.is_public = False
    db.session.commit()
    assert client.get(f"{base}/recommendations/{recommendation.id}").status_code == 404
    assert "Electronic queues" not in page_text(client.get(f"{base}/recommendations"))


@pytest.mark.parametrize("language, word", [("ru", "Рекомендации"), ("kk", "Ұсынымдар"),
                                            ("tk", "Maslahatlar")])
def test_portal_speaks_the_visitors_language(client, tracked, language, word):
    RecommendationFactory(group=tracked.world.group, is_public=True)
    text = page_text(client.get(f"/public/{tracked.world.council.slug}/recommendations",
                                headers={"Accept-Language": language}))
    assert word in text


def test_the_demo_council_publishes_figures_and_minutes(client):
    from council.demo import load_demo

    load_demo()
    load_demo()  # idempotent
    text = page_text(client.get("/public", follow_redirects=True))
    assert "Bilateral trade turnover" in page_text(client.get(
        "/public/mangystau-balkan/indicators"))
    assert "Second session of the Cross-Border Cooperation Council" in text
    assert "@" not in text.split("<main")[1]


def test_portal_and_tracker_page_show_the_same_side_progress(client, auth, tracked):
    """50% and 75% average to 62.5%: both pages round it half up, to 63%, and agree on who lags."""
    world = tracked.world
    recommendation = RecommendationFactory(group=world.group, code="TRD-2026-063", is_public=True)
    for code, organisation, progress in (("H1", world.kz_org, 50), ("H2", world.kz_org, 75),
                                         ("H3", world.tm_org, 100)):
        CommitmentFactory(code=code, recommendation=recommendation, organisation=organisation,
                          status=CommitmentStatus.IN_PROGRESS, progress=progress)
    public = page_text(client.get(f"/public/{world.council.slug}/recommendations/{recommendation.id}"))
    public_sides = public[public.index("sides-heading"):]
    assert "Progress: <strong>63%</strong>" in public_sides and "62%" not in public_sides
    assert "The Kazakhstan side is behind." in public_sides
    auth.login(world.observer)
    internal = page_text(client.get(f"/tracker/recommendations/{recommendation.id}"))
    assert "The Kazakh side lags behind" in internal and "63% against 100%" in internal
    assert "62%" not in internal[internal.index("sides-heading"):]


def test_recommendations_narrowed_by_their_commitments_are_counted_up_to_the_limit(client, tracked,
                                                                                   monkeypatch):
    """"With overdue commitments" asks each public recommendation about its commitments: the count stops
    at the limit and says "more than"; the rows are listed either way."""
    from council.dashboard import public_views

    base = f"/public/{tracked.world.council.slug}/recommendations"
    late = RecommendationFactory(group=tracked.world.group, code="TRD-2026-003", is_public=True)
    CommitmentFactory(recommendation=late, organisation=tracked.world.kz_org, status=CommitmentStatus.PLANNED,
                      due_date=tracked.commitments["C2"].due_date)
    db.session.commit()
    assert "2 public recommendations</p>" in page_text(client.get(f"{base}?overdue=1"))
    assert "3 public recommendations</p>" in page_text(client.get(base))
    monkeypatch.setattr(public_views, "SEARCH_COUNT_LIMIT", 1)
    text = page_text(client.get(f"{base}?overdue=1"))
    assert "More than 1 public recommendation</p>" in text
    assert "TRD-2026-001" in text and "TRD-2026-003" in text
    assert "3 public recommendations</p>" in page_text(client.get(base))  # not narrowed: exact
