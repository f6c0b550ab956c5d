"""The profile page's token section: create (the secret shown once), list and revoke."""

from __future__ import annotations

import re

from sqlalchemy import select

from council.api import services
from council.api.models import ApiToken, TokenScope
from council.extensions import db
from tests.api.conftest import bearer
from tests.conftest import page_text


def test_a_person_creates_a_token_sees_it_once_and_uses_it(client, auth, world):
    auth.login(world.member)
    response = client.post("/profile/tokens", data={"token-name": "Akimat documents",
                                                    "token-scope": "read-write"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    page = page_text(response)
    secret = re.search(r'id="new-token-secret">(council_[^<]+)<', page).group(1)
    assert "Copy it now" in page and "Akimat documents" in page
    token = db.session.scalar(select(ApiToken))
    assert token.user_id == world.member.id and token.scope == TokenScope.READ_WRITE

    later = page_text(client.get("/profile"))
    assert "Akimat documents" in later and "Read and write" in later and secret not in later
    assert token.hint in later
    assert client.get("/api/v1/me", headers=bearer(secret)).json["name"] == world.member.name


def test_a_refused_token_form_says_why(client, auth, world):
    auth.login(world.member)
    response = client.post("/profile/tokens", data={"token-name": "", "token-scope": "read"})
    assert response.status_code == 422
    assert "This field is required." in page_text(response)
    client.post("/profile/tokens", data={"token-name": "twice", "token-scope": "read"})
    response = client.post("/profile/tokens", data={"token-name": "twice", "token-scope": "read"})
    assert response.status_code == 422
    assert "You already have an active token with this name." in page_text(response)
    assert db.session.scalar(select(ApiToken).where(ApiToken.name == "twice")) is not None


def test_a_person_revokes_a_token(client, auth, world):
    token, secret = services.create_token(world.member, name="old system", scope="read")
    db.session.commit()
    auth.login(world.member)
    assert "Revoke" in page_text(client.get("/profile"))
    response = client.post(f"/profile/tokens/{token.id}/revoke")
    assert response.status_code == 302
    assert "revoked" in page_text(client.get("/profile"))
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_nobody_revokes_someone_elses_token(client, auth, world):
    token, _secret = services.create_token(world.tm_member, name="theirs", scope="read")
    db.session.commit()
    auth.login(world.member)
    assert client.post(f"/profile/tokens/{token.id}/revoke").status_code == 403
    assert client.post("/profile/tokens/999999/revoke").status_code == 404
    db.session.refresh(token)
    assert token.active


def test_the_profile_form_still_saves(client, auth, world):
    auth.login(world.member)
    response = client.post("/profile", data={"name": "Nurlan Abenov", "language": "en",
                                             "time_zone": "Asia/Aqtau"})
    assert response.status_code == 302
    assert "Personal access tokens" in page_text(client.get("/profile"))


def test_signed_out_people_cannot_create_tokens(client):
    assert client.post("/profile/tokens", data={"token-name": "x"}).status_code == 302
