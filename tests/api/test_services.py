"""Personal access tokens: only a hash is kept, names are checked, and revoked tokens stop working."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from council import events
from council.api import services
from council.api.models import ApiToken, TokenScope
from council.errors import Conflict, NotAllowed, ValidationFailed
from council.extensions import db


def test_only_a_hash_of_the_secret_is_stored(world):
    token, secret = services.create_token(world.member, name="Akimat documents", scope="read")
    db.session.commit()
    assert secret.startswith("council_") and len(secret) > 40
    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (stored.token_hash, stored.hint, stored.name)
    assert secret.startswith(stored.hint) and len(stored.hint) == len("council_") + 4
    assert stored.scope == TokenScope.READ and stored.active
    assert [e.kind for e in events.history("apitoken", token.id)] == ["token.created"]
    assert "secret" not in str(events.history("apitoken", token.id)[0].payload)


def test_two_tokens_never_share_a_secret(world):
    first = services.create_token(world.member, name="one", scope="read")[1]
    second = services.create_token(world.member, name="two", scope="read")[1]
    assert first != second


@pytest.mark.parametrize(("name", "scope", "field", "error"), [
    ("  ", "read", "name", ValidationFailed),
    ("x" * 81, "read", "name", ValidationFailed),
    ("ok", "admin", "scope", ValidationFailed),
])
def test_a_token_needs_a_name_and_a_known_scope(world, name, scope, field, error):
    with pytest.raises(error) as refused:
        services.create_token(world.member, name=name, scope=scope)
    assert refused.value.field == field


def test_active_names_are_unique_per_person_and_their_number_is_limited(world, monkeypatch):
    services.create_token(world.member, name="Akimat documents", scope="read")
    with pytest.raises(Conflict):
        services.create_token(world.member, name="akimat DOCUMENTS ", scope="read")
    services.create_token(world.tm_member, name="Akimat documents", scope="read")  # someone else's
    monkeypatch.setattr(services, "MAX_ACTIVE_TOKENS", 2)
    services.create_token(world.member, name="second", scope="read")
    with pytest.raises(Conflict):
        services.create_token(world.member, name="third", scope="read")


def test_inactive_people_cannot_create_tokens(world):
    world.member.active = False
    with pytest.raises(NotAllowed):
        services.create_token(world.member, name="x", scope="read")


def test_a_person_revokes_their_own_token_once(world):
    token, secret = services.create_token(world.member, name="one", scope="read-write")
    db.session.commit()
    with pytest.raises(NotAllowed):
        services.revoke_token(world.tm_member, token)
    services.revoke_token(world.member, token)
    db.session.commit()
    assert not token.active and services.token_for_secret(secret) is None
    with pytest.raises(Conflict):
        services.revoke_token(world.member, token)
    assert [e.kind for e in events.history("apitoken", token.id)] == ["token.revoked", "token.created"]


def test_an_administrator_may_revoke_anyones_token(world):
    token, _secret = services.create_token(world.member, name="one", scope="read")
    services.revoke_token(world.admin, token)
    assert not token.active


def test_a_secret_is_recognised_and_its_use_recorded(world):
    token, secret = services.create_token(world.member, name="one", scope="read")
    db.session.commit()
    assert token.last_used_at is None
    found = services.token_for_secret(secret)
    assert found is not None and found.id == token.id and found.last_used_at is not None
    assert services.token_for_secret(secret + "x") is None
    assert services.token_for_secret(secret.removeprefix("council_")) is None
    assert services.token_for_secret("") is None


def test_tokens_of_deactivated_people_stop_working(world):
    _token, secret = services.create_token(world.member, name="one", scope="read")
    world.member.active = False
    db.session.commit()
    assert services.token_for_secret(secret) is None


def test_a_persons_tokens_are_listed_active_first(world):
    old, _ = services.create_token(world.member, name="old", scope="read")
    services.create_token(world.member, name="new", scope="read")
    services.revoke_token(world.member, old)
    services.create_token(world.tm_member, name="theirs", scope="read")
    db.session.commit()
    assert [t.name for t in services.tokens_of(world.member)] == ["new", "old"]
