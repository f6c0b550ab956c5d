"""Who is told of a comment or a question, by e-mail in their language; reminders; the digest; and a
comment's markup inert in every e-mail."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from council.conversations import services
from council.extensions import db
from council.notifications.digests import preview
from council.notifications.models import Channel, EmailMode, Notification
from council.notifications.reminders import send_reminders
from council.timeutil import utcnow
from tests.notifications.conftest import mail_to, plain, subject
from tests.test_xss import IMG, SCRIPT, assert_inert


def _told(kind: str) -> set[int]:
    return set(db.session.scalars(select(Notification.recipient_id).where(
        Notification.kind == kind, Notification.channel == Channel.IN_APP)))


def test_a_question_tells_the_other_side_and_not_the_asker(world, scene, mail_sink):
    services.add_comment(world.tm_chair, scene.kz_ref, text=f"Näme üçin togtady? {IMG}", language="tk",
                         organisation_id=world.kz_org.id, question=True, mentions=[world.secretary.id])
    db.session.commit()
    told = _told("question.asked")
    assert {world.member.id, world.kz_chair.id, world.secretary.id} <= told
    assert world.tm_chair.id not in told and world.observer.id not in told
    [message] = mail_to(mail_sink, "member@example.org")
    assert "TRD-2026-004-KZ1" in subject(message)
    assert "Näme üçin togtady?" in plain(mail_sink.text_of(message))
    assert_inert(mail_sink.html_of(message), "question e-mail")
    assert not mail_to(mail_sink, "tm.chair@example.org")


def test_mentioned_and_responsible_people_hear_of_a_comment(world, scene, mail_sink):
    services.add_comment(world.kz_chair, scene.kz_ref, text="See this", language="en",
                         mentions=[world.tm_member.id])
    db.session.commit()
    # The commitment's owner (responsible) and the person mentioned; not the author.
    assert _told("comment.added") == {world.member.id, world.tm_member.id}


def test_the_author_is_told_why_their_comment_was_hidden(world, scene, mail_sink):
    comment = services.add_comment(world.member, scene.kz_ref, text="Off topic", language="en")
    db.session.commit()
    mail_sink.messages.clear()
    services.hide_comment(world.secretary, comment, reason="Not about this commitment")
    db.session.commit()
    [message] = mail_to(mail_sink, "member@example.org")
    assert "Not about this commitment" in plain(mail_sink.text_of(message))


def test_unanswered_questions_are_reminded_then_escalated(world, scene, mail_sink):
    question = services.add_comment(world.tm_chair, scene.kz_ref, text="Why?", language="en",
                                    organisation_id=world.kz_org.id, question=True)
    db.session.commit()
    assert send_reminders(utcnow() + timedelta(days=4)) == 0
    assert send_reminders(utcnow() + timedelta(days=6)) > 0
    assert world.member.id in _told("reminder.question_open")
    assert send_reminders(utcnow() + timedelta(days=6, hours=1)) == 0  # once only
    send_reminders(utcnow() + timedelta(days=15))
    assert _told("reminder.question_escalation") == {world.kz_chair.id, world.tm_chair.id}
    services.mark_answered(world.tm_chair, question)
    db.session.commit()
    assert services.questions_for(world.member)[1] == 0


def test_the_digest_has_the_questions_and_the_conversations(world, scene, mail_sink):
    services.add_comment(world.tm_chair, scene.kz_ref, text=f"Why? {SCRIPT}{IMG}".replace(SCRIPT, ""),
                         language="en", organisation_id=world.kz_org.id, question=True)
    services.add_comment(world.tm_member, scene.kz_ref, text=f"@Nurlan look {IMG}", language="en",
                         mentions=[world.member.id])
    db.session.commit()
    _subject, text, html = preview(world.member, EmailMode.DAILY, utcnow() + timedelta(hours=1))
    assert "Questions of the other side waiting for your answer" in text
    assert "Conversations" in text and "@Nurlan look" in text
    assert_inert(html, "digest")
