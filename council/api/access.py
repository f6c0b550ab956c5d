"""Who is calling the API: a personal access token in `Authorization: Bearer <token>`, nothing else.

Session cookies are never read here, so a page open in the browser cannot be made to call the API on
its owner's behalf (which is why the API needs no CSRF token). A read-only token may only read.
"""

from __future__ import annotations

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import Unauthorized

from council.api import services
from council.api.models import ApiToken
from council.auth import two_factor
from council.errors import NotAllowed

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNREAD = object()


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def current_token() -> ApiToken | None:
    """The request's valid token, looked up once (the rate limiter asks before the view does).

    Its owner becomes Flask-Login's current_user for this request only, so services, permission
    rules and the language of messages are theirs; nothing is written to the session.
    """
    token = g.get("api_token", _UNREAD)
    if token is _UNREAD:
        secret = bearer_secret()
        token = services.token_for_secret(secret) if secret else None
        g.api_token = token
        if token is not None:
            g._login_user = token.user
    return token


def authenticate() -> None:
    """before_request of every API blueprint: a valid token, allowed to do this kind of request."""
    token = current_token()
    if token is None:
        raise Unauthorized()
    if two_factor.needs_set_up(token.user):
        # A token made before the rule applied to them (a member since promoted, a second factor since
        # reset by an administrator) must not be a way round it.
        raise NotAllowed(two_factor.set_up_first_message())
    if request.method not in READ_METHODS and not token.can_write:
        raise NotAllowed(_("This token may only read. Create a read-write token to make changes."))


def rate_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


def rate_limit_key() -> str:
    """Each token has its own allowance; requests without a valid token share their address's."""
    token = current_token()
    return f"api-token:{token.id}" if token is not None else f"api-address:{get_remote_address()}"
