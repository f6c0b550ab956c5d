"""API v1 meetings: the meetings a reader may see, with agenda, decisions and minutes."""

from __future__ import annotations

from council.extensions import db
from council.meetings import agenda as meeting_agenda
from council.meetings import minutes as meeting_minutes
from tests.api.conftest import bearer
from tests.factories import MeetingFactory
from tests.meetings.conftest import Meetings, item


def test_meetings_are_listed_with_the_filters_of_the_meetings_page(client, world, as_member):
    meetings = Meetings(world)
    upcoming = meetings.published()
    past = meetings.held()
    draft = meetings.schedule()  # only its editors see a draft
    MeetingFactory()  # another council's
    listed = client.get("/api/v1/meetings", headers=as_member).json
    assert [m["id"] for m in listed["items"]] == [upcoming.id]
    assert listed["items"][0]["status"] == "agenda_published"
    assert [m["id"] for m in client.get("/api/v1/meetings?when=past", headers=as_member)
            .json["items"]] == [past.id]
    secretary = bearer_for(world.secretary)
    assert draft.id in [m["id"] for m in client.get("/api/v1/meetings", headers=secretary).json["items"]]
    assert client.get(f"/api/v1/meetings/{draft.id}", headers=as_member).status_code == 404
    assert client.get("/api/v1/meetings?kind=council_session", headers=as_member).json["items"] == []
    bad = client.get("/api/v1/meetings?when=tomorrow", headers=as_member)
    assert bad.status_code == 422 and bad.json["error"]["field"] == "when"


def bearer_for(person):
    from council.api import services as token_services

    _token, secret = token_services.create_token(person, name=f"t{person.id}", scope="read")
    db.session.commit()
    return bearer(secret)


def test_a_meeting_has_its_agenda_in_order(client, world, as_member):
    meeting = Meetings(world).published()
    opening = meeting.agenda_items[0]
    meeting_agenda.add_agenda_item(world.secretary, meeting, item("Подпункт", 10, parent_id=opening.id))
    db.session.commit()
    body = client.get(f"/api/v1/meetings/{meeting.id}", headers=as_member).json
    assert body["group_id"] == world.group.id and body["kind"] == "group_meeting"
    agenda = body["agenda"]
    assert [(a["title"]["ru"], a["parent_id"]) for a in agenda] == [
        ("Открытие", None), ("Подпункт", opening.id), ("Электронная очередь", None)]
    assert body["decisions"] == [] and body["starts_at"].endswith("+00:00")


def test_minutes_are_read_as_the_current_revision(client, world, as_member):
    meetings = Meetings(world)
    meeting = meetings.published_minutes()
    assert client.get(f"/api/v1/meetings/{meetings.published().id}/minutes",
                      headers=as_member).status_code == 404
    meeting_minutes.approve_minutes(world.kz_chair, meeting)
    db.session.commit()
    minutes = client.get(f"/api/v1/meetings/{meeting.id}/minutes", headers=as_member).json
    assert minutes["number"] == 1 and minutes["status"] == "published"
    assert minutes["notes"]["general"]["ru"] == "Заседание открыл тең төраға."
    assert [(a["user_id"], a["country_code"]) for a in minutes["approvals"]] == [(world.kz_chair.id, "KZ")]
    assert [r["number"] for r in minutes["revisions"]] == [1]
    assert client.get(f"/api/v1/meetings/{meeting.id}/minutes/1", headers=as_member).json["number"] == 1
    assert client.get(f"/api/v1/meetings/{meeting.id}/minutes/2", headers=as_member).status_code == 404
