"""E-mail addresses are for the secretariat, admins and the person: everyone else reads a person as a
name, a position and an organisation, on pages, in select lists, in search, in exports and in the API."""

from __future__ import annotations

from typing import Any

import pytest

from council.extensions import db
from tests.api.conftest import bearer
from tests.conftest import page_text
from tests.factories import CommitmentFactory, RecommendationFactory
from tests.meetings.conftest import Meetings


@pytest.fixture
def pages(world: Any) -> list[str]:
    """Every page where people appear: their own pages, lists, choosers, the tracker and its export."""
    recommendation = RecommendationFactory(group=world.group, code="TRD-2026-001")
    commitment = CommitmentFactory(recommendation=recommendation, organisation=world.tm_org,
                                   owner=world.tm_member, code="TRD-2026-001-TM1")
    meeting = Meetings(world).held()
    db.session.commit()
    return [f"/people/{world.tm_member.id}", f"/people/{world.kz_chair.id}", "/people",
            f"/groups/{world.group.id}", f"/organisations/{world.tm_org.id}", "/tracker/commitments",
            f"/tracker/commitments/{commitment.id}", "/tracker/commitments/export.csv",
            f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/attendance",
            f"/meetings/{meeting.id}/agenda/new", f"/meetings/{meeting.id}/decisions/new"]


def _others(world: Any, reader: Any) -> list[str]:
    return [person.email for person in (world.tm_member, world.kz_chair, world.tm_chair, world.secretary)
            if person.id != reader.id]


@pytest.mark.parametrize("role", ["observer", "member", "kz_chair"])
def test_no_one_but_the_secretariat_reads_other_peoples_addresses(client: Any, auth: Any, world: Any,
                                                                  pages: list[str], role: str) -> None:
    reader = getattr(world, role)
    auth.login(reader)
    for url in pages:
        response = client.get(url)
        text = page_text(response)
        response.close()
        for address in _others(world, reader):
            assert address not in text, (role, url, address)
    # The co-chair's chooser still tells people apart: by position and organisation.
    if role == "kz_chair":
        group_page = page_text(client.get(f"/groups/{world.group.id}"))
        assert f"{world.observer.name} (" in group_page


def test_a_person_reads_their_own_address(client: Any, auth: Any, world: Any) -> None:
    auth.login(world.member)
    assert world.member.email in page_text(client.get(f"/people/{world.member.id}"))


@pytest.mark.parametrize("role", ["secretary", "admin"])
def test_the_secretariat_reads_every_address(client: Any, auth: Any, world: Any, pages: list[str],
                                             role: str) -> None:
    auth.login(getattr(world, role))
    assert world.tm_member.email in page_text(client.get(f"/people/{world.tm_member.id}"))
    export = client.get("/tracker/commitments/export.csv")
    assert world.tm_member.email in page_text(export)
    export.close()
    # The chooser names people by name, position and organisation, for everyone (issue 23, point 11).
    assert world.observer.name in page_text(client.get(f"/groups/{world.group.id}"))
    assert world.tm_member.name in page_text(client.get("/people", query_string={"q": "tm.member@"}))


def test_a_search_does_not_spell_out_an_address(client: Any, auth: Any, world: Any) -> None:
    """Searching people by pieces of their address would reveal it letter by letter."""
    auth.login(world.observer)
    assert world.tm_member.name not in page_text(client.get("/people", query_string={"q": "tm.member@"}))
    assert world.tm_member.name in page_text(client.get("/people", query_string={"q": "batyr"}))


def test_the_api_publishes_no_address_but_the_owners(client: Any, world: Any) -> None:
    from council.api import services as api_services

    _token, secret = api_services.create_token(world.member, name="Akimat system", scope="read")
    db.session.commit()
    headers = bearer(secret)
    group = client.get(f"/api/v1/groups/{world.group.id}", headers=headers)
    assert group.status_code == 200
    for address in _others(world, world.member):
        assert address not in group.get_data(as_text=True)
    assert client.get("/api/v1/me", headers=headers).get_json()["email"] == world.member.email
