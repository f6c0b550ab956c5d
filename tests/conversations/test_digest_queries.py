"""The digest's "Questions" and "Conversations" sections collect for a batch of readers at once: the same
number of queries for 5 readers or 25, one query when there is nothing, and each reader's lines the same
as when their digest is composed alone."""

from __future__ import annotations

from datetime import timedelta

from council.conversations import services
from council.directory.models import GroupRole, User
from council.extensions import db
from council.notifications import conversations as sections
from council.notifications.models import EmailMode
from council.notifications.sections import Window
from council.timeutil import utcnow
from tests.dashboard.test_query_counts import counted
from tests.factories import MembershipFactory, UserFactory


def readers_of(people):
    """Each person's daily window, ending now (read when the test runs, not when it is collected)."""
    until = utcnow() + timedelta(minutes=1)
    return [(person, Window(until - timedelta(days=1), until, EmailMode.DAILY)) for person in people]


def _collect(readers):
    return sections.collect_questions(readers), sections.collect_conversations(readers)


def _talk(world, scene, n: int) -> None:
    """Questions to both sides, answers, and mentions: something for most readers."""
    for k in range(n):
        services.add_comment(world.tm_chair, scene.kz_ref, text=f"Sorag {k}", language="tk",
                             organisation_id=world.kz_org.id, question=True)
        services.add_comment(world.member, scene.tm_ref, text=f"Вопрос {k}", language="ru",
                             organisation_id=world.tm_org.id, question=True)
        services.add_comment(world.member, scene.kz_ref, text=f"Ответ {k}", language="ru",
                             mentions=[world.tm_chair.id, world.kz_chair.id])
    db.session.commit()


def test_nothing_said_costs_one_query_per_section(world, scene):
    people = [world.member, world.kz_chair, world.tm_chair, world.tm_member]
    for person in people:
        assert person.id
    with counted() as statements:
        questions, conversations = _collect(readers_of(people))
    assert questions == conversations == [([], 0)] * 4
    assert len(statements) <= 3  # the co-chairs' groups and the questions; the comments


def test_the_sections_cost_the_same_queries_for_5_readers_as_for_25(world, scene):
    _talk(world, scene, 3)
    core = [world.member, world.kz_chair, world.tm_chair, world.secretary, world.tm_member]
    for person in core:
        assert person.id
    with counted() as few:
        alone = _collect(readers_of(core))
    for n in range(20):
        person = UserFactory(organisation=(world.kz_org, world.tm_org)[n % 2], email=f"talk{n}@example.org")
        if n % 3:
            MembershipFactory(group=world.group, user=person,
                              role=GroupRole.CO_CHAIR if n % 5 == 0 else GroupRole.MEMBER)
    db.session.commit()
    everyone = core + list(db.session.query(User).filter(User.email.like("talk%")).order_by(User.id))
    for person in everyone:
        assert person.id
    with counted() as many:
        batch = _collect(readers_of(everyone))
    assert len(everyone) == 25
    assert len(many) == len(few), (len(few), len(many))
    questions, conversations = batch
    assert questions[:5] == alone[0] and conversations[:5] == alone[1]
    for position, reader in enumerate(readers_of(everyone)):
        single = _collect([reader])
        assert (questions[position], conversations[position]) == (single[0][0], single[1][0])
    # The questions are the home page's (the one rule, `open_for`), reader by reader.
    for position, person in enumerate(everyone):
        shown, total = services.questions_for(person, limit=10)
        assert ([item["id"] for item in questions[position][0]], questions[position][1]) == \
            ([question.id for question in shown], total), person.email
    member, kz_chair, tm_chair = questions[0], questions[1], questions[2]
    assert member[1] == 3 and {item["text"]["tk"] for item in member[0]} == {f"Sorag {k}" for k in range(3)}
    assert kz_chair[1] == 3 and tm_chair[1] == 3
    # The asker hears the answers on the record where they asked; the mentioned hear of the mention.
    heard = {item["text"].get("ru") for item in conversations[2][0]}  # the Turkmen co-chair's
    assert {f"Ответ {k}" for k in range(3)} <= heard
    assert {item["text"].get("ru") for item in conversations[1][0]} >= {f"Ответ {k}" for k in range(3)}
