"""Sessions can be ended: a copied session or remember-me cookie stops working after sign-out, a new
password, deactivation, a role change, and "sign out everywhere" (issue 13, finding 6)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from council.directory.models import PlatformRole
from tests.conftest import IsolatedClient, sign_in
from tests.dashboard.test_query_counts import counted
from tests.factories import PASSWORD

COOKIES = ("session", "remember_token")


def new_client(app: Flask) -> FlaskClient:
    app.test_client_class = IsolatedClient
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def copy_of(app: Flask, client: FlaskClient, names: tuple[str, ...] = COOKIES) -> FlaskClient:
    """Another browser holding a copy of this one's cookies (what a thief of the cookie has)."""
    thief = new_client(app)
    for name in names:
        cookie = client.get_cookie(name, domain="council.test")
        if cookie is not None:
            thief.set_cookie(name, cookie.value, domain="council.test")
    return thief


def signed_out(client: FlaskClient) -> bool:
    response = client.get("/groups")
    if response.status_code == 200:
        return False
    assert response.status_code == 302 and "/login" in response.headers["Location"], response.status_code
    return True


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client, auth, world):
    auth.login(world.member)
    thief = copy_of(app, client)
    assert not signed_out(thief)  # the copy works while the person is signed in
    auth.logout()
    assert signed_out(client)
    assert signed_out(thief)


def test_the_remember_me_cookie_and_old_sessions_end_with_a_password_reset(app, client, world, mail_sink):
    client.post("/login", data={"email": world.member.email, "password": PASSWORD, "remember": "y"})
    session_copy = copy_of(app, client, ("session",))
    remembered = copy_of(app, client, ("remember_token",))
    assert not signed_out(session_copy) and not signed_out(remembered)

    stranger = new_client(app)
    # The e-mail is written after the answer has gone: closing the response runs that.
    stranger.post("/password/forgot", data={"email": world.member.email}).close()
    [message] = mail_sink.to(world.member.email)
    link = re.search(r"http://council\.test(/\S+)", mail_sink.text_of(message))
    assert link
    response = stranger.post(link.group(1), data={"password": "a-new-password-1",
                                                  "confirm": "a-new-password-1"})
    assert response.status_code == 302
    assert signed_out(client)
    assert signed_out(session_copy)
    assert signed_out(remembered)
    assert not signed_out(stranger)  # whoever set the new password is signed in with it


def test_deactivation_ends_the_sessions_even_once_reactivated(app, client, auth, world):
    person = new_client(app)
    sign_in(person, world.member.email, PASSWORD)
    auth.login(world.secretary)
    organisation = str(world.member.organisation_id)
    client.post(f"/people/{world.member.id}/role", data={"role": "member", "organisation_id": organisation})
    client.post(f"/people/{world.member.id}/role", data={"role": "member", "organisation_id": organisation,
                                                         "active": "y"})
    assert signed_out(person)


def test_a_role_change_ends_the_sessions(app, client, auth, world):
    person = new_client(app)
    sign_in(person, world.member.email, PASSWORD)
    auth.login(world.secretary)
    response = client.post(f"/people/{world.member.id}/role", data={
        "role": PlatformRole.OBSERVER.value, "organisation_id": str(world.member.organisation_id),
        "active": "y"})
    assert response.status_code == 302
    assert signed_out(person)
    assert not signed_out(client)  # the secretary's own session is untouched


def test_sign_out_everywhere_ends_every_session_and_remember_me(app, client, world):
    laptop = new_client(app)
    laptop.post("/login", data={"email": world.member.email, "password": PASSWORD, "remember": "y"})
    remembered = copy_of(app, laptop, ("remember_token",))
    sign_in(client, world.member.email, PASSWORD)
    profile = client.get("/profile").get_data(as_text=True)
    assert "Sign out everywhere" in profile

    response = client.post("/profile/sign-out-everywhere")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert signed_out(client) and signed_out(laptop) and signed_out(remembered)
    sign_in(client, world.member.email, PASSWORD)  # signing in again works as before
    assert "Signed out everywhere" in client.get("/profile").get_data(as_text=True)


def test_sign_out_everywhere_needs_the_csrf_token(make_app: Any, world):
    guarded = make_app(WTF_CSRF_ENABLED=True)
    browser = guarded.test_client()

    def token() -> str:
        found = re.search(r'name="csrf-token" content="([^"]+)"', browser.get("/login").get_data(as_text=True)
                          if not signed_in() else browser.get("/profile").get_data(as_text=True))
        assert found
        return found.group(1)

    def signed_in() -> bool:
        return browser.get("/groups").status_code == 200

    browser.post("/login", data={"email": world.member.email, "password": PASSWORD, "csrf_token": token()})
    assert signed_in()
    assert browser.post("/profile/sign-out-everywhere").status_code == 400  # a forged form
    assert signed_in()
    assert browser.post("/profile/sign-out-everywhere", data={"csrf_token": token()}).status_code == 302
    assert not signed_in()


def test_sign_out_ends_this_browser_only_and_everywhere_ends_them_all(app, world):
    laptop, phone, tablet = new_client(app), new_client(app), new_client(app)
    laptop.post("/login", data={"email": world.member.email, "password": PASSWORD, "remember": "y"})
    sign_in(phone, world.member.email, PASSWORD)
    tablet.post("/login", data={"email": world.member.email, "password": PASSWORD, "remember": "y"})
    laptop_thief = copy_of(app, laptop)
    laptop_remembered = copy_of(app, laptop, ("remember_token",))
    assert not any(signed_out(browser) for browser in (laptop, phone, tablet, laptop_thief,
                                                          laptop_remembered))

    assert laptop.post("/logout").status_code == 302  # plain "Sign out" on the laptop
    assert signed_out(laptop) and signed_out(laptop_thief) and signed_out(laptop_remembered)
    assert not signed_out(phone) and not signed_out(tablet)  # the other browsers go on

    assert phone.post("/profile/sign-out-everywhere").status_code == 302
    assert signed_out(phone) and signed_out(tablet)
    tablet_remembered = copy_of(app, tablet, ("remember_token",))
    assert signed_out(tablet_remembered)


def test_changing_the_password_keeps_this_browser_and_ends_the_others(app, client, world):
    other = new_client(app)
    other.post("/login", data={"email": world.member.email, "password": PASSWORD, "remember": "y"})
    remembered = copy_of(app, other, ("remember_token",))
    sign_in(client, world.member.email, PASSWORD)
    assert "Change password" in client.get("/profile").get_data(as_text=True)

    wrong = client.post("/profile/password", data={"change-current": "not-my-password",
                                                   "change-password": "a-new-password-1",
                                                   "change-confirm": "a-new-password-1"})
    assert wrong.status_code == 302
    assert "The current password is wrong" in client.get("/profile").get_data(as_text=True)
    short = client.post("/profile/password", data={"change-current": PASSWORD, "change-password": "short",
                                                   "change-confirm": "short"})
    assert short.status_code == 302
    assert "at least 10 characters" in client.get("/profile").get_data(as_text=True)
    assert not signed_out(other)  # nothing changed yet

    response = client.post("/profile/password", data={"change-current": PASSWORD,
                                                      "change-password": "a-new-password-1",
                                                      "change-confirm": "a-new-password-1"})
    assert response.status_code == 302
    assert "Your password is changed" in client.get("/profile").get_data(as_text=True)
    assert not signed_out(client)
    assert signed_out(other) and signed_out(remembered)
    fresh = new_client(app)
    assert fresh.post("/login", data={"email": world.member.email, "password": PASSWORD}).status_code == 422
    sign_in(fresh, world.member.email, "a-new-password-1")
    assert "Password set" in client.get("/profile").get_data(as_text=True)  # in the security history


def test_a_cookie_of_the_old_form_or_a_made_up_key_signs_no_one_in(app, client, world):
    sign_in(client, world.member.email, PASSWORD)
    with client.session_transaction() as session:
        real = session["_user_id"]
        user_id, version, _key = real.split(":")
    for forged in (f"{user_id}:{version}", f"{user_id}:{version}:made-up", f"{user_id}:{version}:",
                   f"{user_id}:x:{_key}", "::", ":" * 300):
        with client.session_transaction() as session:
            session["_user_id"] = forged
        assert signed_out(client), forged


def test_the_council_comes_with_the_signed_in_person(client, auth, world):
    """Most pages name the council; it is read in the statement that reads the person (issue 17)."""
    auth.login(world.member)
    with counted() as statements:
        response = client.get("/tracker/commitments")
    assert response.status_code == 200
    assert not [statement for statement in statements if re.search(r"FROM council\b", statement)], statements
