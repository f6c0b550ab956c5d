"""Meetings on the dashboards, in "my work", and approved minutes on the public portal."""

from __future__ import annotations

import pytest

from council.dashboard import meetings as meeting_lists
from council.dashboard import services
from council.errors import Conflict, NotAllowed
from council.events import history
from council.extensions import db
from council.meetings import minutes as meeting_minutes
from council.meetings import services as meeting_services
from council.meetings.models import MeetingKind
from tests.conftest import page_text
from tests.dashboard.conftest import approved
from tests.factories import OrganisationFactory, UserFactory, WorkingGroupFactory


def titled(text: str) -> dict[str, str]:
    return {"ru": text, "en": text}


def test_upcoming_meetings_by_council_group_and_organisation(client, auth, world, meetings):
    other_group = WorkingGroupFactory(council=world.council, slug="ecology", code="ECO")
    meetings.published(title=titled("Trade meeting next week"))
    meetings.published(title=titled("Ecology meeting"), group=other_group, invite=False)
    meetings.schedule(title=titled("Draft meeting"))  # a draft: only its organisers see it
    cancelled = meetings.published(title=titled("Cancelled meeting"))
    meeting_services.cancel_meeting(world.secretary, cancelled, "Floods")
    meetings.held(title=titled("Yesterday's meeting"))
    db.session.commit()
    auth.login(world.member)
    text = page_text(client.get("/dashboard"))
    assert "Trade meeting next week" in text and "Ecology meeting" in text
    assert "Draft meeting" not in text and "Cancelled meeting" not in text
    assert "Yesterday's meeting" not in text.split('id="meetings"')[1].split("Approved minutes")[0]
    text = page_text(client.get(f"/dashboard/groups/{other_group.id}"))
    assert "Ecology meeting" in text and "Trade meeting next week" not in text
    # The Turkmen hyakimlik is invited to the trade meeting, not to the ecology one.
    text = page_text(client.get(f"/dashboard/organisations/{world.tm_org.id}"))
    assert "Trade meeting next week" in text and "Ecology meeting" not in text


def test_my_work_lists_my_meetings_and_minutes_to_approve(client, auth, world, meetings):
    meetings.published(title=titled("Trade meeting next week"))
    waiting = meetings.published_minutes(title=titled("Minutes to approve"))
    auth.login(world.kz_chair)
    text = page_text(client.get("/my-work"))
    assert "Trade meeting next week" in text
    approvals = text.split('id="approvals"')[1].split('id="next-meetings"')[0]
    assert "Minutes to approve" in approvals
    meeting_minutes.approve_minutes(world.kz_chair, waiting)
    db.session.commit()
    assert "Minutes to approve" not in page_text(client.get("/my-work")).split('id="next-meetings"')[0]
    # The Turkmen side has not approved yet: it is still on the Turkmen co-chair's list.
    assert [m.id for m in meeting_lists.minutes_awaiting(world.tm_chair)] == [waiting.id]
    # A member approves nothing, and is invited through their name to the trade meeting.
    assert meeting_lists.minutes_awaiting(world.member) == []
    assert [m.title["en"] for m in meeting_lists.my_meetings(world.member)] == ["Trade meeting next week"]
    # The Turkmen member is invited through their organisation.
    assert [m.title["en"] for m in meeting_lists.my_meetings(world.tm_member)] == ["Trade meeting next week"]
    assert meeting_lists.my_meetings(world.outsider) == []


def test_council_session_minutes_wait_for_their_session_chairs(world, meetings):
    session = meetings.published_minutes(
        kind=MeetingKind.COUNCIL_SESSION, group=None, title=titled("Council session"),
        session_chair_ids=(world.kz_chair.id, world.tm_chair.id))
    assert [m.id for m in meeting_lists.minutes_awaiting(world.kz_chair)] == [session.id]
    stranger_chair = UserFactory(organisation=OrganisationFactory(council=world.council))
    assert meeting_lists.minutes_awaiting(stranger_chair) == []


def test_organisers_publish_approved_minutes_on_the_portal(client, auth, world, meetings):
    minutes = approved(meetings, title=titled("Approved trade meeting"))
    unapproved = meetings.published_minutes(title=titled("Not yet approved"))
    with pytest.raises(NotAllowed):
        services.set_minutes_public(world.member, minutes, True)
    with pytest.raises(Conflict):
        services.set_minutes_public(world.secretary, unapproved, True)
    db.session.rollback()
    auth.login(world.kz_chair)  # a co-chair organises the group's meetings
    text = page_text(client.get(f"/dashboard/groups/{world.group.id}"))
    assert "Approved trade meeting" in text and "Show on the public portal" in text
    response = client.post(f"/dashboard/meetings/{minutes.id}/public",
                           data={"public": "1", "next": f"/dashboard/groups/{world.group.id}"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/dashboard/groups/{world.group.id}"
    db.session.refresh(minutes)
    assert minutes.is_public
    assert history("meeting", minutes.id)[0].kind == "minutes.made_public"
    auth.logout()
    auth.login(world.member)
    assert client.post(f"/dashboard/meetings/{minutes.id}/public", data={"public": "0"}).status_code == 403


def test_public_portal_shows_public_approved_minutes_only(client, world, meetings):
    public = approved(meetings, title=titled("Public approved meeting"))
    private = approved(meetings, title=titled("Private approved meeting"))
    pending = meetings.published_minutes(title=titled("Public but pending meeting"))
    for meeting in (public, pending):
        meeting.is_public = True
    db.session.commit()
    base = f"/public/{world.council.slug}"
    pages = "".join(page_text(client.get(url)) for url in (base, f"{base}/minutes"))
    assert "Public approved meeting" in pages
    assert "Private approved meeting" not in pages and "Public but pending meeting" not in pages
    text = page_text(client.get(f"{base}/minutes/{public.id}"))
    assert "Заседание открыл тең төраға." in text
    for meeting in (private, pending):
        assert client.get(f"{base}/minutes/{meeting.id}").status_code == 404
    other = approved(meetings, title=titled("Elsewhere"))
    other.is_public = True
    db.session.commit()
    assert client.get(f"/public/no-such-council/minutes/{other.id}").status_code == 404
    assert "@" not in page_text(client.get(f"{base}/minutes/{public.id}")).split("<main")[1]


def test_minutes_stay_public_while_an_amendment_is_under_way(client, world, meetings):
    minutes = approved(meetings, title=titled("Amended meeting"))
    minutes.is_public = True
    db.session.commit()
    meeting_minutes.start_revision(world.secretary, minutes, "A figure was wrong")
    db.session.commit()
    base = f"/public/{world.council.slug}"
    text = page_text(client.get(f"{base}/minutes/{minutes.id}"))
    assert "revision 1" in text and "Заседание открыл тең төраға." in text
