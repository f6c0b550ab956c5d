"""The commitments list's count (read off the commitment table alone) is the number of rows it lists."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from council.timeutil import council_today
from council.tracker.models import CommitmentStatus
from tests.conftest import page_text
from tests.factories import CommitmentFactory, RecommendationFactory


@pytest.fixture
def listed(world, tracker):
    today = council_today()
    other = RecommendationFactory(group=world.group, code="TRD-2026-009")
    for n in range(7):
        CommitmentFactory(recommendation=other, organisation=world.tm_org if n % 2 else world.kz_org,
                          owner=world.member if n % 3 == 0 else None, due_date=today - timedelta(days=n - 3),
                          status=CommitmentStatus.IN_PROGRESS if n % 2 else CommitmentStatus.PLANNED)


@pytest.mark.parametrize("query", [
    "", "country=TM", "country=KZ&overdue=1", "overdue=1", "group={group}", "group={group}&overdue=1",
    "group={group}&status=planned", "owner={member}",
    "status=planned", "q=terminal", "q=trd-2026", "due_within=2", "country=TM&q=c-", "sort=owner",
])
def test_the_count_is_what_the_list_holds(client, auth, world, listed, query):
    auth.login(world.member)
    query = query.format(group=world.group.id, member=world.member.id)
    text = page_text(client.get(f"/tracker/commitments?{query}"))
    shown = re.search(r'<p class="muted">(\d+) commitments?</p>', text)
    assert shown, query
    rows = text.count('<td class="code"')
    assert int(shown.group(1)) == rows, query


CODE = re.compile(r'<td class="code" data-label="[^"]*">([^<]+)<br>')


def listed_codes(client, query: str) -> list[str]:
    return CODE.findall(page_text(client.get(f"/tracker/commitments?{query}")))


@pytest.mark.parametrize("sort", ["", "-due", "code", "status", "progress", "-progress", "organisation",
                                  "owner"])
@pytest.mark.parametrize("narrowed", ["", "country=TM", "overdue=1"])
def test_pages_follow_one_another_in_the_lists_order(app, client, auth, world, listed, sort, narrowed,
                                                     monkeypatch):
    """A page is found by its rows' ids first (council.web.paginate): page after page gives the whole
    list once, in the order of one long page."""
    auth.login(world.member)
    query = "&".join(part for part in (narrowed, f"sort={sort}" if sort else "") if part)
    monkeypatch.setitem(app.config, "PAGE_SIZE", 100)  # the app outlives the test
    whole = listed_codes(client, query)
    assert whole, query
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    paged = []
    for number in range(1, len(whole) // 3 + 2):
        paged += listed_codes(client, f"{query}&page={number}")
    assert paged == whole, query


RECOMMENDATIONS = re.compile(r'<p class="muted">(More than )?(\d+) recommendations?</p>')


def test_a_list_of_recommendations_through_their_commitments_counts_up_to_the_limit(
        client, auth, world, listed, monkeypatch):
    """Narrowed by their commitments (an EXISTS for each recommendation), the count stops at the limit
    and says "more than"; below it, the exact number; the rows are listed either way."""
    from council.tracker import views

    auth.login(world.member)
    exact = RECOMMENDATIONS.search(page_text(client.get("/tracker/recommendations?overdue=1")))
    assert exact and not exact.group(1)
    overdue = int(exact.group(2))
    assert overdue >= 2
    monkeypatch.setattr(views, "SEARCH_COUNT_LIMIT", overdue - 1)
    text = page_text(client.get("/tracker/recommendations?overdue=1"))
    bounded = RECOMMENDATIONS.search(text)
    assert bounded and bounded.group(1) and int(bounded.group(2)) == overdue - 1
    assert "TRD-2026-009" in text and "TRD-2026-001" in text
    plain = RECOMMENDATIONS.search(page_text(client.get("/tracker/recommendations")))
    assert plain and not plain.group(1)  # not narrowed: counted exactly, past the limit too
    assert int(plain.group(2)) > overdue - 1


COMMITMENTS = re.compile(r'<p class="muted">(\d+) commitments?</p>')


def test_the_whole_lists_count_follows_each_commitment_recorded(client, auth, world, tracker):
    """The unfiltered list reads the council's number of commitments, kept in the transaction that
    records one: a commitment added shows in the count at once, one refused leaves it as it was."""
    from tests.tracker.test_views import commitment_form

    def whole() -> int:
        shown = COMMITMENTS.search(page_text(client.get("/tracker/commitments")))
        assert shown
        return int(shown.group(1))

    auth.login(world.kz_chair)
    before = whole()
    url = f"/tracker/recommendations/{tracker.recommendation.id}/commitments/new"
    assert client.post(url, data=commitment_form(world, due_date="31.02.2026")).status_code == 422
    assert whole() == before
    assert client.post(url, data=commitment_form(world)).status_code == 302
    assert whole() == before + 1 == len(CODE.findall(page_text(client.get("/tracker/commitments"))))


@pytest.mark.parametrize("query", ["overdue=1", "country=TM&overdue=1", "country=KZ", "due_within=2",
                                   "country=TM&overdue=1&sort=-progress"])
def test_recommendations_narrowed_by_their_commitments_are_those_listed(client, auth, world, listed, query):
    """The count is the rows listed, whichever index the database reads them by (on the benchmark's data
    SQLite 3.40 answered this EXISTS wrongly off an index with the status before the due date)."""
    auth.login(world.member)
    text = page_text(client.get(f"/tracker/recommendations?{query}"))
    shown = RECOMMENDATIONS.search(text)
    assert shown and not shown.group(1), query
    assert int(shown.group(2)) == text.count('<td class="code"'), query
