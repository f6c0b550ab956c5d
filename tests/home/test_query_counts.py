"""Home issues the same number of queries however much waits for the person: no query per item."""

from __future__ import annotations

from datetime import timedelta

from council.extensions import db
from council.notifications.models import Channel, DeliveryState, Notification
from council.timeutil import council_today, utcnow
from council.tracker.models import CommitmentStatus
from tests.dashboard.test_query_counts import counted
from tests.factories import CommitmentFactory, RecommendationFactory
from tests.meetings.conftest import Meetings, local


def more_of_everything(world, times: int) -> None:
    """For each person home is shown to: overdue and due-soon commitments, reports to verify, minutes
    to approve, meetings this week, unread notifications, failed e-mails."""
    today = council_today()
    meetings = Meetings(world)
    for n in range(times):
        recommendation = RecommendationFactory(group=world.group)
        for owner, organisation in ((world.member, world.kz_org), (world.kz_chair, world.kz_org),
                                    (world.secretary, world.kz_org), (world.tm_member, world.tm_org)):
            CommitmentFactory(recommendation=recommendation, organisation=organisation, owner=owner,
                              status=CommitmentStatus.IN_PROGRESS, due_date=today - timedelta(days=n + 1))
            CommitmentFactory(recommendation=recommendation, organisation=organisation, owner=owner,
                              due_date=today + timedelta(days=n + 1))
            CommitmentFactory(recommendation=recommendation, organisation=organisation, owner=owner,
                              status=CommitmentStatus.REPORTED_DONE, progress=100)
        meetings.published_minutes(title={"ru": f"Протокол {n}"})
        meetings.published(starts_at=local(2, 10 + n % 5), ends_at=local(2, 16), title={"ru": f"Встреча {n}"})
        for person in (world.member, world.kz_chair, world.secretary):
            db.session.add(Notification(council_id=world.council.id, recipient_id=person.id,
                                        kind="reminder.commitment_due", channel=Channel.IN_APP,
                                        state=DeliveryState.SENT, payload={"code": f"X-{n}", "days": 2}))
        db.session.add(Notification(council_id=world.council.id, recipient_id=world.member.id, kind="digest",
                                    channel=Channel.EMAIL, state=DeliveryState.FAILED, failed_at=utcnow()))
    db.session.commit()


def queries_of_home(client, auth, people) -> dict[str, int]:
    counts = {}
    for person in people:
        auth.login(person)
        with counted() as statements:
            assert client.get("/home").status_code == 200
        counts[person.email] = len(statements)
        auth.logout()
    return counts


def test_queries_of_home_do_not_grow_with_what_waits(client, auth, world):
    people = [world.member, world.kz_chair, world.secretary, world.observer]
    more_of_everything(world, 1)
    before = queries_of_home(client, auth, people)
    more_of_everything(world, 9)
    after = queries_of_home(client, auth, people)
    assert after == before
    assert max(before.values()) <= 25, before
