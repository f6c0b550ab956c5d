"""Two-factor sign-in: set-up with a QR code, the code step, recovery codes, the rule for administrators
and secretaries, turning it off, an administrator's reset, and the security history."""

from __future__ import annotations

import re
from typing import Any

import pyotp
from sqlalchemy import select

from council.auth.models import RecoveryCode
from council.directory.models import User
from council.extensions import db
from tests.conftest import current_code, page_text, sign_in
from tests.factories import PASSWORD, UserFactory


def set_up(client: Any, email: str) -> list[str]:
    """Turn two-factor sign-in on from the profile as a person would; returns the recovery codes."""
    page = page_text(client.get("/profile/two-factor"))
    secret = re.search(r'id="two-factor-secret">([A-Z2-7]+)<', page)
    assert secret
    response = client.post("/profile/two-factor", data={"code": pyotp.TOTP(secret.group(1)).now()})
    assert response.status_code == 200, page_text(response)
    return re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", page_text(response))


def password_step(client: Any, email: str, next_path: str | None = None) -> Any:
    url = f"/login?next={next_path}" if next_path else "/login"
    response = client.post(url, data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_a_member_sets_it_up_and_then_signs_in_with_a_code(client, auth, world):
    auth.login(world.member)
    page = page_text(client.get("/profile/two-factor"))
    assert "<svg" in page and "<path" in page  # the QR code, inline
    secret = re.search(r'id="two-factor-secret">([A-Z2-7]+)<', page)
    assert secret
    assert page_text(client.get("/profile/two-factor")).count(secret.group(1)) == 1  # same key on reload

    wrong = client.post("/profile/two-factor", data={"code": "000000"})
    assert wrong.status_code == 422 and "This code is not valid" in page_text(wrong)
    codes = set_up(client, world.member.email)
    assert len(codes) == len(set(codes)) == 10
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(
        RecoveryCode.user_id == world.member.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # only hashes are kept
    assert client.get("/groups").status_code == 200  # still signed in here

    auth.logout()
    response = password_step(client, world.member.email)
    assert response.headers["Location"].endswith("/login/code")
    assert client.get("/groups").status_code == 302  # the password alone signs nobody in
    response = client.post("/login/code", data={"code": current_code(world.member.email)})
    assert response.status_code == 302
    assert client.get("/groups").status_code == 200


def test_the_code_step_refuses_a_wrong_or_reused_code_and_keeps_next(client, world):
    password_step(client, world.secretary.email, next_path="/tracker/commitments")
    wrong = client.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 422 and "This code is not valid." in page_text(wrong)
    code = current_code(world.secretary.email)
    response = client.post("/login/code", data={"code": code})
    assert response.headers["Location"] == "/tracker/commitments"
    client.post("/logout")

    password_step(client, world.secretary.email)
    assert client.post("/login/code", data={"code": code}).status_code == 422  # a code works once
    assert client.get("/groups").status_code == 302


def test_a_recovery_code_signs_in_once(client, auth, world):
    auth.login(world.member)
    codes = set_up(client, world.member.email)
    auth.logout()
    password_step(client, world.member.email)
    assert client.post("/login/code", data={"code": codes[3].upper()}).status_code == 302
    auth.logout()
    password_step(client, world.member.email)
    assert client.post("/login/code", data={"code": codes[3]}).status_code == 422
    assert client.post("/login/code", data={"code": codes[4]}).status_code == 302  # another one works
    assert "Recovery code used" in page_text(client.get("/profile"))


def test_code_guesses_are_limited_per_account_from_any_address(make_app, world):
    limited = make_app(RATELIMIT_ENABLED=True, TWO_FACTOR_RATE_LIMIT="3 per minute",
                       LOGIN_RATE_LIMIT="100 per minute")
    answers = []
    for n in range(1, 5):  # each guess from a new browser and a new address
        browser = limited.test_client()
        address = {"REMOTE_ADDR": f"203.0.113.{n}"}
        browser.post("/login", data={"email": world.admin.email, "password": PASSWORD},
                     environ_overrides=address)
        answers.append(browser.post("/login/code", data={"code": "000000"},
                                    environ_overrides=address).status_code)
    assert answers == [422, 422, 422, 429]
    # Another person's code step is not slowed by it.
    browser = limited.test_client()
    browser.post("/login", data={"email": world.secretary.email, "password": PASSWORD})
    assert browser.post("/login/code", data={"code": current_code(world.secretary.email)}).status_code == 302


def test_an_administrator_without_it_signs_in_but_can_only_set_it_up(client, world):
    admin = UserFactory(council=world.council, organisation=None, role="admin",
                        email="new.admin@example.org", totp_secret=None, totp_enabled_at=None)
    response = password_step(client, admin.email, next_path="/people")
    assert not response.headers["Location"].endswith("/login/code")
    for path in ("/people", "/groups", "/admin/outbox", "/profile", "/tracker/commitments"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith("/profile/two-factor"), path
    assert client.post("/people/invite", data={"email": "x@example.org", "name": "X", "role": "admin",
                                               "language": "ru"}).status_code == 302
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None
    page = page_text(client.get("/profile/two-factor"))
    assert "Your role requires two-factor sign-in" in page
    set_up(client, admin.email)
    assert client.get("/people").status_code == 200


def test_a_member_promoted_to_secretary_must_set_it_up(client, auth, world):
    world.member.role = "secretary"
    db.session.commit()
    auth.login(world.member)
    assert client.get("/groups").headers["Location"].endswith("/profile/two-factor")


def test_turning_it_off_needs_the_password_and_a_code(client, auth, world):
    auth.login(world.member)
    set_up(client, world.member.email)
    client.post("/profile/two-factor/off", data={"off-password": "not-it",
                                                  "off-code": current_code(world.member.email)})
    assert "Wrong password." in page_text(client.get("/profile"))
    client.post("/profile/two-factor/off", data={"off-password": PASSWORD, "off-code": "000000"})
    assert "This code is not valid." in page_text(client.get("/profile"))
    client.post("/profile/two-factor/off", data={"off-password": PASSWORD})
    db.session.expire_all()
    assert db.session.get(User, world.member.id).two_factor_enabled
    response = client.post("/profile/two-factor/off", data={"off-password": PASSWORD,
                                                            "off-code": current_code(world.member.email)})
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(User, world.member.id)
    assert not person.two_factor_enabled and person.totp_secret is None
    assert db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == person.id)).all() == []
    assert client.get("/groups").status_code == 200  # this session goes on
    assert "Two-factor sign-in turned off" in page_text(client.get("/profile"))


def test_an_administrator_resets_a_lost_second_factor_and_the_person_is_told(app, client, auth, world,
                                                                             mail_sink):
    from tests.auth.test_sessions import new_client, signed_out

    phone = new_client(app)
    sign_in(phone, world.secretary.email, PASSWORD)
    auth.login(world.kz_chair)
    assert client.post(f"/people/{world.secretary.id}/two-factor/reset").status_code == 403
    auth.logout()
    auth.login(world.admin)
    assert "Reset second factor" in page_text(client.get(f"/people/{world.secretary.id}"))
    response = client.post(f"/people/{world.secretary.id}/two-factor/reset")
    assert response.status_code == 302
    assert "is reset" in page_text(client.get(response.headers["Location"]))

    [message] = mail_sink.to(world.secretary.email)
    assert message["Subject"] == "Your second factor was reset"
    assert "Admin, administrator of the platform, reset the second factor" in mail_sink.text_of(message)
    assert signed_out(phone)  # the secretary's sessions ended with it
    assert client.post(f"/people/{world.secretary.id}/two-factor/reset").status_code == 409

    # At the next sign-in the password is enough to reach the set-up page, and only that.
    password_step(phone, world.secretary.email)
    assert phone.get("/groups").headers["Location"].endswith("/profile/two-factor")
    set_up(phone, world.secretary.email)
    assert "Second factor reset by an administrator" in page_text(phone.get("/profile"))


def test_the_profile_lists_sign_ins_and_security_changes(client, auth, world):
    client.post("/login", data={"email": world.member.email, "password": "wrong-password"},
                environ_overrides={"REMOTE_ADDR": "198.51.100.23"})
    auth.login(world.member)
    token = {"token-name": "Akimat ERP", "token-scope": "read"}
    assert client.post("/profile/tokens", data=token).status_code == 201
    auth.logout()
    auth.login(world.secretary)
    client.post(f"/people/{world.member.id}/role", data={
        "role": "observer", "organisation_id": str(world.member.organisation_id), "active": "y"})
    auth.logout()
    auth.login(world.member)
    page = page_text(client.get("/profile"))
    section = page[page.index('id="security"'):]
    for text in ("Wrong password at sign-in", "198.51.100.23", "Signed in", "Token created: Akimat ERP",
                 "Platform role changed: Member → Observer"):
        assert text in section, text
    assert section.index("Platform role changed") < section.index("Wrong password at sign-in")  # newest first
    # Someone else's history is not on it.
    assert "Admin" not in section


def test_existing_code_step_ends_when_the_password_changes_meanwhile(client, world):
    password_step(client, world.secretary.email)
    person = db.session.get(User, world.secretary.id)
    person.end_sessions()
    db.session.commit()
    response = client.post("/login/code", data={"code": current_code(world.secretary.email)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/groups").status_code == 302


def test_a_newcomer_signs_in_as_the_demo_secretary_with_the_printed_key(app, client):
    from council.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

    result = app.test_cli_runner().invoke(args=["council", "demo"])
    assert result.exit_code == 0 and DEMO_TOTP_SECRET in result.output, result.output
    code = app.test_cli_runner().invoke(args=["council", "demo-code"]).output.strip()
    assert code == pyotp.TOTP(DEMO_TOTP_SECRET).now()
    client.post("/login", data={"email": "secretary@council-demo.org", "password": DEMO_PASSWORD})
    assert client.post("/login/code", data={"code": code}).status_code == 302
    assert client.get("/groups").status_code == 200
