"""The blocks issue 17 moved into the dashboards' cache: the organisations table, the shared parts of "my
work" (the verification queue of the reader's groups, the reader's organisation) and the public portal's
figures. Like the dashboards' (test_figure_cache.py): each reader gets exactly the page the uncached app
renders for them, whoever filled the cache before, and a change shows on the next page.
"""

from __future__ import annotations

from council.extensions import db
from tests.conftest import IsolatedClient, page_text, uncached
from tests.dashboard.test_figure_cache import without_tokens


def signed_in_pages(tracked) -> list[str]:
    world = tracked.world
    return ["/dashboard/organisations", "/dashboard/organisations?sort=progress",
            f"/dashboard/organisations?group={world.group.id}&sort=name", "/my-work"]


def portal_pages(tracked) -> list[str]:
    world = tracked.world
    return [f"/public/{world.council.slug}", f"/public/{world.council.slug}/groups/{world.group.id}",
            f"/public/{world.council.slug}/groups/{tracked.ecology.id}"]


def anonymous(app):
    app.test_client_class = IsolatedClient
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_each_reader_gets_their_own_page(app, cached, tracked):
    """A secretary, a co-chair, a member of the other side and an observer, in two languages, one after
    another on one cache: the verification queue of one's groups, another's organisation, another's
    commitments never show on someone else's page."""
    world = tracked.world
    world.tm_member.language = "ru"
    db.session.commit()
    readers = [world.secretary, world.kz_chair, world.tm_member, world.observer, world.member]
    clients = {person.id: (cached(person, person.language), uncached(app, person, person.language))
               for person in readers}
    for person in [*readers, world.kz_chair, world.secretary]:
        client, plain = clients[person.id]
        for url in signed_in_pages(tracked) + portal_pages(tracked):
            served = page_text(client.get(url))
            assert without_tokens(served) == without_tokens(page_text(plain.get(url))), (person.email, url)
            assert "\x00" not in served
    visitor, plain_visitor = anonymous(cached.app), anonymous(app)
    for url in portal_pages(tracked):
        served = page_text(visitor.get(url))
        assert without_tokens(served) == without_tokens(page_text(plain_visitor.get(url))), url


def test_my_work_keeps_what_is_the_readers_own(app, cached, tracked):
    """The co-chair verifies in their group; the observer in none: neither sees the other's queue."""
    world = tracked.world
    chair, observer = cached(world.kz_chair), cached(world.observer)
    assert "wait for verification" in page_text(chair.get("/my-work")) or \
        "waits for verification" in page_text(chair.get("/my-work"))
    text = page_text(observer.get("/my-work"))
    assert "you co-chair none" in text
    assert "waits for verification" not in text and "wait for verification" not in text


def test_a_change_shows_at_once_on_every_cached_page(app, cached, tracked):
    world = tracked.world
    member, chair, visitor = cached(world.member), cached(world.kz_chair), anonymous(cached.app)
    portal = f"/public/{world.council.slug}"
    watched = {"/dashboard/organisations": member, "/my-work": chair, portal: visitor,
               f"{portal}/groups/{world.group.id}": visitor}
    before = {url: without_tokens(page_text(client.get(url))) for url, client in watched.items()}
    for url, client in watched.items():  # served from the cache now
        assert without_tokens(page_text(client.get(url))) == before[url]

    # The owner reports C1 (under a public recommendation) done: the organisation's progress, the
    # co-chair's queue and the portal's figures change, on the next page of each.
    response = member.post(f"/tracker/commitments/{tracked.commitments['C1'].id}/progress",
                           data={"progress": "100", "status": "reported_done", "note": "Queues run"},
                           follow_redirects=True)  # the flash is read on the commitment's page
    assert response.status_code == 200 and "Progress reported" in page_text(response)
    plain = {"/dashboard/organisations": uncached(app, world.member),
             "/my-work": uncached(app, world.kz_chair), portal: anonymous(app),
             f"{portal}/groups/{world.group.id}": anonymous(app)}
    for url, client in watched.items():
        after = without_tokens(page_text(client.get(url)))
        assert after != before[url], url
        assert after == without_tokens(page_text(plain[url].get(url))), url


def test_my_own_commitments_are_new_after_my_report_and_kept_after_anothers(app, cached, tracked):
    """"My commitments" is kept in a slot of the reader's own: the owner's report shows on their next
    page; a report on someone else's commitment leaves it as it was, without its queries."""
    from tests.dashboard.test_figure_cache import Statements

    world = tracked.world
    member, tm_member = cached(world.member), cached(world.tm_member)
    mine_before = page_text(member.get("/my-work"))
    theirs_before = page_text(tm_member.get("/my-work"))
    assert "Description of C1" in mine_before and "Description of C1" not in theirs_before
    response = member.post(f"/tracker/commitments/{tracked.commitments['C1'].id}/progress",
                           data={"progress": "70", "status": "", "note": "Queues run"},
                           follow_redirects=True)  # the flash is read on the commitment's page
    assert response.status_code == 200
    mine_after = page_text(member.get("/my-work"))
    assert mine_after != mine_before and "70%" in mine_after.split('id="mine"')[1]
    plain = uncached(app, world.member)
    assert without_tokens(mine_after) == without_tokens(page_text(plain.get("/my-work")))
    statements = Statements(cached.app)
    with statements:
        theirs_after = page_text(tm_member.get("/my-work"))
    assert without_tokens(theirs_after) == without_tokens(theirs_before)
    assert not [statement for statement in statements.seen if "commitment.owner_id" in statement]
