"""Comments and questions: the rules a person meets, and nothing half-saved when refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from council.conversations import services
from council.conversations.models import Comment, CommentState, QuestionState
from council.conversations.records import ref_of
from council.errors import Conflict, NotAllowed, ValidationFailed
from council.events import Event
from council.extensions import db
from council.meetings.models import MeetingStatus
from council.timeutil import utcnow
from tests.factories import MeetingFactory


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment)) or 0


def test_a_comment_keeps_its_language_and_is_recorded(world, scene):
    comment = services.add_comment(world.member, scene.kz_ref, text="Ждём оборудование.", language="ru",
                                   mentions=[world.kz_chair.id])
    db.session.commit()
    assert comment.body == {"ru": "Ждём оборудование."}
    assert comment.original_language == "ru"
    assert [m.user_id for m in comment.mentions] == [world.kz_chair.id]
    event = db.session.scalar(select(Event).where(Event.kind == "comment.added"))
    assert event.subject_id == comment.id and event.payload["code"] == "TRD-2026-004-KZ1"
    assert world.kz_chair.id in event.payload["user_ids"]


@pytest.mark.parametrize(("text", "field", "words"), [
    ("", "text", "empty"),
    ("   ", "text", "empty"),
    ("x" * 10_001, "text", "10 000"),
    ("Hello <script>alert(1)</script>", "text", "script"),
    ("Hello <SCRIPT src=//evil>", "text", "script"),
])
def test_bad_text_is_refused_naming_the_field(world, scene, text, field, words):
    with pytest.raises(ValidationFailed) as refused:
        services.add_comment(world.member, scene.kz_ref, text=text, language="ru")
    db.session.rollback()
    assert refused.value.field == field and words in refused.value.message
    assert _count() == 0


def test_ten_thousand_characters_are_accepted(world, scene):
    services.add_comment(world.member, scene.kz_ref, text="я" * 10_000, language="kk")
    db.session.commit()
    assert _count() == 1


def test_a_mention_of_someone_who_cannot_read_is_refused_by_name(world):
    draft = MeetingFactory(group=world.group, status=MeetingStatus.DRAFT, created_by_id=world.kz_chair.id)
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        services.add_comment(world.kz_chair, ref_of(draft), text="Посмотрите повестку", language="ru",
                             mentions=[world.member.id])
    db.session.rollback()
    assert refused.value.field == "mentions"
    assert "Nurlan Member" in refused.value.message
    assert _count() == 0


def test_every_field_error_is_listed_at_once(world, scene):
    with pytest.raises(ValidationFailed) as refused:
        services.add_comment(world.member, scene.kz_ref, text="", language="xx", mentions=[999_999])
    assert {p.field for p in refused.value.problems} == {"text", "language", "mentions"}


def test_observers_read_but_do_not_write(world, scene):
    from council.auth.permissions import can

    assert can(world.observer, "conversation.read", scene.kz_ref)
    with pytest.raises(NotAllowed):
        services.add_comment(world.observer, scene.kz_ref, text="Hello", language="ru")


def test_a_question_goes_to_the_other_side_only(world, scene):
    with pytest.raises(ValidationFailed) as refused:
        services.add_comment(world.tm_chair, scene.tm_ref, text="Soragym bar", language="tk",
                             organisation_id=world.tm_org.id, question=True)
    db.session.rollback()
    assert refused.value.field == "organisation_id" and "your own side" in refused.value.message
    question = services.add_comment(world.tm_chair, scene.tm_ref, text="Näme üçin togtady?", language="tk",
                                    organisation_id=world.kz_org.id, question=True)
    db.session.commit()
    assert question.question_state == QuestionState.OPEN
    assert question.addressed_organisation_id == world.kz_org.id
    event = db.session.scalar(select(Event).where(Event.kind == "question.asked"))
    # The other side's people who must answer: the Kazakh organisation's people and co-chair.
    assert {world.member.id, world.kz_chair.id} <= set(event.payload["user_ids"])
    assert world.observer.id not in services.answerers(question)


def test_answered_by_the_asker_or_a_co_chair(world, scene):
    question = services.add_comment(world.tm_chair, scene.kz_ref, text="Why is it blocked?", language="en",
                                    organisation_id=world.kz_org.id, question=True)
    db.session.commit()
    services.add_comment(world.member, scene.kz_ref, text="Жабдық кеденде тұр.", language="kk")
    with pytest.raises(NotAllowed) as refused:
        services.mark_answered(world.member, question)
    assert "person who asked" in refused.value.message
    services.mark_answered(world.kz_chair, question)
    db.session.commit()
    assert question.question_state == QuestionState.ANSWERED and question.answered_by_id == world.kz_chair.id
    with pytest.raises(Conflict):
        services.mark_answered(world.tm_chair, question)


def test_answering_a_withdrawn_question_is_refused(world, scene):
    question = services.add_comment(world.tm_chair, scene.kz_ref, text="Why?", language="en",
                                    organisation_id=world.kz_org.id, question=True)
    services.withdraw_comment(world.tm_chair, question)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        services.mark_answered(world.tm_chair, question)
    assert "withdrawn" in refused.value.message
    assert question.question_state == QuestionState.OPEN


def test_edit_within_15_minutes_keeps_the_earlier_text(world, scene):
    comment = services.add_comment(world.member, scene.kz_ref, text="First", language="en")
    db.session.commit()
    services.edit_comment(world.member, comment, text="Second")
    db.session.commit()
    assert comment.body == {"en": "Second"} and comment.edited_at is not None
    assert [r.body for r in comment.revisions] == ["First"]
    with pytest.raises(NotAllowed):
        services.edit_comment(world.kz_chair, comment, text="Not mine")
    with time_machine.travel(utcnow() + timedelta(minutes=16), tick=False), pytest.raises(NotAllowed) as late:
        services.edit_comment(world.member, comment, text="Third")
    assert "15 minutes" in late.value.message


def test_nobody_withdraws_or_edits_anothers_comment_not_even_an_admin(world, scene):
    comment = services.add_comment(world.member, scene.kz_ref, text="Mine", language="en")
    db.session.commit()
    for person in (world.admin, world.secretary, world.kz_chair):
        with pytest.raises(NotAllowed):
            services.withdraw_comment(person, comment)
    services.withdraw_comment(world.member, comment)
    assert comment.state == CommentState.WITHDRAWN


def test_a_secretary_hides_with_a_reason_and_the_author_is_told(world, scene):
    comment = services.add_comment(world.member, scene.kz_ref, text="Off topic", language="en")
    db.session.commit()
    with pytest.raises(NotAllowed):
        services.hide_comment(world.kz_chair, comment, reason="No")
    with pytest.raises(ValidationFailed) as refused:
        services.hide_comment(world.secretary, comment, reason=" ")
    assert refused.value.field == "reason"
    services.hide_comment(world.secretary, comment, reason="Not about this commitment")
    db.session.commit()
    assert comment.state == CommentState.HIDDEN and comment.hidden_by_id == world.secretary.id
    event = db.session.scalar(select(Event).where(Event.kind == "comment.hidden"))
    assert event.payload["user_ids"] == [world.member.id]


def test_open_questions_are_the_answerers(world, scene):
    services.add_comment(world.tm_chair, scene.kz_ref, text="Why?", language="en",
                         organisation_id=world.kz_org.id, question=True)
    db.session.commit()
    assert services.questions_for(world.member)[1] == 1
    assert services.questions_for(world.kz_chair)[1] == 1
    assert services.questions_for(world.tm_chair)[1] == 0
    assert services.questions_for(world.observer)[1] == 0
