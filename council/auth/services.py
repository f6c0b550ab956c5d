"""Signing in, invitations and password resets.

Invitation and reset links are signed, time-limited tokens. They carry a fingerprint of the current
password hash, so a link stops working as soon as it has been used to set a password.
"""

from __future__ import annotations

import functools
import hashlib

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from council import conflicts, events
from council.auth import sessions
from council.auth.models import AuthEvent
from council.auth.permissions import require
from council.directory.models import Council, Organisation, PlatformRole, User
from council.errors import Conflict, ValidationFailed
from council.extensions import db
from council.i18n import LANGUAGES
from council.timeutil import utcnow

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
INVITATION = "invitation"
PASSWORD_RESET = "password-reset"  # noqa: S105  a token's purpose (its salt), not a secret


def hash_password(password: str) -> str:
    """The stored form of a password, by the app's PASSWORD_HASH_METHOD (scrypt outside tests)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@functools.cache
def _dummy_hash(method: str) -> str:
    """A fixed hash to compare against when the e-mail is unknown, made by the same method as the
    real ones, so the time taken does not reveal which accounts exist."""
    return generate_password_hash("not-a-real-password", method=method)


def normalize_email(email: str, field: str = "email") -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.casefold()
    except EmailNotValidError as error:
        raise ValidationFailed(_("Enter a valid e-mail address."), field=field) from error


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().casefold()))


def authenticate(email: str, password: str, *, address: str | None = None) -> User:
    """The active user with this e-mail and password, or ValidationFailed with one vague message.

    A wrong password for a known account is written to that person's security history (the caller
    commits it); the person is signed in only by sign_in(), after the second factor if they have one."""
    user = find_by_email(email)
    stored = (user.password_hash if user is not None and user.password_hash
              else _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]))
    if not check_password_hash(stored, password) or user is None or not user.active \
            or user.password_hash is None:
        if user is not None and user.active:
            events.record(AuthEvent.SIGN_IN_FAILED, user, None, step="password", address=address)
        raise ValidationFailed(_("Wrong e-mail or password."), field="password")
    return user


def sign_in(user: User, *, address: str | None, agent: str | None, method: str = "password") -> None:
    """Record a completed sign-in in the person's security history."""
    user.last_login_at = utcnow()
    events.record(AuthEvent.SIGNED_IN, user, user, address=address, agent=(agent or "")[:160] or None,
                  method=method)


def code_refused(user: User, *, address: str | None) -> None:
    events.record(AuthEvent.SIGN_IN_FAILED, user, None, step="code", address=address)


def sign_out(user: User) -> None:
    """End this browser's session: a copy of its session or remember-me cookie taken before stops
    working too. The person's other browsers stay signed in (sign_out_everywhere ends them)."""
    sessions.end_this_one(user)


def sign_out_everywhere(user: User) -> None:
    """End every session and remember-me cookie of the person, in every browser."""
    user.end_sessions()
    events.record(AuthEvent.SIGNED_OUT_EVERYWHERE, user, user)


def check_password_rules(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(_("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH),
                               field=field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(_("Use at most %(count)d characters.", count=MAX_PASSWORD_LENGTH),
                               field=field)


def set_password(user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.end_sessions()  # whoever signed in with the old password (or kept its cookie) is signed out
    events.record(AuthEvent.PASSWORD_SET, user, user)


def change_password(user: User, *, current: str, new: str) -> None:
    """The person changes their own password: the current one first. Every session ends (the caller
    keeps this browser's, under the new session version)."""
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise ValidationFailed(_("The current password is wrong."), field="current")
    set_password(user, new)


# Signed links -----------------------------------------------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"council-{purpose}")


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "none").encode()).hexdigest()[:16]


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"user": user.id, "fp": _fingerprint(user)})


def read_token(token: str, purpose: str) -> User:
    """The user a link was made for; ValidationFailed if it expired, was used, or is not ours."""
    max_age = current_app.config["INVITATION_MAX_AGE" if purpose == INVITATION
                                 else "PASSWORD_RESET_MAX_AGE"]
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise ValidationFailed(_("This link has expired. Ask for a new one.")) from error
    except BadSignature as error:
        raise ValidationFailed(_("This link is not valid.")) from error
    user = db.session.get(User, payload.get("user"))
    if user is None or not user.active or payload.get("fp") != _fingerprint(user):
        raise ValidationFailed(_("This link has already been used or is no longer valid."))
    return user


# Invitations and resets -------------------------------------------------------------------------


def invite_person(actor: User, council: Council, *, email: str, name: str,
                  organisation_id: int | None, role: PlatformRole, language: str) -> User:
    """Create the person's account (without a password); the invitation e-mail is written to the
    outbox by the `person.invited` event and sent once the caller commits."""
    require(actor, "person.invite", council.id)
    if role == PlatformRole.ADMIN:
        require(actor, "admin.grant", council.id)
    email = normalize_email(email)
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Enter a name."), field="name")
    if language not in LANGUAGES:
        raise ValidationFailed(_("Choose a language."), field="language")
    if find_by_email(email) is not None:
        raise Conflict(_("A person with this e-mail address is already registered."), field="email")
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation_id is not None and (organisation is None
                                        or organisation.council_id != council.id):
        raise ValidationFailed(_("Choose an organisation of this council."), field="organisation_id")
    time_zone = "Asia/Ashgabat" if organisation and organisation.country_code == "TM" else "Asia/Aqtau"
    person = User(email=email, name=name, council_id=council.id, organisation_id=organisation_id,
                  role=role, language=language, time_zone=time_zone, invited_at=utcnow())
    db.session.add(person)
    conflicts.flush()  # an address registered meanwhile is a Conflict on the e-mail field
    events.record(AuthEvent.PERSON_INVITED, person, actor, email=email)
    return person




def request_password_reset(email: str) -> None:
    """Have a reset link e-mailed if the address belongs to an active person; say nothing either way.

    The e-mail is an outbox row written with the event (the link is made when it is sent, from
    COUNCIL_BASE_URL), so SMTP being down delays it instead of failing the request; the caller commits.
    """
    user = find_by_email(email)
    if user is None or not user.active:
        return
    events.record(AuthEvent.PASSWORD_RESET_REQUESTED, user, None)
