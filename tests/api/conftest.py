"""API test helpers: personal access tokens for the world's people, sent as bearer headers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from council.api import services
from council.api.models import TokenScope
from council.extensions import db


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def token_for() -> Callable[..., str]:
    """Create a token for a person (committed) and return its secret."""

    def create(person: Any, scope: TokenScope = TokenScope.READ_WRITE, name: str | None = None) -> str:
        _token, secret = services.create_token(person, name=name or f"system {person.id}-{scope}",
                                               scope=scope)
        db.session.commit()
        return secret

    return create


@pytest.fixture
def as_member(world: Any, token_for: Callable[..., str]) -> dict[str, str]:
    return bearer(token_for(world.member))
