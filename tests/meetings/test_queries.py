"""Pages ask the database a fixed number of questions, however large the meeting or the list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from council.extensions import db
from council.meetings import agenda, attendance, decisions, minutes, services
from council.meetings.models import AttendanceMode
from tests.factories import CommitmentFactory, OrganisationFactory, RecommendationFactory, UserFactory
from tests.meetings.conftest import item


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object) -> None:
        self.count += 1


@pytest.fixture
def queries(app):
    counter = QueryCounter()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


def grow(world, meeting, size: int) -> None:
    """Add `size` invitations, attendees, agenda items with links, and decisions with commitments."""
    recommendation = RecommendationFactory(group=world.group)
    people = [UserFactory(organisation=OrganisationFactory(council=world.council)) for _ in range(size)]
    services.update_meeting(world.secretary, meeting, services.MeetingDetails(
        title=meeting.title, original_language="ru", starts_at=meeting.starts_at, ends_at=meeting.ends_at,
        time_zone=meeting.time_zone, place=meeting.place,
        invite_user_ids=tuple(p.id for p in people),
        invite_organisation_ids=tuple(p.organisation_id for p in people)))
    for index in range(size):
        commitment = CommitmentFactory(recommendation=recommendation, organisation=people[index].organisation)
        agenda.add_agenda_item(world.secretary, meeting, item(
            f"Пункт {index}", 5, recommendation_ids=(recommendation.id,), commitment_ids=(commitment.id,)))
    db.session.commit()


def page_queries(client, queries, url: str) -> int:
    client.get(url)  # warm caches that are not per request
    queries.count = 0
    assert client.get(url).status_code == 200
    return queries.count


def test_the_meeting_page_does_not_grow_with_the_meeting(client, auth, world, meetings, queries):
    small, large = meetings.schedule(), meetings.schedule()
    grow(world, small, 2)
    grow(world, large, 12)
    for meeting in (small, large):
        services.publish_agenda(world.secretary, meeting)
        db.session.commit()
    auth.login(world.member)
    assert page_queries(client, queries, f"/meetings/{large.id}") == \
        page_queries(client, queries, f"/meetings/{small.id}")


def test_a_held_meeting_page_does_not_grow_with_attendance_and_decisions(client, auth, world, meetings,
                                                                         queries):
    counts = []
    for size in (2, 10):
        meeting = meetings.held()
        people = [UserFactory(organisation=OrganisationFactory(council=world.council)) for _ in range(size)]
        attendance.record_attendance(world.secretary, meeting,
                                   {p.id: AttendanceMode.IN_PERSON for p in people})
        for index in range(size):
            decisions.add_decision(world.secretary, meeting, decisions.DecisionDetails(
                text={"ru": f"Решение {index}"}, original_language="ru", create_recommendation=True,
                commitments=(decisions.CommitmentDraft(people[index].organisation_id, None,
                                                      date.today() + timedelta(days=30)),)))
        minutes.publish_minutes(world.secretary, meeting)
        minutes.approve_minutes(world.kz_chair, meeting)
        db.session.commit()
        auth.login(world.member)
        counts.append(page_queries(client, queries, f"/meetings/{meeting.id}"))
        counts.append(page_queries(client, queries, f"/meetings/{meeting.id}/minutes/print"))
        auth.logout()
    assert counts[0] == counts[2] and counts[1] == counts[3]


def test_the_list_does_not_grow_with_the_meetings(client, auth, world, meetings, queries):
    auth.login(world.member)
    meetings.published()
    few = page_queries(client, queries, "/meetings/")
    for _ in range(8):
        meetings.published()
    assert page_queries(client, queries, "/meetings/") == few
