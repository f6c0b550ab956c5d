"""A person's recent sign-ins and security changes, read from the domain event log.

Sign-ins, failed attempts and second-factor changes are events of the person ("user" subject); their
tokens' events are those of their tokens; role changes and deactivation are "person.updated" events
that change the role or the active flag. Nothing is stored twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from council.api.models import ApiToken, TokenEvent
from council.auth.models import AuthEvent
from council.directory.models import PLATFORM_ROLE_LABELS, DirectoryEvent, PlatformRole, User
from council.events import Event
from council.extensions import db

LABELS: dict[str, Any] = {
    AuthEvent.SIGNED_IN: _l("Signed in"),
    AuthEvent.SIGNED_OUT_EVERYWHERE: _l("Signed out everywhere"),
    AuthEvent.SECOND_FACTOR_ENABLED: _l("Two-factor sign-in turned on"),
    AuthEvent.SECOND_FACTOR_DISABLED: _l("Two-factor sign-in turned off"),
    AuthEvent.RECOVERY_CODES_RENEWED: _l("New recovery codes made"),
    AuthEvent.RECOVERY_CODE_USED: _l("Recovery code used"),
    AuthEvent.SECOND_FACTOR_RESET: _l("Second factor reset by an administrator"),
    AuthEvent.PASSWORD_SET: _l("Password set"),
}
PERSON_KINDS = (*LABELS, AuthEvent.SIGN_IN_FAILED, DirectoryEvent.PERSON_UPDATED)
TOKEN_KINDS = (TokenEvent.CREATED, TokenEvent.REVOKED)


@dataclass(frozen=True)
class SecurityEntry:
    when: datetime
    what: str
    detail: str | None
    warning: bool = False


def recent(person: User, limit: int = 20) -> list[SecurityEntry]:
    """The person's latest security events, newest first."""
    tokens = select(ApiToken.id).where(ApiToken.user_id == person.id).scalar_subquery()
    query = (select(Event).where(or_(
        and_(Event.subject_type == "user", Event.subject_id == person.id, Event.kind.in_(PERSON_KINDS)),
        and_(Event.subject_type == "apitoken", Event.subject_id.in_(tokens),
             Event.kind.in_(TOKEN_KINDS))))
        .order_by(Event.id.desc()).limit(limit * 2))
    entries = [entry for event in db.session.scalars(query) if (entry := _entry(event)) is not None]
    return entries[:limit]


def _entry(event: Event) -> SecurityEntry | None:
    payload = event.payload or {}
    address = payload.get("address")
    if event.kind in LABELS:
        return SecurityEntry(event.created_at, str(LABELS[event.kind]), address)
    if event.kind == AuthEvent.SIGN_IN_FAILED:
        what = _("Wrong code at sign-in") if payload.get("step") == "code" \
            else _("Wrong password at sign-in")
        return SecurityEntry(event.created_at, what, address, warning=True)
    if event.kind == TokenEvent.CREATED:
        return SecurityEntry(event.created_at, _("Token created: %(name)s", name=payload.get("name")), None)
    if event.kind == TokenEvent.REVOKED:
        return SecurityEntry(event.created_at, _("Token revoked: %(name)s", name=payload.get("name")), None)
    changes = payload.get("changes") or {}
    if "role" in changes:
        old, new = changes["role"]
        return SecurityEntry(event.created_at, _("Platform role changed: %(old)s → %(new)s",
                                                 old=_role(old), new=_role(new)), None)
    if "active" in changes:
        return SecurityEntry(event.created_at, _("Account activated") if changes["active"][1] == "True"
                             else _("Account deactivated"), None, warning=True)
    return None


def _role(value: str | None) -> str:
    try:
        return str(PLATFORM_ROLE_LABELS[PlatformRole(value or "")])
    except ValueError:
        return value or "—"
