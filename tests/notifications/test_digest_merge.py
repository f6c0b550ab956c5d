"""Readers who get the same digest share its writing (council/notifications/letters.py): each distinct
digest is written once per language and time zone for a chunk sent together, then addressed to each
reader. Every reader still gets their own letter: their name, their unsubscribe link, the words a
digest written for them alone would have."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import select

from council.emails import render_email
from council.extensions import db
from council.notifications import digests
from council.notifications.letters import Written
from council.notifications.messages import Reader, external_url
from council.notifications.models import Notification
from council.notifications.outbox import build_notification
from council.notifications.sections import digest_context
from council.notifications.tokens import person_of_token
from tests.factories import MembershipFactory, UserFactory
from tests.notifications.conftest import mail_to
from tests.notifications.test_digest_letter import MORNING, YESTERDAY, a_morning_of_a_co_chair, on_digest

NAMES = {"aigerim@example.org": ("Айгерим <Ахметова>", "kk"), "oneil@example.org": ("O'Neil & Sons", "kk"),
         "berik@example.org": ("Берик", "kk"), "dovlet@example.org": ("Döwlet \"Ata\"", "tk")}


def readers_of_one_organisation(world) -> list:
    """Members of the Kazakh akimat in the trade group: the same commitments due, the same news."""
    people = []
    with time_machine.travel(YESTERDAY - timedelta(days=1), tick=False):  # on the platform before the news
        for address, (name, language) in NAMES.items():
            person = UserFactory(organisation=world.kz_org, email=address, name=name, language=language)
            MembershipFactory(group=world.group, user=person)
            on_digest(person)
            people.append(person)
    return people


def unsubscribe_link_of(message) -> str:
    return str(message["List-Unsubscribe"]).strip("<>")


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def test_each_reader_of_a_shared_digest_gets_their_own_name_and_link_and_the_same_words_as_alone(
        world, mail_sink):
    people = readers_of_one_organisation(world)
    a_morning_of_a_co_chair(world)
    digests.plan(MORNING)
    for person in people:
        [message] = mail_to(mail_sink, person.email)
        text, html = mail_sink.text_of(message), mail_sink.html_of(message)
        link = unsubscribe_link_of(message)
        assert person_of_token(link.rsplit("/", 1)[1]) == person
        assert link in text and str(escape(link)) in html
        assert person.name in text and str(escape(person.name)) in html
        assert "merge-" not in text + html + str(message["Subject"])
        # The same words as the templates rendered for this reader alone.
        row = db.session.scalar(select(Notification).where(Notification.recipient_id == person.id,
                                                           Notification.kind == "digest"))
        reader = Reader.of(person)
        with force_locale(person.language):
            context = digest_context(row.payload, reader)
        alone = render_email("digest", person.language, name=person.name, unsubscribe_link=link,
                             preferences_link=external_url("notifications.preferences"), **context)
        assert str(message["Subject"]).strip() == alone[0]
        assert lines(text) == lines(alone[1])
        assert lines(html) == lines(alone[2])
    others = [mail_to(mail_sink, person.email)[0] for person in people]
    assert len({unsubscribe_link_of(message) for message in others}) == len(people)


def test_a_chunk_writes_each_distinct_digest_once_per_language(world, mail_sink):
    people = readers_of_one_organisation(world)
    a_morning_of_a_co_chair(world)
    digests.plan(MORNING)
    rows = db.session.scalars(select(Notification).where(
        Notification.recipient_id.in_([person.id for person in people]), Notification.kind == "digest")
        .order_by(Notification.id)).all()
    assert len({str(row.payload) for row in rows}) == 1  # the four get the same digest
    written = Written()
    letters = [build_notification(row, written) for row in rows]
    assert len(written.digests) == 2  # three Kazakh readers, one Turkmen
    assert [letter.to for letter in letters] == [person.email for person in people]
    assert len({letter.data for letter in letters}) == len(people)
