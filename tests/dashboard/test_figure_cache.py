"""The dashboards' cached figure blocks (council/dashboard/cache.py): never another reader's, never stale.

The suite's app renders every block (no cache); these tests build an app with the in-process cache and
compare what it serves with what the uncached app renders for the same person at the same moment.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from council.extensions import db
from tests.conftest import IsolatedClient, page_text, sign_in, uncached
from tests.dashboard.conftest import number_links
from tests.factories import PASSWORD

COMMITMENTS = "/tracker/commitments"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def without_tokens(html: str) -> str:
    """The page less what differs between two sign-ins of one person (CSRF tokens) and blank lines."""
    html = META_TOKEN.sub("", TOKEN.sub("", html))
    return "\n".join(line for line in html.splitlines() if line.strip())


def average_progress(html: str) -> str:
    [text] = [text for path, args, text in number_links(html)
              if path == COMMITMENTS and args == frozenset({("sort", "progress")})]
    return text


def test_each_reader_gets_what_they_would_without_the_cache(app, cached, tracked):
    """Readers who may do different things, in different languages, on every scope, one after another
    on one cache: each page is the one rendered for that reader without a cache, with their own tokens."""
    world = tracked.world
    world.tm_member.language = "ru"
    db.session.commit()
    pages = ["/dashboard", f"/dashboard/groups/{world.group.id}", f"/dashboard/groups/{tracked.ecology.id}",
             f"/dashboard/organisations/{world.kz_org.id}", f"/dashboard/organisations/{world.tm_org.id}"]
    readers = [world.secretary, world.kz_chair, world.tm_member, world.observer]
    # One sign-in per person and app (a second factor's code is accepted once).
    clients = {person.id: (cached(person), uncached(app, person)) for person in readers}
    for person in [*readers, world.secretary, world.tm_member]:
        client, plain = clients[person.id]
        for url in pages:
            served = page_text(client.get(url))
            assert without_tokens(served) == without_tokens(page_text(plain.get(url))), (person.email, url)
            own = META_TOKEN.search(served)
            assert own is not None and set(TOKEN.findall(served)) <= {own.group(1)}
            assert "\x00" not in served
    # Who may publish indicators sees the buttons, whoever filled the cache before them.
    secretary, chair = clients[world.secretary.id][0], clients[world.kz_chair.id][0]
    assert "Show on the public portal" not in page_text(chair.get("/dashboard"))
    assert "Show on the public portal" in page_text(secretary.get("/dashboard"))
    assert "Show on the public portal" not in page_text(chair.get("/dashboard"))


def test_a_change_shows_at_once(app, cached, tracked):
    world = tracked.world
    member = cached(world.member)
    before = page_text(member.get("/dashboard"))
    assert average_progress(before) == "52%"

    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with cached.app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert without_tokens(page_text(member.get("/dashboard"))) == without_tokens(before)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert statements, "the page was not counted"
    assert not [statement for statement in statements if "GROUP BY" in statement], \
        "the figures were computed again, not served from the cache"

    # The owner reports progress (a domain event); the next page, anyone's, has the new average.
    response = member.post(f"/tracker/commitments/{tracked.commitments['C1'].id}/progress",
                           data={"progress": "100", "status": "", "note": "Queues run"})
    assert response.status_code == 302
    observer = cached(world.observer)
    after = average_progress(page_text(observer.get("/dashboard")))
    assert after != "52%"
    assert after == average_progress(page_text(uncached(app, world.observer).get("/dashboard")))
    assert average_progress(page_text(member.get("/dashboard"))) == after

    # An indicator taken onto the portal: its badge shows on the next page too.
    secretary = cached(world.secretary)
    assert "on the public portal" not in page_text(secretary.get("/dashboard")).split(
        "Internal crossing time")[1].split("</caption>")[0]
    response = secretary.post(f"/dashboard/indicators/{tracked.private_indicator.id}/public",
                              data={"public": "1"})
    assert response.status_code == 302
    assert "on the public portal" in page_text(secretary.get("/dashboard")).split(
        "Internal crossing time")[1].split("</caption>")[0]


@pytest.mark.redis
def test_web_processes_sharing_redis_see_each_others_changes(app, make_app, tracked):
    """Two web processes on one Redis (production): a change made through one shows at once on the
    other's dashboard, whose blocks that Redis holds."""
    import os
    import uuid

    from tests.notifications.conftest import need

    url = os.environ.get("COUNCIL_TEST_REDIS_URL", "")
    need(bool(url), "COUNCIL_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/1)")
    shared = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url,
              "CACHE_KEY_PREFIX": f"council-test-{uuid.uuid4().hex}:"}
    first, second = make_app(**shared), make_app(**shared)
    world = tracked.world

    def client_of(web, person):
        web.test_client_class = IsolatedClient
        client = web.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        db.session.commit()
        sign_in(client, person.email, PASSWORD)
        return client

    reader, owner = client_of(first, world.observer), client_of(second, world.member)
    assert average_progress(page_text(reader.get("/dashboard"))) == "52%"
    assert average_progress(page_text(owner.get("/dashboard"))) == "52%"
    response = owner.post(f"/tracker/commitments/{tracked.commitments['C1'].id}/progress",
                          data={"progress": "100", "status": "", "note": "Queues run"})
    assert response.status_code == 302
    after = average_progress(page_text(reader.get("/dashboard")))
    assert after != "52%"
    assert after == average_progress(page_text(uncached(app, world.observer).get("/dashboard")))
    with first.app_context():
        from council.extensions import cache

        cache.clear()


class Statements:
    """The SQL statements an app runs while the block is open."""

    def __init__(self, app) -> None:
        with app.app_context():
            self.engine = db.engine
        self.seen: list[str] = []

    def _count(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.seen.append(statement)

    def __enter__(self) -> Statements:
        self.seen.clear()
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    @property
    def figures_computed(self) -> bool:
        return any("GROUP BY" in statement for statement in self.seen)


def test_a_report_renders_again_only_the_scopes_its_commitment_is_in(app, cached, tracked):
    """C1 is the Kazakh akimat's, in the trade group: after a report on it the council's, the trade
    group's and the akimat's figures are new (and as the uncached app renders them); the ecology group's
    and the hyakimlik's are still served from the cache, and still right."""
    world = tracked.world
    member = cached(world.member)
    changed = ["/dashboard", f"/dashboard/groups/{world.group.id}",
               f"/dashboard/organisations/{world.kz_org.id}"]
    kept = [f"/dashboard/groups/{tracked.ecology.id}", f"/dashboard/organisations/{world.tm_org.id}"]
    before = {url: without_tokens(page_text(member.get(url))) for url in changed + kept}
    statements = Statements(cached.app)
    response = member.post(f"/tracker/commitments/{tracked.commitments['C1'].id}/progress",
                           data={"progress": "90", "status": "", "note": "Queues run"})
    assert response.status_code == 302
    member.get(response.headers["Location"])  # where its message is shown
    plain = uncached(app, world.member)
    for url in changed + kept:
        with statements:
            served = without_tokens(page_text(member.get(url)))
        # The trade group's slice is computed once, for the council's page, and serves the group's; the
        # akimat's figures are its own.
        assert statements.figures_computed == (url in (changed[0], changed[2])), url
        assert (served != before[url]) == (url in changed), url
        assert served == without_tokens(page_text(plain.get(url))), url


def verified_this_month(html: str) -> str:
    """The last month's count in the trend of commitments verified month by month."""
    trend = html.split("Completed commitments per month")[1].split("</table>")[0]
    return re.findall(r'data-value="(\d+)"', trend)[-1]


def test_the_trend_of_verified_commitments_is_kept_across_reports_and_new_after_a_verification(
        app, cached, tracked):
    """A progress report moves the figures, not the month-by-month count of verified commitments: it is
    served again without its query; a verification moves it, and every scope shows the new count."""
    world = tracked.world
    member, tm_chair = cached(world.member), cached(world.tm_chair)
    pages = ["/dashboard", f"/dashboard/groups/{world.group.id}",
             f"/dashboard/organisations/{world.tm_org.id}"]
    before = {url: verified_this_month(page_text(member.get(url))) for url in pages}
    statements = Statements(cached.app)
    response = member.post(f"/tracker/commitments/{tracked.commitments['C1'].id}/progress",
                           data={"progress": "70", "status": "", "note": "Queues run"})
    assert response.status_code == 302
    with statements:
        page = page_text(member.get("/dashboard"))
    assert statements.figures_computed  # the report moved the council's figures
    assert not [statement for statement in statements.seen if "verified_at" in statement]
    assert verified_this_month(page) == before["/dashboard"]

    # The Turkmen co-chair verifies C4, the Turkmen hyakimlik's: one more verified this month.
    assert tm_chair.post(f"/tracker/commitments/{tracked.commitments['C4'].id}/verify").status_code == 302
    plain = uncached(app, world.member)
    for url in pages:
        served = page_text(member.get(url))
        assert int(verified_this_month(served)) == int(before[url]) + 1, url
        assert without_tokens(served) == without_tokens(page_text(plain.get(url))), url


def test_an_initiative_s_progress_is_new_on_every_dashboard_that_shows_it(app, cached, tracked):
    """An initiative of the trade group counts the ecology group's commitment C6: a report on C6 is
    news for the trade group's dashboard too (its initiatives), though none of its figures changed."""
    from tests.factories import InitiativeFactory

    world = tracked.world
    initiative = InitiativeFactory(council=world.council, group_id=world.group.id, code="INIT-RAIL")
    tracked.commitments["C6"].initiative_id = initiative.id
    db.session.commit()
    url = f"/dashboard/groups/{world.group.id}"
    member = cached(world.tm_member)
    before = page_text(member.get(url))
    assert "INIT-RAIL" in before
    response = member.post(f"/tracker/commitments/{tracked.commitments['C6'].id}/progress",
                           data={"progress": "70", "status": "", "note": "Track laid"})
    assert response.status_code == 302
    member.get(response.headers["Location"])  # where its message is shown
    after = page_text(member.get(url))
    assert after != before
    assert without_tokens(after) == without_tokens(page_text(uncached(app, world.tm_member).get(url)))


def test_signing_in_renders_nothing_again(cached, tracked):
    world = tracked.world
    member = cached(world.member)
    member.get("/dashboard")
    cached(world.observer)  # a sign-in is an event of the council, which changes no figure
    statements = Statements(cached.app)
    with statements:
        member.get("/dashboard")
    assert not statements.figures_computed


def test_the_portal_s_figures_are_cached_and_new_after_a_report(app, cached, tracked):
    """The public portal's figures come from the cache, for anonymous visitors as for the rest, and a
    report on a public commitment shows on the next visit."""
    world = tracked.world
    pages = [f"/public/{world.council.slug}", f"/public/{world.council.slug}/groups/{world.group.id}"]
    visitor = cached.app.test_client()
    plain = app.test_client()
    before = {url: page_text(visitor.get(url)) for url in pages}
    statements = Statements(cached.app)
    for url in pages:
        with statements:
            assert without_tokens(page_text(visitor.get(url))) == without_tokens(before[url])
        assert not statements.figures_computed, url
    member = cached(world.member)
    response = member.post(f"/tracker/commitments/{tracked.commitments['C1'].id}/progress",
                           data={"progress": "90", "status": "", "note": "Queues run"})
    assert response.status_code == 302
    for url in pages:
        with statements:
            served = page_text(visitor.get(url))
        assert statements.figures_computed, url
        assert without_tokens(served) != without_tokens(before[url])
        assert without_tokens(served) == without_tokens(page_text(plain.get(url))), url


def _verification_queue(html: str) -> str:
    return html.split("Awaiting my verification")[1].split("Minutes awaiting my approval")[0]


def test_the_verification_queue_is_kept_across_reports_and_new_when_a_commitment_is_reported_done(
        app, cached, tracked):
    """My work's queue of commitments reported done is served again after a report on any other
    commitment, without its queries; a commitment reported done joins it at once, on every co-chair's page
    as the uncached app renders it."""
    world = tracked.world
    chair = cached(world.tm_chair)
    before = _verification_queue(page_text(chair.get("/my-work")))
    assert "C4" in before and "C1" not in before
    member = cached(world.member)
    assert member.post(f"/tracker/commitments/{tracked.commitments['C1'].id}/progress",
                       data={"progress": "70", "status": "", "note": "Queues run"}).status_code == 302
    statements = Statements(cached.app)
    with statements:
        page = page_text(chair.get("/my-work"))
    assert _verification_queue(page) == before
    assert not [statement for statement in statements.seen
                if statement.startswith("SELECT commitment.group_id, count(*)")]  # the queue's counts

    assert member.post(f"/tracker/commitments/{tracked.commitments['C1'].id}/progress",
                       data={"progress": "100", "status": "reported_done", "note": "Open"}).status_code == 302
    served = page_text(chair.get("/my-work"))
    assert "C1" in _verification_queue(served)
    assert without_tokens(served) == without_tokens(page_text(uncached(app, world.tm_chair).get("/my-work")))


def test_the_council_s_facts_are_kept_across_reports_and_new_after_a_new_organisation(app, cached, tracked):
    """The line "N organisations of Kazakhstan" is kept while only reports come in (no count of the
    directory is run again) and counts a new organisation on the next page."""
    from council.directory.models import OrganisationKind
    from council.directory.services import create_organisation

    world = tracked.world
    member = cached(world.member)

    def kazakh_organisations(html: str) -> int:
        return int(re.search(r"(\d+) organisations of Kazakhstan", html).group(1))

    before = kazakh_organisations(page_text(member.get("/dashboard")))
    assert member.post(f"/tracker/commitments/{tracked.commitments['C1'].id}/progress",
                       data={"progress": "70", "status": "", "note": "Queues run"}).status_code == 302
    statements = Statements(cached.app)
    with statements:
        assert kazakh_organisations(page_text(member.get("/dashboard"))) == before
    assert not [statement for statement in statements.seen if "FROM organisation GROUP BY" in statement
                or "organisation.country_code, count(*)" in statement]
    with cached.app.app_context():
        from council.directory.models import Council, User

        secretary = db.session.get(User, world.secretary.id)
        council = db.session.get(Council, world.council.id)
        create_organisation(secretary, council,
                            code="kz-port", kind=OrganisationKind.AKIMAT, country_code="KZ", region_id=None,
                            name={"en": "Port of Aktau"}, original_language="en")
        db.session.commit()
    served = page_text(member.get("/dashboard"))
    assert kazakh_organisations(served) == before + 1
    assert without_tokens(served) == without_tokens(page_text(uncached(app, world.member).get("/dashboard")))


@pytest.mark.redis
def test_the_recommendation_counts_are_kept_across_reports_and_new_after_a_recommendation_moves(
        app, cached, tracked):
    """The council's and a group's recommendations by status are not counted again after a progress
    report; a recommendation adopted shows on the next page, the same page the app writes uncached."""
    from council.directory.models import User
    from council.tracker.models import Recommendation
    from council.tracker.services import change_recommendation_status

    world = tracked.world
    member = cached(world.member)
    pages = ["/dashboard", f"/dashboard/groups/{tracked.ecology.id}"]
    before = {url: page_text(member.get(url)) for url in pages}
    assert member.post(f"/tracker/commitments/{tracked.commitments['C1'].id}/progress",
                       data={"progress": "70", "status": "", "note": "Queues run"}).status_code == 302
    statements = Statements(cached.app)
    for url in pages:
        with statements:
            assert member.get(url).status_code == 200
        assert not [statement for statement in statements.seen
                    if "FROM recommendation GROUP BY" in statement.replace("\n", " ")
                    or "recommendation.status, count(*)" in statement], url
    with cached.app.app_context():
        secretary = db.session.get(User, world.secretary.id)
        adopted = db.session.get(Recommendation, tracked.recommendations["R3"].id)
        change_recommendation_status(secretary, adopted, "adopted")
        db.session.commit()
    for url in pages:
        served = page_text(member.get(url))
        assert without_tokens(served) != without_tokens(before[url]), url
        assert without_tokens(served) == without_tokens(page_text(uncached(app, world.member).get(url))), url


@pytest.mark.redis
def test_a_third_side_shows_on_the_next_dashboard(app, cached, tracked):
    """The council's countries are kept; the first organisation of a new country is a directory event,
    and the next dashboard has that country's column, as the app writes it uncached."""
    from council.directory.models import Council, Country, OrganisationKind, User
    from council.directory.services import create_organisation

    world = tracked.world
    member = cached(world.member)
    assert "Uzbekistan" not in page_text(member.get("/dashboard"))
    with cached.app.app_context():
        db.session.add(Country(code="UZ", name={"en": "Uzbekistan", "ru": "Узбекистан"},
                               time_zone="Asia/Tashkent"))
        secretary = db.session.get(User, world.secretary.id)
        council = db.session.get(Council, world.council.id)
        create_organisation(secretary, council, code="uz-customs", kind=OrganisationKind.AKIMAT,
                            country_code="UZ", region_id=None, name={"en": "Customs of Uzbekistan"},
                            original_language="en")
        db.session.commit()
    served = page_text(member.get("/dashboard"))
    assert "Uzbekistan" in served
    assert without_tokens(served) == without_tokens(page_text(uncached(app, world.member).get("/dashboard")))


def test_a_move_between_open_statuses_keeps_the_trend_and_the_verification_queue(app, cached, tracked):
    """A first report on C2, planned, puts it in progress: a change of status, but neither to or from
    "verified" nor "reported done". The trend of verified commitments and the co-chairs' queue are served
    again without their queries, and the pages are the uncached app's."""
    world = tracked.world
    owner, chair = cached(world.tm_member), cached(world.tm_chair)
    chair.get("/my-work")
    owner.get("/dashboard")
    response = owner.post(f"/tracker/commitments/{tracked.commitments['C2'].id}/progress",
                          data={"progress": "10", "status": "", "note": "Started"})
    assert response.status_code == 302
    owner.get(response.headers["Location"])  # where its message is shown
    statements = Statements(cached.app)
    with statements:
        dashboard = page_text(owner.get("/dashboard"))
        work = page_text(chair.get("/my-work"))
    assert statements.figures_computed  # the report moved the figures
    assert not [statement for statement in statements.seen
                if re.match(r"SELECT CASE WHEN \(commitment.verified_at", statement)]  # the trend's count
    assert not [statement for statement in statements.seen
                if statement.startswith("SELECT commitment.group_id, count(*)")]  # the queue's counts
    plain_owner, plain_chair = uncached(app, world.tm_member), uncached(app, world.tm_chair)
    assert without_tokens(dashboard) == without_tokens(page_text(plain_owner.get("/dashboard")))
    assert without_tokens(work) == without_tokens(page_text(plain_chair.get("/my-work")))
