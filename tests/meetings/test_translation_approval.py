"""Approved minutes cannot be extended by one side: a language added after both co-chairs approved is a
translation not yet approved (minutes page, print view, translation page, API) and stays off the public
portal until both co-chairs approve it."""

from __future__ import annotations

from typing import Any

import pytest

from council.dashboard import services as dashboard
from council.extensions import db
from council.meetings import minutes as meeting_minutes
from tests.api.conftest import bearer
from tests.conftest import page_text

RUSSIAN = "Стороны согласовали электронную очередь."
ENGLISH = "The sides agreed to approve a new checkpoint fee."  # what one side slipped in


def token_for(person: Any) -> str:
    """A read-write personal access token of the person (committed): its secret."""
    from council.api import services as api_services

    _token, secret = api_services.create_token(person, name=f"system {person.id}", scope="read-write")
    db.session.commit()
    return secret


@pytest.fixture
def approved(world: Any, meetings: Any) -> Any:
    """Russian minutes that both co-chairs approved, shown on the public portal."""
    meeting = meetings.held()
    meeting_minutes.save_minutes(world.secretary, meeting, original_language="ru",
                          notes={"general": {"ru": RUSSIAN}})
    meeting_minutes.publish_minutes(world.secretary, meeting)
    meeting_minutes.approve_minutes(world.kz_chair, meeting)
    meeting_minutes.approve_minutes(world.tm_chair, meeting)
    dashboard.set_minutes_public(world.secretary, meeting, True)
    db.session.commit()
    return meeting


def english_reader(client: Any) -> Any:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def add_english_through_the_api(client: Any, meeting: Any, secret: str) -> Any:
    response = client.put(f"/api/v1/translations/minutes/{meeting.minutes.id}/en",
                          json={"texts": {"general": ENGLISH}}, headers=bearer(secret))
    assert response.status_code == 200, response.json
    return response


def test_english_added_by_one_side_through_the_api_is_not_the_approved_minutes(client, auth, world, approved):
    response = add_english_through_the_api(client, approved, token_for(world.kz_chair))
    assert response.json["approved_languages"] == ["ru"]
    minutes = client.get(f"/api/v1/meetings/{approved.id}/minutes", headers=bearer(token_for(world.member)))
    assert minutes.json["approved_languages"] == ["ru"]

    portal = page_text(english_reader(client).get(f"/public/{world.council.slug}/minutes/{approved.id}"))
    assert RUSSIAN in portal and ENGLISH not in portal
    assert "The approved original is in" in portal

    auth.login(world.member)
    page = page_text(client.get(f"/meetings/{approved.id}"))
    assert "Translations not yet approved" in page
    body = page.split("Translations not yet approved", 1)[0]
    assert ENGLISH not in body  # the approved minutes read in Russian; English only apart, marked
    printed = page_text(client.get(f"/meetings/{approved.id}/minutes/print"))
    assert RUSSIAN in printed and ENGLISH not in printed
    assert "Translations not yet approved by both co-chairs are not printed" in printed


def test_the_translation_page_says_what_a_late_language_is(client, auth, world, approved):
    auth.login(world.kz_chair)
    url = f"/translate/minutes/{approved.minutes.id}/en"
    assert "a translation not yet approved" in page_text(client.get(url))
    assert client.post(url, data={"text_general": ENGLISH}).status_code == 302
    db.session.expire_all()
    assert approved.minutes.current.approved_languages == ["ru"]
    assert approved.minutes.current.unapproved_languages == ["en"]


def test_both_co_chairs_approve_a_late_translation_before_the_portal_shows_it(client, auth, world, approved):
    add_english_through_the_api(client, approved, token_for(world.kz_chair))
    portal_url = f"/public/{world.council.slug}/minutes/{approved.id}"
    approve_url = f"/meetings/{approved.id}/minutes/approve/en"
    for outsider in (world.member, world.secretary, world.admin):  # not the co-chairs: refused
        auth.login(outsider)
        assert client.post(approve_url).status_code == 403
        auth.logout()
    auth.login(world.kz_chair)
    page = page_text(client.get(f"/meetings/{approved.id}"))
    assert "Approve the English text" in page
    assert client.post(approve_url).status_code == 302
    assert client.post(approve_url).status_code == 409  # once per side
    auth.logout()
    assert ENGLISH not in page_text(english_reader(client).get(portal_url))  # one side is not enough
    auth.login(world.tm_chair)
    assert client.post(approve_url).status_code == 302
    auth.logout()
    assert ENGLISH in page_text(english_reader(client).get(portal_url))
    db.session.expire_all()
    assert approved.minutes.current.approved_languages == ["ru", "en"]


def test_a_language_added_between_the_two_approvals_is_approved_by_one_side_only(world, meetings):
    meeting = meetings.held()
    meeting_minutes.save_minutes(world.secretary, meeting, original_language="ru",
                          notes={"general": {"ru": RUSSIAN}})
    meeting_minutes.publish_minutes(world.secretary, meeting)
    meeting_minutes.approve_minutes(world.kz_chair, meeting)
    from council.translating import services as translating

    translating.add_translation(world.tm_chair, meeting.minutes, "en", {"general": ENGLISH})
    meeting_minutes.approve_minutes(world.tm_chair, meeting)
    db.session.commit()
    revision = meeting.minutes.current
    assert revision.approved_languages == ["ru"] and revision.unapproved_languages == ["en"]
    meeting_minutes.approve_translation(world.kz_chair, meeting, "en")
    db.session.commit()
    assert revision.approved_languages == ["ru", "en"]


def test_a_translation_is_approved_only_after_the_minutes(world, meetings):
    from council.errors import Conflict

    meeting = meetings.published_minutes()
    with pytest.raises(Conflict):
        meeting_minutes.approve_translation(world.kz_chair, meeting, "ru")
