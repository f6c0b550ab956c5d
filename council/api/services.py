"""Personal access tokens: create, revoke, and recognise one presented by a system."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from council import events
from council.api.models import ApiToken, TokenEvent, TokenScope
from council.auth import two_factor
from council.auth.permissions import require, rule
from council.directory.models import User
from council.errors import Conflict, ValidationFailed
from council.extensions import db
from council.timeutil import utcnow

# A recognisable prefix lets secret scanners (and people) tell a Council token from other strings.
TOKEN_PREFIX = "council_"  # noqa: S105  a prefix, not a secret
MAX_NAME_LENGTH = 80
MAX_ACTIVE_TOKENS = 20
# Writing "last used" on every request would turn each read into a write; once a minute is enough.
LAST_USED_PRECISION = timedelta(minutes=1)


@rule("token.create")
def _create_token(user: User, target: Any) -> bool:
    return True  # any active person may give their own systems access to what they may see


@rule("token.revoke")
def _revoke_token(user: User, token: Any) -> bool:
    return bool(token.user_id == user.id)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def tokens_of(person: User, limit: int = 50) -> list[ApiToken]:
    """A person's tokens, active first (at most MAX_ACTIVE_TOKENS), then the latest revoked ones."""
    query = (select(ApiToken).where(ApiToken.user_id == person.id)
             .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc()).limit(limit))
    return list(db.session.scalars(query))


def create_token(actor: User, *, name: str, scope: TokenScope | str) -> tuple[ApiToken, str]:
    """Make a token for the actor; returns it with its secret, which is shown once and never stored."""
    require(actor, "token.create", actor)
    two_factor.require_set_up(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Name the token after the system that will use it."), field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(_("Use at most %(count)d characters.", count=MAX_NAME_LENGTH),
                               field="name")
    if scope not in tuple(TokenScope):
        raise ValidationFailed(_("Choose what the token may do."), field="scope")
    active = list(db.session.scalars(select(ApiToken.name).where(
        ApiToken.user_id == actor.id, ApiToken.revoked_at.is_(None))))
    if name.casefold() in {other.casefold() for other in active}:
        raise Conflict(_("You already have an active token with this name."), field="name")
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise Conflict(_("You have reached the limit of active tokens (%(count)d); revoke one you "
                         "no longer use first.", count=len(active)), field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=actor.id, name=name, scope=TokenScope(scope),
                     token_hash=hash_secret(secret), hint=secret[:len(TOKEN_PREFIX) + 4],
                     created_at=utcnow())
    db.session.add(token)
    events.record(TokenEvent.CREATED, token, actor, council_id=actor.council_id, name=name,
                  scope=token.scope.value)
    return token, secret


def revoke_token(actor: User, token: ApiToken) -> ApiToken:
    require(actor, "token.revoke", token)
    if token.revoked_at is not None:
        raise Conflict(_("This token is already revoked."))
    token.revoked_at = utcnow()
    events.record(TokenEvent.REVOKED, token, actor, council_id=token.user.council_id, name=token.name)
    return token


def token_for_secret(secret: str) -> ApiToken | None:
    """The active token of an active person that this secret belongs to, or None.

    Marks it used (at most once a minute, in its own small transaction) so its owner sees which
    tokens are still in use.
    """
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        db.session.commit()
    return token

