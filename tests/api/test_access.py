"""Who may call the API, and what every answer shares: JSON errors, ETags, rate limits."""

from __future__ import annotations

import pytest

from council.api import services
from council.api.models import TokenScope
from council.extensions import db
from tests.api.conftest import bearer


def test_without_a_valid_token_the_answer_is_401_json(client, world):
    for headers in ({}, bearer("council_not-a-real-token"), {"Authorization": "Basic abc"},
                    {"Authorization": "Bearer "}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json["error"]["status"] == 401
        assert "Authorization: Bearer" in response.json["error"]["message"]


def test_a_browser_session_is_not_accepted(client, auth, world):
    auth.login(world.member)
    assert client.get("/api/v1/me").status_code == 401


def test_api_answers_set_no_cookie(client, world, token_for):
    response = client.get("/api/v1/me", headers=bearer(token_for(world.member)))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_revoked_tokens_and_deactivated_people_are_refused(client, world, token_for):
    secret = token_for(world.member)
    other = token_for(world.tm_member)
    services.revoke_token(world.member, services.token_for_secret(secret))
    world.tm_member.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 401


def test_me_tells_whose_token_it_is(client, world, token_for):
    response = client.get("/api/v1/me", headers=bearer(token_for(world.kz_chair, TokenScope.READ,
                                                                 name="Akimat")))
    body = response.json
    assert body["email"] == "kz.chair@example.org"
    assert body["memberships"] == [{"group_id": world.group.id, "role": "co_chair"}]
    assert body["token"] == {"name": "Akimat", "scope": "read"}


def test_reads_carry_an_etag_and_answer_304_when_unchanged(client, world, as_member):
    first = client.get(f"/api/v1/groups/{world.group.id}", headers=as_member)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag
    assert "Authorization" in first.headers["Vary"]
    again = client.get(f"/api/v1/groups/{world.group.id}",
                       headers={**as_member, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    world.group.description = {"ru": "Новое описание"}
    db.session.commit()
    changed = client.get(f"/api/v1/groups/{world.group.id}",
                         headers={**as_member, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_unknown_addresses_and_methods_are_json(client, world, as_member):
    missing = client.get("/api/v1/nothing-here", headers=as_member)
    assert missing.status_code == 404 and missing.json["error"]["status"] == 404
    wrong = client.delete("/api/v1/groups", headers=as_member)
    assert wrong.status_code == 405 and wrong.json["error"]["status"] == 405
    assert "GET" in wrong.headers["Allow"]


def test_an_id_out_of_range_is_not_found_whatever_the_method(client, world, as_member):
    """An id no record can have matched the GET rule's pattern before its bounds were checked, so a POST
    to it (any body, `\\xa3` included) was answered 405 "use GET", which the document does not state."""
    for commitment_id in ("0", "2147483648", "99999999999"):
        url = f"/api/v1/commitments/{commitment_id}/progress-updates"
        for answer in (client.post(url, data=b"\xa3", headers=as_member),
                       client.post(url, json={"progress": 5}, headers=as_member),
                       client.get(url, headers=as_member)):
            assert answer.status_code == 404, (url, answer.status_code)
            assert answer.json["error"]["message"] == "There is nothing at this address."
    assert client.get("/api/v1/meetings/1/minutes/10001", headers=as_member).status_code == 404


@pytest.fixture
def limited_client(make_app):
    app = make_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    return app.test_client()


def test_each_token_has_its_own_rate_limit(limited_client, world, token_for):
    first, second = bearer(token_for(world.member)), bearer(token_for(world.tm_member))
    answers = [limited_client.get("/api/v1/me", headers=first) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["X-RateLimit-Limit"] == "3"
    assert answers[1].headers["X-RateLimit-Remaining"] == "1"
    refused = answers[3]
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    assert refused.json["error"]["status"] == 429
    assert "Wait" in refused.json["error"]["message"]
    assert limited_client.get("/api/v1/me", headers=second).status_code == 200


def test_requests_without_a_token_share_their_addresss_limit(limited_client, world):
    answers = [limited_client.get("/api/v1/me").status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]


def test_the_openapi_document_is_public_and_describes_the_api(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/me", "/api/v1/groups", "/api/v1/groups/{group_id}", "/api/v1/organisations",
            "/api/v1/organisations/{organisation_id}", "/api/v1/countries",
            "/api/v1/regions"} <= set(document["paths"])
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert {"401", "403", "429"} <= set(operation["responses"]), (path, method)
            if method == "get":
                assert "304" in operation["responses"]


def test_the_documentation_page_uses_only_local_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "/api/v1/openapi.json" in page
    assert "http://" not in page.replace("http://council.test", "") and "https://" not in page
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    with client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js") as script:
        assert script.status_code == 200


@pytest.mark.parametrize(("language", "note"), [
    ("ru", "Документация ниже — на английском языке"), ("kk", "Төмендегі құжаттама ағылшын тілінде"),
    ("tk", "Aşakdaky resminamalar iňlis dilinde"),
])
def test_the_documentation_page_says_in_the_reader_s_language_that_swagger_ui_is_english(
        client, language, note):
    """Swagger UI has no translations of its own controls: the page says so, and marks them lang="en"."""
    page = client.get("/api/v1/docs", headers={"Accept-Language": language}).get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    assert note in page
    assert 'id="swagger-ui" lang="en"' in page
    english = client.get("/api/v1/docs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "api-docs-language" not in english


def test_tokens_of_someone_who_must_set_up_a_second_factor_are_refused_until_they_do(client, auth, world,
                                                                                    token_for):
    from council.auth import two_factor
    from council.directory.models import PlatformRole
    from tests.auth.test_two_factor import set_up

    secret = token_for(world.member)  # made while a member (no second factor required)
    world.member.role = PlatformRole.SECRETARY
    db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 403
    message = response.json["error"]["message"]
    assert "two-factor sign-in" in message and "profile page" in message
    assert client.post("/api/v1/commitments/1/status", headers=bearer(secret), json={}).status_code == 403

    auth.login(world.member)  # the web opens only set-up for them
    set_up(client, world.member.email)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200

    # An administrator's reset of the second factor stops the tokens again.
    db.session.expire_all()
    two_factor.reset(world.admin, world.member)
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 403


def test_an_administrator_without_a_second_factor_cannot_create_a_token(client, auth, world):
    from flask_babel import force_locale

    from council.api.models import ApiToken
    from council.errors import NotAllowed
    from tests.factories import UserFactory

    admin = UserFactory(council=world.council, organisation=None, role="admin",
                        email="new.admin@example.org", totp_secret=None, totp_enabled_at=None)
    db.session.commit()
    with force_locale("en"), pytest.raises(NotAllowed, match="two-factor sign-in"):
        services.create_token(admin, name="ERP", scope=TokenScope.READ)
    db.session.rollback()
    auth.login(admin)
    response = client.post("/profile/tokens", data={"token-name": "ERP", "token-scope": "read"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/profile/two-factor")
    assert db.session.query(ApiToken).count() == 0
