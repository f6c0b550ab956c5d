"""The thread on record pages: writing, refusals on the form, paging, and a fixed number of queries."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from council.conversations import services
from council.conversations.models import Comment, CommentMention, CommentRevision, QuestionState
from council.extensions import db
from tests.conftest import error_summary, page_text, refusal
from tests.dashboard.test_query_counts import counted
from tests.test_xss import IMG, assert_inert

PREFIX = "thread-commitment-{id}-"


def _post(client, scene, **fields):
    prefix = PREFIX.format(id=scene.kz_commitment.id)
    data = {prefix + key: value for key, value in fields.items()}
    return client.post(f"/threads/commitment/{scene.kz_commitment.id}/comments", data=data)


def test_a_comment_appears_on_the_record_page(client, auth, world, scene):
    auth.login(world.member)
    response = _post(client, scene, text="**Оборудование** на таможне", language="ru")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/tracker/commitments/{scene.kz_commitment.id}#comment-1")
    page = page_text(client.get(f"/tracker/commitments/{scene.kz_commitment.id}"))
    assert "<strong>Оборудование</strong> на таможне" in page
    assert "Comment added." in page


def test_an_empty_comment_is_listed_in_the_error_summary(client, auth, world, scene):
    auth.login(world.member)
    response = _post(client, scene, text="", language="ru")
    assert response.status_code == 422
    prefix = PREFIX.format(id=scene.kz_commitment.id)
    assert (f"{prefix}text", "Write the comment: it is empty.") in error_summary(response)
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_script_is_refused_and_other_markup_is_inert(client, auth, world, scene):
    auth.login(world.member)
    refused = _post(client, scene, text="<script>alert(1)</script>", language="en")
    assert refused.status_code == 422
    assert any("script" in text for _, text in error_summary(refused))
    assert_inert(page_text(refused), "refused comment form")
    assert _post(client, scene, text=f"Look {IMG} [x](javascript:alert(1))", language="en").status_code == 302
    assert_inert(page_text(client.get(f"/tracker/commitments/{scene.kz_commitment.id}")), "commitment page")


def test_observers_read_the_thread_without_a_form(client, auth, world, scene):
    services.add_comment(world.member, scene.kz_ref, text="Visible to all", language="en")
    db.session.commit()
    auth.login(world.observer)
    page = page_text(client.get(f"/tracker/commitments/{scene.kz_commitment.id}"))
    assert "Visible to all" in page and "Add the comment" not in page
    assert "Observers" in refusal(_post(client, scene, text="Hi", language="en"))


def test_ask_the_other_side_from_the_two_country_view(client, auth, world, scene):
    auth.login(world.tm_chair)
    page = page_text(client.get(f"/tracker/recommendations/{scene.recommendation.id}"))
    assert f"/commitments/{scene.kz_commitment.id}/ask" in page
    assert f"/commitments/{scene.tm_commitment.id}/ask" not in page  # the Turkmen side's own
    form = page_text(client.get(f"/commitments/{scene.kz_commitment.id}/ask"))
    assert "Ask the other side" in form
    own_side = client.post(f"/commitments/{scene.kz_commitment.id}/ask",
                           data={"organisation_id": world.tm_org.id, "text": "Why?", "language": "tk"})
    assert own_side.status_code == 422
    asked = client.post(f"/commitments/{scene.kz_commitment.id}/ask",
                        data={"organisation_id": world.kz_org.id, "text": "Näme üçin togtady?",
                              "language": "tk"})
    assert asked.status_code == 302
    question = db.session.scalar(select(Comment))
    assert question.question_state == QuestionState.OPEN
    page = page_text(client.get(f"/tracker/commitments/{scene.kz_commitment.id}"))
    assert "Näme üçin togtady?" in page and "Mark answered" in page


def test_answering_a_withdrawn_question_is_a_409(client, auth, world, scene):
    question = services.add_comment(world.tm_chair, scene.kz_ref, text="Why?", language="en",
                                    organisation_id=world.kz_org.id, question=True)
    services.withdraw_comment(world.tm_chair, question)
    db.session.commit()
    auth.login(world.tm_chair)
    response = client.post(f"/comments/{question.id}/answered")
    assert response.status_code == 409
    assert any("withdrawn" in text for _, text in error_summary(response))


def test_the_secretary_hides_with_a_reason(client, auth, world, scene):
    comment = services.add_comment(world.member, scene.kz_ref, text="Off topic", language="en")
    db.session.commit()
    auth.login(world.secretary)
    assert client.post(f"/comments/{comment.id}/hide", data={"reason": ""}).status_code == 422
    assert client.post(f"/comments/{comment.id}/hide", data={"reason": "Not about this"}).status_code == 302
    page = page_text(client.get(f"/tracker/commitments/{scene.kz_commitment.id}"))
    assert "Hidden by the secretariat. Reason: Not about this" in page and "Off topic" not in page


def test_edit_and_the_history_of_a_comment(client, auth, world, scene):
    comment = services.add_comment(world.member, scene.kz_ref, text="First text", language="en")
    db.session.commit()
    auth.login(world.kz_chair)
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403
    auth.logout()
    auth.login(world.member)
    assert client.post(f"/comments/{comment.id}/edit", data={"text": "Second text"}).status_code == 302
    page = page_text(client.get(f"/tracker/commitments/{scene.kz_commitment.id}"))
    assert "Second text" in page and "Earlier versions" in page and "First text" in page


def _many(world, scene, count: int) -> None:
    people = [world.member, world.kz_chair, world.tm_chair, world.tm_member]
    for n in range(count):
        author = people[n % len(people)]
        comment = Comment(council_id=world.council.id, record_type="commitment",
                          record_id=scene.kz_commitment.id, group_id=world.group.id, author_id=author.id,
                          original_language="ru", body={"ru": f"Комментарий {n}"})
        db.session.add(comment)
        db.session.flush()
        if n % 7 == 0:
            db.session.add(CommentMention(comment_id=comment.id, user_id=world.kz_chair.id))
            db.session.add(CommentRevision(comment_id=comment.id, language="ru", body="Было",
                                           written_at=comment.created_at))
    db.session.commit()


def _queries(client, scene) -> int:
    with counted() as statements:
        assert client.get(f"/tracker/commitments/{scene.kz_commitment.id}").status_code == 200
    return len(statements)


def test_500_comments_in_constant_queries_and_pages_of_50(client, auth, world, scene):
    auth.login(world.secretary)
    _many(world, scene, 5)
    few = _queries(client, scene)
    _many(world, scene, 495)
    many = _queries(client, scene)
    assert many == few
    page = page_text(client.get(f"/tracker/commitments/{scene.kz_commitment.id}"))
    assert len(re.findall(r'<article class="comment', page)) == 50
    assert "Page 10 of 10" in page, page[page.find("pager"):][:300]
    assert "Комментарий 494<" in page
    first = page_text(client.get(f"/threads/commitment/{scene.kz_commitment.id}?page=1"))
    assert "Комментарий 0<" in first and "Комментарий 50<" not in first
