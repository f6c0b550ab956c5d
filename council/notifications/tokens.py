"""Signed unsubscribe tokens: they name a person and do not expire, as unsubscribe links must keep
working."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from council.directory.models import User
from council.errors import NotFound
from council.extensions import db


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="council-unsubscribe")


def unsubscribe_token(person: User) -> str:
    """A signed token naming the person; it does not expire, as unsubscribe links must keep working."""
    return str(_unsubscribe_serializer().dumps({"u": person.id}))


def person_of_token(token: str) -> User:
    try:
        payload = _unsubscribe_serializer().loads(token)
    except BadSignature as error:
        raise NotFound(_("This link is not valid.")) from error
    person = db.session.get(User, payload.get("u")) if isinstance(payload, dict) else None
    if person is None:
        raise NotFound(_("This link is not valid."))
    return person
