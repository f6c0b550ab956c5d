"""The dashboards as a signed-in reader sees them: numbers, the lists they open, CSV, print, refusals."""

from __future__ import annotations

import csv
import io
import re

from council.extensions import db
from tests.conftest import page_text
from tests.dashboard.conftest import link, number_links
from tests.factories import CouncilFactory, OrganisationFactory, UserFactory, WorkingGroupFactory

COMMITMENTS = "/tracker/commitments"
RECOMMENDATIONS = "/tracker/recommendations"


def test_the_council_dashboard_is_one_click_from_home(client, auth, tracked):
    auth.login(tracked.world.observer)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200 and 'href="/dashboard"' in page_text(home)


def test_council_dashboard_numbers_open_their_lists(client, auth, tracked):
    world = tracked.world
    auth.login(world.observer)
    response = client.get("/dashboard")
    assert response.status_code == 200
    links = number_links(page_text(response))
    trade, ecology = world.group.id, tracked.ecology.id
    expected = [
        link(COMMITMENTS, "6"), link(COMMITMENTS, "52%", sort="progress"),
        link(COMMITMENTS, "2", overdue=1), link(COMMITMENTS, "1", due_within=14),
        link(COMMITMENTS, "1", status="reported_done"), link(COMMITMENTS, "1", status="verified"),
        link(COMMITMENTS, "1", status="blocked"), link(COMMITMENTS, "1", status="cancelled"),
        link(RECOMMENDATIONS, "2", status="adopted"), link(RECOMMENDATIONS, "4"),
        # By working group.
        link(COMMITMENTS, "5", group=trade), link(COMMITMENTS, "60%", group=trade, sort="progress"),
        link(COMMITMENTS, "1", group=trade, overdue=1), link(RECOMMENDATIONS, "2", group=trade),
        link(RECOMMENDATIONS, "1", group=ecology, status="implemented"),
        # The two sides next to each other, per group and in all.
        link(COMMITMENTS, "70%", group=trade, country="KZ", sort="progress"),
        link(COMMITMENTS, "50%", group=trade, country="TM", sort="progress"),
        link(COMMITMENTS, "1", group=ecology, country="TM", overdue=1),
        link(COMMITMENTS, "40%", country="TM", sort="progress"),
        link(COMMITMENTS, "2", country="TM", overdue=1),
        # By organisation.
        link(COMMITMENTS, "2", organisation=world.tm_org.id, overdue=1),
        link(COMMITMENTS, "70%", organisation=world.kz_org.id, sort="progress"),
    ]
    missing = [item for item in expected if item not in links]
    assert not missing
    text = page_text(response)
    assert "Bilateral trade turnover" in text and "Internal crossing time" in text
    assert f'href="/dashboard/groups/{trade}"' in text
    assert f'href="/dashboard/organisations/{world.tm_org.id}"' in text


def test_charts_are_drawn_from_accessible_tables(client, auth, tracked):
    auth.login(tracked.world.member)
    text = page_text(client.get("/dashboard"))
    assert "vendor/chart.umd.min.js" in text and "charts.js" in text
    for kind in ("doughnut", "bar", "hbar", "line", "indicator"):
        assert f'data-chart="{kind}"' in text
    assert text.count("<caption>") >= 6
    assert "<script>" not in text and "style=" not in text
    assert 'data-print' in text


def test_group_dashboard_is_scoped_to_the_group(client, auth, tracked):
    world = tracked.world
    auth.login(world.member)
    response = client.get(f"/dashboard/groups/{tracked.ecology.id}")
    assert response.status_code == 200
    links = number_links(page_text(response))
    ecology = tracked.ecology.id
    assert link(COMMITMENTS, "1", group=ecology) in links
    assert link(COMMITMENTS, "1", group=ecology, overdue=1) in links
    assert link(COMMITMENTS, "1", group=ecology, status="blocked") in links
    assert link(RECOMMENDATIONS, "1", group=ecology, status="implemented") in links
    assert link(COMMITMENTS, "6") not in links
    text = page_text(response)
    assert 'id="by-country"' in text and 'id="by-organisation"' in text
    assert f'href="/dashboard/groups/{ecology}/figures.csv"' in text
    assert f'href="/meetings/?group={ecology}"' in text


def test_organisation_dashboard_is_scoped_to_the_organisation(client, auth, tracked):
    world = tracked.world
    auth.login(world.member)
    response = client.get(f"/dashboard/organisations/{world.kz_org.id}")
    assert response.status_code == 200
    links = number_links(page_text(response))
    org = world.kz_org.id
    assert link(COMMITMENTS, "3", organisation=org) in links
    assert link(COMMITMENTS, "70%", organisation=org, sort="progress") in links
    assert link(COMMITMENTS, "1", organisation=org, status="verified") in links
    assert link(COMMITMENTS, "3", organisation=org, group=world.group.id) in links
    assert f'href="/dashboard/organisations/{org}/figures.csv"' in page_text(response)


def test_organisations_list_pages_and_sorts(client, auth, tracked):
    world = tracked.world
    auth.login(world.member)
    text = page_text(client.get("/dashboard/organisations?sort=-progress"))
    assert "2 organisations with commitments" in text
    assert text.index("Organisation mangystau-akimat") < text.index("Organisation balkan-hyakimlik")
    assert client.get("/dashboard/organisations?sort=nonsense&page=99").status_code == 200
    text = page_text(client.get("/dashboard/organisations?page=abc"))
    assert "Not understood, so left out: page=abc." in text


def test_figures_export_to_csv(client, auth, tracked):
    auth.login(tracked.world.member)
    response = client.get("/dashboard/figures.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Block", "Row", "Measure", "Value"]
    assert ["Commitments", "All", "Overdue", "2"] in rows
    assert ["Working groups", "Trade", "KZ: progress", "70"] in rows
    assert ["Countries", "TM", "Average progress", "40"] in rows
    assert ["Indicators", "Bilateral trade turnover (USD million)", "Baseline", "438.2"] in rows
    group_rows = list(csv.reader(io.StringIO(client.get(
        f"/dashboard/groups/{tracked.ecology.id}/figures.csv").get_data(as_text=True))))
    assert ["Commitments", "All", "Commitments", "1"] in group_rows
    org_rows = list(csv.reader(io.StringIO(client.get(
        f"/dashboard/organisations/{tracked.world.tm_org.id}/figures.csv").get_data(as_text=True))))
    assert ["Commitments", "All", "Overdue", "2"] in org_rows


def test_my_work_shows_what_awaits_the_reader(client, auth, tracked):
    world = tracked.world
    auth.login(world.kz_chair)
    text = page_text(client.get("/my-work"))
    assert "1 commitment reported done waits for verification." in text
    assert "Description of C4" in text
    assert link(COMMITMENTS, "1", status="reported_done", group=world.group.id) in number_links(text)
    auth.logout()
    auth.login(world.member)
    text = page_text(client.get("/my-work"))
    assert "Description of C1" in text and "Description of C5" not in text.split("My organisation")[0]
    assert "you co-chair none" in text
    assert link(COMMITMENTS, "2", owner=world.member.id) in number_links(text)
    assert link(COMMITMENTS, "1", organisation=world.kz_org.id, due_within=14) in number_links(text)


def test_dashboards_of_another_council_are_not_found(client, auth, tracked):
    other = CouncilFactory()
    foreign_group = WorkingGroupFactory(council=other)
    foreign_org = OrganisationFactory(council=other)
    auth.login(tracked.world.member)
    assert client.get(f"/dashboard/groups/{foreign_group.id}").status_code == 404
    assert client.get(f"/dashboard/organisations/{foreign_org.id}").status_code == 404
    assert client.get(f"/dashboard/organisations/{foreign_org.id}/figures.csv").status_code == 404
    stranger = UserFactory(organisation=foreign_org)
    auth.logout()
    auth.login(stranger)
    text = page_text(client.get("/dashboard"))
    assert "Bilateral trade turnover" not in text and "Trade" not in text


def test_dashboards_need_signing_in(client, tracked):
    for url in ("/dashboard", "/my-work", "/dashboard/figures.csv", "/dashboard/organisations"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_secretary_publishes_an_indicator_others_may_not(client, auth, tracked):
    indicator = tracked.private_indicator
    auth.login(tracked.world.kz_chair)
    assert "Show on the public portal" not in page_text(client.get("/dashboard"))
    assert client.post(f"/dashboard/indicators/{indicator.id}/public", data={"public": "1"}).status_code \
        == 403
    auth.logout()
    auth.login(tracked.world.secretary)
    assert "Show on the public portal" in page_text(client.get("/dashboard"))
    response = client.post(f"/dashboard/indicators/{indicator.id}/public", data={"public": "1"})
    assert response.status_code == 302
    db.session.refresh(indicator)
    assert indicator.is_public
    assert "The indicator is shown on the public portal." in page_text(client.get("/dashboard"))


def _list_total(client, path: str, args: frozenset) -> int:
    from urllib.parse import urlencode

    text = page_text(client.get(f"{path}?{urlencode(sorted(args))}"))
    match = re.search(r'<p class="muted">(\d+) (?:commitment|recommendation)s?</p>', text)
    assert match, (path, args)
    return int(match.group(1))


def test_every_number_opens_a_list_of_that_many(client, auth, tracked):
    """Each count on the council dashboard leads to the tracker's list, which shows as many records
    (the trend's monthly counts lead to all verified commitments: the lists have no month filter)."""
    auth.login(tracked.world.secretary)
    text = page_text(client.get("/dashboard"))
    text = re.sub(r'<section aria-labelledby="trend">.*?</section>', "", text, flags=re.S)
    checked = 0
    for path, args, label in number_links(text):
        if path not in (COMMITMENTS, RECOMMENDATIONS) or not label.isdigit():
            continue
        assert _list_total(client, path, args) == int(label), (path, dict(args), label)
        checked += 1
    assert checked > 40
