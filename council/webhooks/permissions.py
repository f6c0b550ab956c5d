"""Who may register webhook endpoints and look after them.

A council's secretaries register endpoints for the whole council and look after every endpoint of it.
A person of an organisation who holds an active personal access token (the person a ministry's or
akimat's system acts as) may register endpoints for their organisation's records, and looks after
their own. Parity holds by construction: an organisation's endpoint hears about that organisation only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, select

from council.api.models import ApiToken
from council.auth.permissions import is_secretary, rule, secretaries
from council.directory.models import User
from council.extensions import db


@dataclass(frozen=True)
class Scope:
    """What an endpoint would hear about: a council, and perhaps only one organisation of it."""

    council_id: int
    organisation_id: int | None = None


def holds_token(user: User) -> bool:
    return bool(db.session.scalar(select(exists().where(ApiToken.user_id == user.id,
                                                        ApiToken.revoked_at.is_(None)))))


def _token_holders(_target: Any = None) -> list[str]:
    return [_("an organisation's people who hold a personal access token (for that organisation)")]


def _registrars(target: Any = None) -> list[str]:
    return [*secretaries(target), *_token_holders(target)]


@rule("webhook.list", who=_registrars)
def _list_endpoints(user: User, council_id: Any) -> bool:
    return is_secretary(user, council_id) or (
        user.council_id == council_id and user.organisation_id is not None and holds_token(user))


@rule("webhook.register", who=_registrars)
def _register(user: User, scope: Any) -> bool:
    if is_secretary(user, scope.council_id):
        return True
    return (user.council_id == scope.council_id and scope.organisation_id is not None
            and user.organisation_id == scope.organisation_id and holds_token(user))


@rule("webhook.manage", refusal=lambda user, endpoint: _(
    "Only the council's secretaries and the person who registered this endpoint can do this."))
def _manage(user: User, endpoint: Any) -> bool:
    return is_secretary(user, endpoint.council_id) or (
        endpoint.owner_id == user.id and user.council_id == endpoint.council_id)
