"""What signing in keeps besides the person's own row: the recovery codes of two-factor sign-in."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from council.extensions import Model
from council.timeutil import utcnow


class AuthEvent(StrEnum):
    """The kinds of event signing in and accounts record (stored as these strings in event.kind)."""

    SIGNED_IN = "auth.signed_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    SIGNED_OUT_EVERYWHERE = "auth.signed_out_everywhere"
    SECOND_FACTOR_ENABLED = "auth.second_factor_enabled"
    SECOND_FACTOR_DISABLED = "auth.second_factor_disabled"
    RECOVERY_CODES_RENEWED = "auth.recovery_codes_renewed"
    RECOVERY_CODE_USED = "auth.recovery_code_used"
    PERSON_INVITED = "person.invited"
    PASSWORD_SET = "person.password_set"  # noqa: S105  an event kind, not a secret
    PASSWORD_RESET_REQUESTED = "person.password_reset_requested"  # noqa: S105  an event kind, not a secret
    SECOND_FACTOR_RESET = "person.second_factor_reset"


class RecoveryCode(Model):
    """One single-use code for signing in without the authenticator app. Only its SHA-256 is kept:
    the codes are random (50 bits each), so a plain hash is enough and checking one is instant."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class SignInSession(Model):
    """One browser's sign-in: its key (random, in the session and remember-me cookies; only its SHA-256
    is kept) lets "Sign out" end this browser's session alone, copies of its cookies included, while
    the person's other browsers stay signed in. "Sign out everywhere" (and a new password, a role
    change, a second factor turned on, off or reset) raises the person's session version instead,
    which ends every session at once."""

    __tablename__ = "sign_in_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The person's session version when it began: older ones are dead and are cleared away.
    user_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
