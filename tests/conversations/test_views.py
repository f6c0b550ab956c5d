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


def test_a_thread_one_past_a_page_shows_its_newest_comment_alone_on_its_last_page(client, auth, world, scene):
    """51 comments: the latest page holds the 51st only, the first page the other 50, oldest first."""
    auth.login(world.secretary)
    _many(world, scene, 51)
    page = page_text(client.get(f"/tracker/commitments/{scene.kz_commitment.id}"))
    assert len(re.findall(r'<article class="comment', page)) == 1
    assert "Page 2 of 2" in page and "Комментарий 50<" in page
    first = page_text(client.get(f"/threads/commitment/{scene.kz_commitment.id}?page=1"))
    assert len(re.findall(r'<article class="comment', first)) == 50
    assert "Комментарий 0<" in first and "Комментарий 49<" in first and "Комментарий 50<" not in first


def test_a_record_without_comments_reads_its_thread_in_one_statement(client, auth, world, scene):
    auth.login(world.secretary)
    with counted() as statements:
        assert client.get(f"/tracker/commitments/{scene.kz_commitment.id}").status_code == 200
    thread = [statement for statement in statements if "comment.record_id" in statement]
    assert len(thread) == 1, thread


def test_a_question_shows_only_on_the_record_where_it_was_asked(client, auth, world, scene):
    """Asked on the Kazakh commitment: not on its Turkmen counterpart, its recommendation, nor on a record
    of another kind that shares its id (pages and API)."""
    from tests.factories import InitiativeFactory

    question = services.add_comment(world.tm_chair, scene.kz_ref, text="Näme üçin togtady?", language="tk",
                                    organisation_id=world.kz_org.id, question=True)
    while (initiative := InitiativeFactory(council=world.council)).id < scene.kz_commitment.id:
        pass
    db.session.commit()
    auth.login(world.tm_chair)
    assert "Näme üçin togtady?" in page_text(client.get(f"/tracker/commitments/{scene.kz_commitment.id}"))
    for url in (f"/tracker/commitments/{scene.tm_commitment.id}",
                f"/tracker/recommendations/{scene.recommendation.id}",
                f"/threads/commitment/{scene.tm_commitment.id}",
                f"/threads/recommendation/{scene.recommendation.id}",
                f"/threads/initiative/{scene.kz_commitment.id}",
                f"/tracker/initiatives/{initiative.id}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Näme üçin togtady?" not in page_text(response), url
        assert f"comment-{question.id}" not in page_text(response), url
    from tests.conversations.test_api import _headers

    headers = _headers(world.tm_chair)
    for kind, record_id in (("commitment", scene.tm_commitment.id),
                            ("recommendation", scene.recommendation.id),
                            ("initiative", scene.kz_commitment.id)):
        listed = client.get(f"/api/v1/threads/{kind}/{record_id}/comments", headers=headers)
        assert listed.status_code == 200 and listed.json["total"] == 0, (kind, listed.json)
    listed = client.get(f"/api/v1/threads/commitment/{scene.kz_commitment.id}/comments", headers=headers)
    assert [item["id"] for item in listed.json["items"]] == [question.id]


def test_the_mention_picker_lists_people_without_e_mail_or_administrators(client, auth, world, scene):
    world.tm_member.position = "Gümrük gullugynyň hünärmeni"
    db.session.commit()
    auth.login(world.member)
    page = page_text(client.get(f"/tracker/commitments/{scene.kz_commitment.id}"))
    picker = page[page.index('<fieldset class="mention-picker'):]
    picker = picker[:picker.index("</fieldset>")]
    prefix = PREFIX.format(id=scene.kz_commitment.id)
    # Plain checkboxes (they work without JavaScript), one per person, with position and organisation.
    assert f'name="{prefix}mentions" value="{world.tm_member.id}"' in picker
    assert world.tm_member.name in picker and "Gümrük gullugynyň hünärmeni" in picker
    assert world.tm_org.name["ru"] in picker or world.tm_org.name.get("en", "") in picker
    assert "@" not in picker.replace("(@)", "")  # no e-mail address
    assert f'value="{world.admin.id}"' not in picker
    # Ticking two people (what a browser without JavaScript posts) mentions both.
    response = _post(client, scene, text="Посмотрите", language="ru",
                     mentions=[world.tm_member.id, world.kz_chair.id])
    assert response.status_code == 302
    comment = db.session.scalar(select(Comment))
    assert {m.user_id for m in comment.mentions} == {world.tm_member.id, world.kz_chair.id}
    # An administrator is not of the council's conversations: refused, not silently dropped.
    refused = _post(client, scene, text="Admin?", language="ru", mentions=[world.admin.id])
    assert refused.status_code == 422
    assert (f"{prefix}mentions", "Choose people of this council to mention.") in error_summary(refused)
