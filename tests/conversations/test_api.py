"""The API lists and adds comments and questions with the pages' rules."""

from __future__ import annotations

from council.api import services as api_services
from council.conversations import services
from council.extensions import db
from tests.test_xss import IMG


def _headers(person, scope: str = "read-write") -> dict[str, str]:
    _token, secret = api_services.create_token(person, name="Test", scope=scope)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_list_and_add_comments(client, world, scene):
    headers = _headers(world.member)
    url = f"/api/v1/threads/commitment/{scene.kz_commitment.id}/comments"
    created = client.post(url, json={"text": f"**Ждём** {IMG}", "language": "ru"}, headers=headers)
    assert created.status_code == 201, created.json
    assert created.json["body"] == {"ru": f"**Ждём** {IMG}"}
    assert "<img" not in created.json["body_html"] and "<strong>Ждём</strong>" in created.json["body_html"]
    listed = client.get(url, headers=headers)
    assert listed.status_code == 200 and listed.json["total"] == 1
    assert listed.headers["Content-Type"].startswith("application/json")


def test_bad_input_is_a_4xx_naming_the_field(client, world, scene):
    headers = _headers(world.member)
    url = f"/api/v1/threads/commitment/{scene.kz_commitment.id}/comments"
    for body, field in (({"text": "", "language": "ru"}, "text"),
                        ({"text": "x" * 10_001, "language": "ru"}, "text"),
                        ({"text": "<script>alert(1)</script>", "language": "ru"}, "text"),
                        ({"text": "Hi", "language": "ru", "mentions": [999_999]}, "mentions")):
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 422, (body, response.json)
        assert field in str(response.json), response.json
    assert client.get("/api/v1/threads/nothing/1/comments", headers=headers).status_code == 404


def test_observers_read_only(client, world, scene):
    headers = _headers(world.observer)
    url = f"/api/v1/threads/commitment/{scene.kz_commitment.id}/comments"
    assert client.get(url, headers=headers).status_code == 200
    assert client.post(url, json={"text": "Hi", "language": "ru"}, headers=headers).status_code == 403


def test_questions_to_the_other_side_and_answering(client, world, scene):
    headers = _headers(world.tm_chair)
    url = f"/api/v1/commitments/{scene.kz_commitment.id}/questions"
    own = client.post(url, json={"text": "Why?", "language": "tk", "organisation_id": world.tm_org.id},
                      headers=headers)
    assert own.status_code == 422 and "organisation_id" in str(own.json)
    asked = client.post(url, json={"text": "Why?", "language": "tk", "organisation_id": world.kz_org.id},
                        headers=headers)
    assert asked.status_code == 201 and asked.json["question_state"] == "open"
    question_id = asked.json["id"]
    services.withdraw_comment(world.tm_chair, db.session.get(services.Comment, question_id))
    db.session.commit()
    refused = client.post(f"/api/v1/comments/{question_id}/answered", headers=headers, json={})
    assert refused.status_code == 409
