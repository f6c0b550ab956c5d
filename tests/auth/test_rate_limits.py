"""Guessing passwords and flooding reset e-mails are slowed per account AND per address."""

from __future__ import annotations

from typing import Any

from tests.factories import PASSWORD


def limited_client(make_app: Any) -> Any:
    client = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute").test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def from_address(client: Any, path: str, address: str, **data: str) -> int:
    return int(client.post(path, data=data, environ_overrides={"REMOTE_ADDR": address}).status_code)


def test_sign_in_from_many_addresses_is_limited_per_account(make_app, world):
    client = limited_client(make_app)
    answers = [from_address(client, "/login", f"203.0.113.{n}", email=world.member.email, password="wrong")
               for n in range(1, 5)]
    assert answers == [422, 422, 422, 429]
    # The right password from yet another address waits too; the same address with the letters in
    # another case is the same account.
    assert from_address(client, "/login", "203.0.113.9", email=world.member.email.upper(),
                        password=PASSWORD) == 429
    # Someone else's account is not locked by it.
    assert from_address(client, "/login", "203.0.113.10", email=world.tm_member.email,
                        password=PASSWORD) == 302


def test_sign_in_from_one_address_is_limited_across_accounts(make_app, world):
    client = limited_client(make_app)
    answers = [from_address(client, "/login", "198.51.100.7", email=f"guess{n}@example.org", password="x")
               for n in range(4)]
    assert answers == [422, 422, 422, 429]
    assert from_address(client, "/login", "198.51.100.7", email=world.member.email,
                        password=PASSWORD) == 429
    assert from_address(client, "/login", "198.51.100.8", email=world.member.email,
                        password=PASSWORD) == 302


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
    client = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute",
                      RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{dead}/0").test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert from_address(client, "/login", "192.0.2.1", email=world.member.email, password=PASSWORD) == 302
    answers = [from_address(client, "/login", "192.0.2.2", email="guess@example.org", password="x")
               for _ in range(4)]
    assert answers == [422, 422, 422, 429]
