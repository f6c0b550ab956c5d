"""The application shell: health, headers, errors, languages, CSRF, rate limits."""

from __future__ import annotations

from pathlib import Path

import pytest

import council
from council.auth import permissions
from council.extensions import db
from tests.conftest import page_text
from tests.factories import PASSWORD


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "down": [], "checks": {"database": "ok"}}


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script_or_style(client, auth, world):
    auth.login(world.secretary)
    for url in ["/", "/groups", f"/groups/{world.group.id}", "/organisations", "/people",
                "/profile", "/people/invite", "/organisations/new"]:
        text = page_text(client.get(url))
        assert "<script>" not in text and "style=" not in text, url


def test_unknown_page_is_a_404_page(client, auth, world):
    auth.login(world.member)
    response = client.get("/organisations/999999")
    assert response.status_code == 404
    text = page_text(response)
    assert "Page not found" in text and "This organisation does not exist." in text


def test_language_comes_from_the_browser_then_the_switcher(client):
    assert 'lang="kk"' in page_text(client.get("/login", headers={"Accept-Language": "kk"}))
    assert "Кіру" in page_text(client.get("/login", headers={"Accept-Language": "kk"}))
    # Russian by default: a browser that states no language preference.
    assert "Войти" in page_text(client.get("/login", headers={"Accept-Language": ""}))
    client.post("/language", data={"language": "tk", "next": "/login"})
    assert "Içeri gir" in page_text(client.get("/login", headers={"Accept-Language": "kk"}))


def test_language_switch_is_remembered_in_the_profile(client, auth, world):
    auth.login(world.member)
    client.post("/language", data={"language": "kk", "next": "/groups"})
    db.session.refresh(world.member)
    assert world.member.language == "kk"
    assert "Жұмыс топтары" in page_text(client.get("/groups"))


def test_stale_csrf_token_gives_a_clear_message(make_app):
    guarded = make_app(WTF_CSRF_ENABLED=True)
    response = guarded.test_client().post("/login", data={"email": "a@example.org",
                                                          "password": "x", "csrf_token": "stale"})
    assert response.status_code == 400
    assert "The form has expired" in page_text(response) or "Срок" in page_text(response)


def test_sign_in_is_rate_limited_per_account(make_app, world):
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute").test_client()
    answers = [limited.post("/login", data={"email": world.member.email,
                                            "password": "wrong"}).status_code for _ in range(4)]
    assert answers == [422, 422, 422, 429]
    # The right password does not get through either until the window passes.
    assert limited.post("/login", data={"email": world.member.email,
                                        "password": PASSWORD}).status_code == 429


def test_every_response_carries_a_request_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert first != second
    assert client.get("/healthz", headers={"X-Request-ID": "proxy-id-12345"}).headers[
        "X-Request-ID"] == "proxy-id-12345"
    assert client.get("/healthz", headers={"X-Request-ID": "<script>"}).headers[
        "X-Request-ID"] != "<script>"


def test_logs_are_json_lines_with_the_request_id(app):
    import json
    import logging

    from council.logs import JsonFormatter

    with app.test_request_context("/groups", headers={"X-Request-ID": "abcdef123456"}):
        app.preprocess_request()
        record = logging.LogRecord("council", logging.INFO, __file__, 1, "hello %s", ("world",), None)
        line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "hello world"
    assert line["request_id"] == "abcdef123456"
    assert line["path"] == "/groups"


def test_every_action_asked_for_has_its_rule(app):
    """The start-up check reads the code and the templates: the actions they ask about all have a rule."""
    package = Path(council.__file__).parent
    asked = permissions.asked_actions(package, package.parent / "templates")
    assert {"minutes.approve", "meeting.schedule", "commitment.verify", "person.see_email",
            "notifications.outbox", "token.create"} <= asked
    permissions.check_registered(asked)
    with pytest.raises(RuntimeError, match=r"no rule registered: meeting\.schedul$"):
        permissions.check_registered([*asked, "meeting.schedul"])


def test_an_action_without_a_rule_stops_the_start_up(make_app, monkeypatch):
    monkeypatch.delitem(permissions._rules, "minutes.approve")
    with pytest.raises(RuntimeError, match=r"no rule registered: minutes\.approve"):
        make_app()
