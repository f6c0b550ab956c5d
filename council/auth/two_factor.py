"""Two-factor sign-in: a TOTP authenticator app (RFC 6238) and single-use recovery codes.

Required for administrators and secretaries, offered to everyone. An administrator or secretary who
has not set it up yet can still sign in with the password, but every page sends them to the set-up
page until they have (see views.require_two_factor_set_up), so nobody is locked out by the rule.
"""

from __future__ import annotations

import hashlib
import secrets

import pyotp
import segno
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import delete, select, update
from werkzeug.security import check_password_hash

from council import events
from council.auth.models import AuthEvent, RecoveryCode
from council.auth.permissions import administrators, require, rule
from council.directory.models import PlatformRole, User
from council.errors import Conflict, NotAllowed, ValidationFailed
from council.extensions import db
from council.timeutil import utcnow

REQUIRED_FOR = frozenset({PlatformRole.ADMIN, PlatformRole.SECRETARY})
ISSUER = "Council"
RECOVERY_CODES = 10
# Codes of the time step before and after the current one are accepted: phone clocks drift.
VALID_WINDOW = 1
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


@rule("person.reset_second_factor", who=administrators)
def _reset_second_factor(user: User, person: object) -> bool:
    return False  # administrators only (can() lets them through before any rule)


def required_for(user: User) -> bool:
    return user.role in REQUIRED_FOR


def needs_set_up(user: User) -> bool:
    """True for an administrator or secretary who has no second factor yet: only set-up is open (on the
    web; the API refuses their tokens until then)."""
    return required_for(user) and not user.two_factor_enabled


def set_up_first_message() -> str:
    return _("Administrators and secretaries must use two-factor sign-in: API tokens work only once it "
             "is set up. Sign in on the website and set it up on your profile page "
             "(Profile → Two-factor sign-in), then try again.")


def require_set_up(user: User) -> None:
    """Refuse what must not happen before a required second factor is set up (creating API tokens)."""
    if needs_set_up(user):
        raise NotAllowed(set_up_first_message())


# Set-up -------------------------------------------------------------------------------------------


def pending_secret(user: User) -> str:
    """The secret being set up (made once and kept, so reloading the page shows the same QR code)."""
    if user.two_factor_enabled:
        raise Conflict(_("Two-factor sign-in is already on."))
    secret = user.totp_secret
    if not secret:
        secret = pyotp.random_base32()
        user.totp_secret = secret  # stored sealed (User.totp_secret)
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(uri: str, title: str) -> Markup:
    """The QR code as inline SVG: no image request, and nothing the CSP would refuse."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=2, title=title, dark="#000",
                                                light="#fff")
    return Markup(svg)  # noqa: S704  segno escapes the title; the URI is encoded as modules, not text


def enable(user: User, code: str) -> list[str]:
    """Turn two-factor sign-in on once the app shows a valid code; returns the recovery codes (shown
    once). Every other session of the person ends: they were opened with the password alone."""
    secret = pending_secret(user)
    step = _matching_step(secret, code, None)
    if step is None:
        raise ValidationFailed(_("This code is not valid. Check the time on your phone and try the "
                                 "newest code."), field="code")
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    user.end_sessions()
    events.record(AuthEvent.SECOND_FACTOR_ENABLED, user, user)
    return codes


def new_recovery_codes(user: User, code: str) -> list[str]:
    """Replace the recovery codes (the old ones stop working), after a valid code."""
    if not user.two_factor_enabled:
        raise Conflict(_("Two-factor sign-in is off."))
    if verify(user, code) is None:
        raise ValidationFailed(_("This code is not valid."), field="code")
    codes = _new_recovery_codes(user)
    events.record(AuthEvent.RECOVERY_CODES_RENEWED, user, user)
    return codes


def disable(user: User, *, password: str, code: str) -> None:
    """Turn it off: needs the password and a code (from the app or a recovery code)."""
    if not user.two_factor_enabled:
        raise Conflict(_("Two-factor sign-in is off."))
    if not user.password_hash or not check_password_hash(user.password_hash, password):
        raise ValidationFailed(_("Wrong password."), field="password")
    if verify(user, code) is None:
        raise ValidationFailed(_("This code is not valid."), field="code")
    _clear(user)
    user.end_sessions()
    events.record(AuthEvent.SECOND_FACTOR_DISABLED, user, user)


def reset(actor: User, person: User) -> None:
    """An administrator removes a person's second factor (a lost phone). The person is told by e-mail
    (the event's transactional notification) and sets it up again at the next sign-in if required."""
    require(actor, "person.reset_second_factor", person)
    if not person.two_factor_enabled:
        raise Conflict(_("This person has no second factor to reset."))
    _clear(person)
    person.end_sessions()
    events.record(AuthEvent.SECOND_FACTOR_RESET, person, actor)


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


# Checking a code ----------------------------------------------------------------------------------


def verify(user: User, code: str) -> str | None:
    """Check a code from the app, or a recovery code; "totp" or "recovery code" if it is valid (and
    then spent: a code is never accepted twice), None if not."""
    secret = user.totp_secret if user.two_factor_enabled else None
    if secret is None:
        return None
    digits = "".join(code.split())
    if digits.isdigit() and len(digits) == 6:
        step = _matching_step(secret, digits, user.totp_last_step)
        if step is None:
            return None
        user.totp_last_step = step
        return "totp"
    return "recovery code" if _spend_recovery_code(user, code) else None


def _matching_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step whose code this is (within the window), if it is newer than the last one used."""
    digits = "".join(code.split())
    if not (digits.isdigit() and len(digits) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = utcnow()
    current = totp.timecode(now)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        step = current + offset
        if last_step is not None and step <= last_step:
            continue
        if secrets.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def _hash_recovery_code(code: str) -> str:
    normalised = "".join(ch for ch in code.casefold() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _index in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(code),
                                    created_at=utcnow()) for code in codes)
    return codes


def _spend_recovery_code(user: User, code: str) -> bool:
    # One UPDATE claims the code, so two requests racing with the same code cannot both succeed.
    spent = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_recovery_code(code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if not spent.rowcount:  # type: ignore[attr-defined]
        return False
    events.record(AuthEvent.RECOVERY_CODE_USED, user, user)
    return True


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())
