"""Signing in, invitations and password resets, driven through the pages."""

from __future__ import annotations

import re

import pytest
import time_machine
from sqlalchemy import select

from council.directory.models import User
from council.extensions import db
from tests.conftest import ONLY_SECRETARIES, error_summary, page_text, refusal
from tests.factories import PASSWORD, UserFactory


def link_in(text: str) -> str:
    match = re.search(r"http://council\.test(/\S+)", text)
    assert match, text
    return match.group(1)


def test_anonymous_visitors_see_only_the_sign_in_page(client):
    response = client.get("/groups")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_sign_in_and_out(client, world):
    response = client.post("/login", data={"email": "Member@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert "Trade" in page_text(client.get("/groups"))
    client.post("/logout")
    assert client.get("/groups").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, world):
    response = client.post("/login", data={"email": world.member.email, "password": "wrong-one!"})
    assert response.status_code == 422
    assert "Wrong e-mail or password." in page_text(response)
    assert_signed_out(client)


def assert_signed_out(client):
    """The groups page still sends the visitor to the sign-in page."""
    response = client.get("/groups")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_empty_sign_in_form_names_the_fields(client):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert error_summary(response) == [("email", "E-mail: This field is required."),
                                       ("password", "Password: This field is required.")]
    assert_signed_out(client)


def test_deactivated_person_cannot_sign_in(client, world):
    world.member.active = False
    db.session.commit()
    response = client.post("/login", data={"email": world.member.email, "password": PASSWORD})
    assert response.status_code == 422
    # The same vague message as a wrong password: the form does not tell who has an account.
    assert "Wrong e-mail or password." in page_text(response)
    assert_signed_out(client)


def test_sign_in_only_redirects_within_the_site(client, world):
    response = client.post("/login?next=https://evil.example/", data={
        "email": world.member.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def invite(client, mail_sink, email="new.person@example.org"):
    return client.post("/people/invite", data={
        "email": email, "name": "Gulnar Utegenova", "organisation_id": "", "role": "member",
        "language": "ru"})


def test_secretary_invites_a_person_who_sets_a_password(client, auth, world, mail_sink):
    auth.login(world.secretary)
    response = invite(client, mail_sink)
    assert response.status_code == 302
    [message] = mail_sink.to("new.person@example.org")
    assert message["Subject"] == "Приглашение на платформу совета трансграничного сотрудничества"
    assert mail_sink.html_of(message)
    link = link_in(mail_sink.text_of(message))
    auth.logout()

    page = client.get(link)
    assert "Gulnar Utegenova" in page_text(page)
    response = client.post(link, data={"password": "new-password-1", "confirm": "new-password-1"})
    assert response.status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"email": "new.person@example.org",
                                       "password": "new-password-1"}).status_code == 302
    # The link worked once; now it is spent.
    client.post("/logout")
    assert client.get(link).status_code == 410


def test_invitation_expires(client, auth, world, mail_sink):
    auth.login(world.secretary)
    invite(client, mail_sink)
    link = link_in(mail_sink.text_of(mail_sink.messages[-1]))
    auth.logout()
    with time_machine.travel("2099-01-01"):
        response = client.get(link)
    assert response.status_code == 410
    assert "This link has expired" in page_text(response)


def test_inviting_a_registered_address_in_another_case_is_refused(client, auth, world, mail_sink):
    auth.login(world.secretary)
    response = invite(client, mail_sink, email="MEMBER@example.ORG")
    assert response.status_code == 409  # a duplicate is a conflict, on every form
    assert "already registered" in page_text(response)
    assert mail_sink.messages == []


def test_invitation_form_checks_every_field(client, auth, world, mail_sink):
    auth.login(world.secretary)
    response = client.post("/people/invite", data={"email": "not-an-address", "name": "x" * 121,
                                                    "role": "member", "language": "ru"})
    assert response.status_code == 422
    text = page_text(response)
    assert "Field cannot be longer than 120 characters." in text
    response = client.post("/people/invite", data={"email": "bad@@example", "name": "Someone",
                                                    "role": "member", "language": "ru"})
    assert "Enter a valid e-mail address." in page_text(response)
    assert db.session.scalar(select(User).where(User.name == "Someone")) is None


def test_members_cannot_invite(client, auth, world):
    auth.login(world.member)
    assert refusal(client.get("/people/invite")) == ONLY_SECRETARIES
    invited = client.post("/people/invite", data={"email": "x@example.org", "name": "X",
                                                  "role": "member", "language": "ru"})
    assert refusal(invited) == ONLY_SECRETARIES
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None
    assert "/people/invite" not in page_text(client.get("/people"))


def test_password_reset(client, world, mail_sink):
    response = client.post("/password/forgot", data={"email": world.member.email})
    assert response.status_code == 302
    response.close()  # the address is looked up once the answer has gone (WSGI servers close it then)
    [message] = mail_sink.messages
    link = link_in(mail_sink.text_of(message))
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 422
    assert "Use at least 10 characters." in page_text(short)
    mismatch = client.post(link, data={"password": "long-enough-1", "confirm": "long-enough-2"})
    assert "The passwords do not match." in page_text(mismatch)
    assert client.post(link, data={"password": "long-enough-1",
                                   "confirm": "long-enough-1"}).status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"email": world.member.email,
                                       "password": "long-enough-1"}).status_code == 302


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, mail_sink):
    response = client.post("/password/forgot", data={"email": "nobody@example.org"},
                           follow_redirects=True)
    assert "a link to set a new password is on its way" in page_text(response)
    response.close()
    assert mail_sink.messages == []


def test_forged_link_is_refused(client):
    response = client.get("/password/reset/not-a-token")
    assert response.status_code == 410
    assert "This link is not valid." in page_text(response)


def test_invited_person_without_password_cannot_sign_in(client, world):
    UserFactory(council=world.council, organisation=world.kz_org, email="pending@example.org",
                password_hash=None)
    response = client.post("/login", data={"email": "pending@example.org", "password": "anything"})
    assert response.status_code == 422
    assert "Wrong e-mail or password." in page_text(response)
    assert_signed_out(client)


# Redirects after sign-in: same-site paths only ---------------------------------------------------

# Each was followed somewhere else by a browser on today's main (or by a proxy that decodes slashes).
OPEN_REDIRECTS = [
    "https://evil.example/", "//evil.example/phish", "/%09/evil.example/phish", "/\t/evil.example",
    "/%0a/evil.example", "/\n/evil.example", "/%0d/evil.example", "/\\evil.example", "/\\/evil.example",
    "\\\\evil.example", "/%5cevil.example", "/%5c%5cevil.example", "/%2f/evil.example",
    "/%2F%2Fevil.example", "%2f%2fevil.example", "https:evil.example", "https:/evil.example",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "/%252f%252fevil.example", "evil.example",
    "///evil.example", "/%00/evil.example",
]


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_sign_in_never_leads_off_the_site(client, world, target):
    response = client.post("/login", query_string={"next": target},
                           data={"email": world.member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/", target


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_the_language_switch_never_leads_off_the_site(client, target):
    response = client.post("/language", data={"language": "kk", "next": target})
    assert response.headers["Location"] == "/", target


@pytest.mark.parametrize("path", ["/tracker/commitments?status=planned&q=%D0%B2%D0%BE%D0%B4%D0%B0",
                                  "/meetings/3#minutes", "/people/7"])
def test_sign_in_returns_to_the_page_asked_for(client, world, path):
    response = client.post("/login", query_string={"next": path},
                           data={"email": world.member.email, "password": PASSWORD})
    assert response.headers["Location"] == path


def test_passwords_are_stored_with_scrypt_outside_tests(make_app, world):
    """Tests hash with one cheap round (tests/factories.py); production's method stays scrypt."""
    from council.auth.services import authenticate, set_password
    from council.config import Config

    assert Config().PASSWORD_HASH_METHOD == "scrypt"
    production = make_app(PASSWORD_HASH_METHOD=Config().PASSWORD_HASH_METHOD)
    with production.app_context():
        person = db.session.get(User, world.member.id)
        set_password(person, "a-new-long-password")
        db.session.commit()
        assert person.password_hash.startswith("scrypt:")
        assert authenticate(person.email, "a-new-long-password").id == person.id
        db.session.remove()
