"""A comment keeps its original language and gains translations through the /translate pages; shown in
another language, it says so."""

from __future__ import annotations

from council.conversations import services
from council.extensions import db
from tests.conftest import page_text


def test_a_comment_is_translated_and_marked_until_then(client, auth, world, scene):
    comment = services.add_comment(world.member, scene.kz_ref, text="Жабдық кеденде тұр.", language="kk")
    db.session.commit()
    auth.login(world.tm_chair)
    client.post("/language", data={"language": "tk"})
    page = page_text(client.get(f"/tracker/commitments/{scene.kz_commitment.id}"))
    assert "Жабдық кеденде тұр." in page and "heniz terjime edilmedi" in page
    assert f"/translate/comment/{comment.id}/tk" in page  # the group's co-chair may translate it
    answer = client.post(f"/translate/comment/{comment.id}/tk", data={"text_body": "Enjamlar gümrükde."})
    assert answer.status_code == 302
    page = page_text(client.get(f"/tracker/commitments/{scene.kz_commitment.id}"))
    assert "Enjamlar gümrükde." in page
    db.session.refresh(comment)
    assert comment.body == {"kk": "Жабдық кеденде тұр.", "tk": "Enjamlar gümrükde."}
    assert comment.original_language == "kk"
