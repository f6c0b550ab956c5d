"""Guessing passwords is slowed per (account, address) and per address, never per account alone: a
stranger who types wrong passwords for a named person does not lock that person out elsewhere. Reset
e-mails are limited per account and per address."""

from __future__ import annotations

from typing import Any

from tests.factories import PASSWORD

WRONG = "not-the-password"


def limited_client(make_app: Any, **overrides: Any) -> Any:
    settings = {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute",
                "LOGIN_ADDRESS_RATE_LIMIT": "5 per minute", "PASSWORD_RESET_RATE_LIMIT": "3 per minute",
                **overrides}
    client = make_app(**settings).test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def from_address(client: Any, path: str, address: str, **data: str) -> int:
    response = client.post(path, data=data, environ_overrides={"REMOTE_ADDR": address})
    response.close()  # a WSGI server closes it once sent; work deferred until then runs here
    return int(response.status_code)


def test_a_stranger_cannot_lock_a_named_person_out(make_app, world):
    """Today's main locked the account itself: ten wrong passwords from anywhere, and the real
    person's right password from their own office answered 429."""
    client = limited_client(make_app)
    answers = [from_address(client, "/login", "203.0.113.66", email=world.member.email, password=WRONG)
               for _ in range(4)]
    assert answers == [422, 422, 422, 429]
    # The stranger is held; the person, from their own address, signs in.
    assert from_address(client, "/login", "203.0.113.66", email=world.member.email,
                        password=PASSWORD) == 429
    assert from_address(client, "/login", "198.51.100.20", email=world.member.email,
                        password=PASSWORD) == 302


def test_guessing_one_account_from_one_address_is_limited_in_any_letter_case(make_app, world):
    client = limited_client(make_app)
    emails = [world.member.email, world.member.email.upper(), world.member.email.title()]
    answers = [from_address(client, "/login", "192.0.2.5", email=email, password=WRONG) for email in emails]
    assert answers == [422, 422, 422]
    assert from_address(client, "/login", "192.0.2.5", email=world.member.email, password=WRONG) == 429


def test_sign_in_from_one_address_is_limited_across_accounts(make_app, world):
    client = limited_client(make_app)
    answers = [from_address(client, "/login", "198.51.100.7", email=f"guess{n}@example.org", password=WRONG)
               for n in range(6)]
    assert answers == [422, 422, 422, 422, 422, 429]
    assert from_address(client, "/login", "198.51.100.7", email=world.member.email,
                        password=PASSWORD) == 429
    assert from_address(client, "/login", "198.51.100.8", email=world.member.email,
                        password=PASSWORD) == 302


def test_colleagues_signing_in_from_one_office_address_are_not_counted(make_app, world):
    """Only refused attempts count: a ministry behind one address signs in all morning."""
    client = limited_client(make_app)
    people = [world.member, world.tm_member, world.kz_chair, world.tm_chair, world.secretary,
              world.observer, world.outsider]
    for person in people:
        assert from_address(client, "/login", "192.0.2.77", email=person.email, password=PASSWORD) == 302
        client.post("/logout")


def test_password_reset_is_limited_per_account(make_app, world, mail_sink):
    client = limited_client(make_app)
    answers = [from_address(client, "/password/forgot", f"203.0.113.{n}", email=world.member.email)
               for n in range(1, 6)]
    assert answers == [302, 302, 302, 429, 429]
    assert len(mail_sink.to(world.member.email)) == 3
    assert from_address(client, "/password/forgot", "203.0.113.20", email=world.tm_member.email) == 302


def test_password_reset_is_limited_per_address(make_app, world, mail_sink):
    client = limited_client(make_app)
    answers = [from_address(client, "/password/forgot", "198.51.100.7", email=f"guess{n}@example.org")
               for n in range(3)]
    assert answers == [302, 302, 302]
    assert from_address(client, "/password/forgot", "198.51.100.7", email=world.member.email) == 429
    assert mail_sink.to(world.member.email) == []
    assert from_address(client, "/password/forgot", "198.51.100.8", email=world.member.email) == 302


def test_sign_in_works_and_stays_limited_while_the_limiter_store_is_down(make_app, world):
    """Redis stopped (bench/faults.py): the login form answered 500; it must sign people in, and keep
    counting attempts in the process's memory meanwhile."""
    import socket

    with socket.socket() as probe:  # a port nobody listens on: Redis is down
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    client = limited_client(make_app, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{dead}/0")
    assert from_address(client, "/login", "192.0.2.1", email=world.member.email, password=PASSWORD) == 302
    answers = [from_address(client, "/login", "192.0.2.2", email="guess@example.org", password=WRONG)
               for _ in range(4)]
    assert answers == [422, 422, 422, 429]
