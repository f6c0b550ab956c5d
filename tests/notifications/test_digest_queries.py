"""Digests are composed a batch at a time: the same number of queries for a batch of 5 readers or of
25, and each reader's digest the same as when it is composed on its own (what `preview` does)."""

from __future__ import annotations

from datetime import timedelta

from council.directory.models import GroupRole
from council.notifications import digests
from council.notifications.models import EmailMode
from council.notifications.sections import Window
from council.timeutil import utcnow
from tests.dashboard.test_query_counts import counted
from tests.factories import MembershipFactory, UserFactory
from tests.home.test_query_counts import more_of_everything


def loaded(people) -> None:
    """Read the people (the factories' commits expired them): the digest run reads them in one query."""
    for person in people:
        assert person.id

UNTIL = utcnow()


def readers_of(people):
    until = UNTIL
    return [(person, Window(until - timedelta(days=1), until, EmailMode.DAILY)) for person in people]


def test_a_batch_of_digests_costs_the_same_queries_for_5_readers_as_for_25(world):
    more_of_everything(world, 2)  # overdue, due soon, to verify, minutes to approve, meetings, news
    core = [world.member, world.kz_chair, world.tm_chair, world.secretary, world.tm_member]
    loaded(core)
    with counted() as few:
        composed = digests.compose_many(readers_of(core))
    for n in range(20):  # members, co-chairs and people without a group, on both sides
        person = UserFactory(organisation=(world.kz_org, world.tm_org)[n % 2], email=f"more{n}@example.org")
        if n % 3:
            MembershipFactory(group=world.group, user=person,
                              role=GroupRole.CO_CHAIR if n % 5 == 0 else GroupRole.MEMBER)
    from council.directory.models import User
    from council.extensions import db

    everyone = core + list(db.session.query(User).filter(User.email.like("more%")).order_by(User.id))
    loaded(everyone)
    with counted() as many:
        batch = digests.compose_many(readers_of(everyone))
    assert len(everyone) == 25
    assert len(many) == len(few), (len(few), len(many))
    # What each reader gets does not depend on who else is in the batch.
    assert batch[:5] == composed
    for (person, window), content in zip(readers_of(everyone), batch, strict=True):
        assert content == digests.compose(person, window)
    assert all(content is not None for content in composed)
    keys = {section["key"] for content in composed if content for section in content["sections"]}
    assert {"overdue", "due_soon", "verification", "approvals", "upcoming"} <= keys
