"""The council's and a group's figures as sums of group slices (council/dashboard/slices.py), and blocks
served again by what they show (council/dashboard/cache.py, `shown`)."""

from __future__ import annotations

from datetime import timedelta

from council import generations
from council.dashboard import figures, slices
from council.dashboard.figures import Scope
from council.directory.models import WorkingGroup
from council.extensions import cache, db
from council.timeutil import council_today
from council.tracker.models import CommitmentStatus as CS
from tests.conftest import page_text, uncached
from tests.dashboard.test_figure_cache import without_tokens
from tests.factories import CommitmentFactory, OrganisationFactory, RecommendationFactory, WorkingGroupFactory


def more_groups(tracked) -> list[int]:
    """Two more groups with commitments of every status, both countries, past and coming due dates and
    organisations ranked by overdue; the council's group ids."""
    world, today = tracked.world, council_today()
    organisations = [world.kz_org, world.tm_org, OrganisationFactory(council=world.council),
                     OrganisationFactory(council=world.council, turkmen=True)]
    for n in range(2):
        recommendation = RecommendationFactory(group=WorkingGroupFactory(council=world.council))
        for index, status in enumerate([*CS, CS.PLANNED, CS.IN_PROGRESS, CS.BLOCKED] * 2):
            CommitmentFactory(recommendation=recommendation, organisation=organisations[(index + n) % 4],
                              status=status, progress=(index * 17 + n) % 101,
                              due_date=today + timedelta(days=(index % 7) * 5 - 12 + n))
    db.session.commit()
    return sorted(db.session.scalars(db.select(WorkingGroup.id).where(
        WorkingGroup.council_id == world.council.id)))


def _mark(app, name: str) -> list[str]:
    """Mark every kept block of this name (SimpleCache's own table, and this process's copy), to tell
    one served again."""
    with app.app_context():
        slots = [key for key in cache.cache._cache
                 if key.startswith("dashboard-block") and f":{name}:" in key]
        for slot in slots:
            generation, digest, html = cache.get(slot)
            cache.set(slot, (generation, digest, html + "<!-- served again -->"))
            generations.local().put(slot, generation, html + "<!-- served again -->")
    return slots


def _report(client, commitment, progress: int) -> None:
    response = client.post(f"/tracker/commitments/{commitment.id}/progress",
                           data={"progress": str(progress), "status": "", "note": f"Now {progress}"})
    assert response.status_code == 302
    client.get(response.headers["Location"])  # where its message is shown


def test_the_sums_of_slices_are_the_one_pass_figures(tracked, cached):
    """Without a cache, with one filling, and served from it: the council's and each group's figures are
    those of figures.commitment_figures, the organisations in the same order."""
    groups = more_groups(tracked)
    council, today = tracked.world.council.id, council_today()
    scopes = [Scope(council), *(Scope(council, group_id=group) for group in groups)]
    for scope in scopes:
        assert slices.commitment_figures(scope, today, groups, organisations=3) == \
            figures.commitment_figures(scope, today, organisations=3)
    with cached.app.test_request_context():
        for _ in range(2):  # filling the cache, then from it
            for scope in scopes:
                assert slices.commitment_figures(scope, today, groups, organisations=10) == \
                    figures.commitment_figures(scope, today, organisations=10)
        cache.clear()


def test_a_report_computes_its_own_group_again_only(tracked, cached, monkeypatch):
    """After a report on C1 (trade), the trade group's slice is computed anew and the others come from
    the cache; the sum is the council's new figures."""
    groups = more_groups(tracked)
    world, today = tracked.world, council_today()
    computed: list[list[int]] = []
    compute = slices._compute
    monkeypatch.setattr(slices, "_compute", lambda council, ids, day: computed.append(ids) or
                        compute(council, ids, day))
    member = cached(world.member)
    with cached.app.test_request_context():
        slices.commitment_figures(Scope(world.council.id), today, groups)
    assert computed == [groups]
    response = member.post(f"/tracker/commitments/{tracked.commitments['C1'].id}/progress",
                           data={"progress": "90", "status": "", "note": "Queues run"})
    assert response.status_code == 302
    with cached.app.test_request_context():
        after = slices.commitment_figures(Scope(world.council.id), today, groups)
        assert computed[1:] == [[world.group.id]]
        assert after == figures.commitment_figures(Scope(world.council.id), today)
        assert after.group(world.group.id).progress == 73  # C1 40 → 90: (90 + 0 + 100 + 100) / 4, half up
        cache.clear()


def test_a_report_that_moves_no_shown_number_serves_the_block_again(app, cached, tracked):
    """A report that keeps C1 at 40 % changes no figure the dashboard shows: the figures block is the one
    rendered before (marked here in the cache to tell), and the page is the uncached app's. A report
    that moves a number is rendered anew."""
    world = tracked.world
    member = cached(world.member)
    member.get("/dashboard")
    assert len(_mark(cached.app, "figures")) == 1
    url = f"/tracker/commitments/{tracked.commitments['C1'].id}/progress"
    response = member.post(url, data={"progress": "40", "status": "", "note": "Still 40"})
    member.get(response.headers["Location"])  # where its message is shown
    served = page_text(member.get("/dashboard"))
    assert "<!-- served again -->" in served
    plain = uncached(app, world.member)
    assert without_tokens(served.replace("<!-- served again -->", "")) == \
        without_tokens(page_text(plain.get("/dashboard")))

    response = member.post(url, data={"progress": "90", "status": "", "note": "Queues run"})
    member.get(response.headers["Location"])
    served = page_text(member.get("/dashboard"))
    assert "<!-- served again -->" not in served
    assert without_tokens(served) == without_tokens(page_text(plain.get("/dashboard")))
    with cached.app.app_context():
        cache.clear()


def test_a_renamed_group_is_renamed_in_a_block_served_by_what_it_shows(app, cached, tracked):
    """Renaming a working group changes no figure, but it moves the council's own generations: the
    figures block, which names the groups, is rendered anew."""
    from council.directory import services as directory

    world = tracked.world
    member = cached(world.member)
    assert "Ecology" in page_text(member.get("/dashboard"))
    with cached.app.test_request_context():
        ecology = db.session.get(WorkingGroup, tracked.ecology.id)
        directory.update_group(world.secretary, ecology, slug=ecology.slug, code=ecology.code,
                               name={"ru": "Экология", "en": "Environment"}, description={},
                               original_language="ru")
        db.session.commit()
    served = page_text(member.get("/dashboard"))
    assert "Environment" in served and ">Ecology<" not in served
    assert without_tokens(served) == without_tokens(page_text(uncached(app, world.member).get("/dashboard")))
    with cached.app.app_context():
        cache.clear()


def test_the_council_s_figures_after_a_report_load_no_working_group(cached, tracked):
    """Summing the slices again after a report needs the council's group ids, which are kept: unless a
    block is rendered anew, the council dashboard reads no working group."""
    from sqlalchemy import event

    world = tracked.world
    member = cached(world.member)
    member.get("/dashboard")
    response = member.post(f"/tracker/commitments/{tracked.commitments['C1'].id}/progress",
                           data={"progress": "40", "status": "", "note": "Still 40"})  # no shown number moves
    member.get(response.headers["Location"])
    statements: list[str] = []
    with cached.app.app_context():
        engine = db.engine

    def count(_connection, _cursor, statement, *_rest) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert member.get("/dashboard").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # The trade group's slice was computed anew (the figures summed again), so the test can tell.
    assert [statement for statement in statements if "UNION ALL" in statement and "GROUP BY" in statement]
    assert not [statement for statement in statements if "FROM working_group" in statement]
    with cached.app.app_context():
        cache.clear()


def test_a_dashboard_reads_the_generations_of_all_its_blocks_at_once(cached, tracked, monkeypatch):
    """After a report each block asks whether it is current: the page read its blocks' generations up
    front, in at most two round trips to the cache (its groups' ids being kept too), not one per block."""
    from tests.test_generations import counting_generation_reads

    world = tracked.world
    member = cached(world.member)
    pages = ["/dashboard", f"/dashboard/groups/{world.group.id}",
             f"/dashboard/organisations/{world.kz_org.id}", "/my-work"]
    for page in pages:
        member.get(page)
    response = member.post(f"/tracker/commitments/{tracked.commitments['C1'].id}/progress",
                           data={"progress": "90", "status": "", "note": "Queues run"})
    member.get(response.headers["Location"])
    reads = counting_generation_reads(monkeypatch)
    for page in pages:
        reads.clear()
        assert member.get(page).status_code == 200
        blocks = [parts for parts in reads if parts != [f"{world.council.id}:texts"]]  # the layout's badge
        assert len(blocks) <= 2, (page, reads)
    with cached.app.app_context():
        cache.clear()


def test_the_initiatives_are_served_again_after_a_report_that_moves_no_initiative_s_progress(
        app, cached, tracked):
    """INIT-RAIL averages C1 (40), C2 (0) and C6 (20): 20 %. C1 at 41 keeps it at 20 % on the council's and
    both organisations' dashboards, whose initiatives block is then the one rendered before; C1 at 70
    makes it 30 %, rendered anew. Each page is the uncached app's."""
    from tests.factories import InitiativeFactory

    world, commitments = tracked.world, tracked.commitments
    initiative = InitiativeFactory(council=world.council, group_id=world.group.id, code="INIT-RAIL")
    for code in ("C1", "C2", "C6"):
        commitments[code].initiative_id = initiative.id
    db.session.commit()
    pages = ["/dashboard", f"/dashboard/organisations/{world.kz_org.id}",
             f"/dashboard/organisations/{world.tm_org.id}"]
    member = cached(world.member)
    for url in pages:
        assert "INIT-RAIL" in page_text(member.get(url))
    assert len(_mark(cached.app, "initiatives")) == 3
    plain = uncached(app, world.member)

    _report(member, commitments["C1"], 41)
    for url in pages:
        served = page_text(member.get(url))
        assert "<!-- served again -->" in served, url
        assert without_tokens(served.replace("<!-- served again -->", "")) == \
            without_tokens(page_text(plain.get(url))), url

    _report(member, commitments["C1"], 70)
    for url in pages:
        served = page_text(member.get(url))
        assert "<!-- served again -->" not in served and "30%" in served, url
        assert without_tokens(served) == without_tokens(page_text(plain.get(url))), url
    with cached.app.app_context():
        cache.clear()


def test_an_organisation_s_blocks_are_kept_across_a_report_on_another_organisation_s_initiative(
        app, cached, tracked):
    """My work's block of the reader's organisation and the organisations' page show no initiative: a
    report on another organisation's commitment in an initiative leaves them as they were."""
    from tests.factories import InitiativeFactory

    world = tracked.world
    initiative = InitiativeFactory(council=world.council, group_id=world.group.id, code="INIT-RAIL")
    tracked.commitments["C6"].initiative_id = initiative.id  # the Turkmen organisation's
    db.session.commit()
    member = cached(world.member)  # of the Kazakh organisation
    pages = {"my-organisation": "/my-work",
             "organisations": f"/dashboard/organisations?group={world.group.id}"}
    for name, url in pages.items():
        assert member.get(url).status_code == 200
        assert _mark(cached.app, name), name
    _report(cached(world.tm_member), tracked.commitments["C6"], 35)
    plain = uncached(app, world.member)
    for url in pages.values():
        served = page_text(member.get(url))
        assert "<!-- served again -->" in served, url
        assert without_tokens(served.replace("<!-- served again -->", "")) == \
            without_tokens(page_text(plain.get(url))), url
    with cached.app.app_context():
        cache.clear()
