"""What signing in keeps besides the person's own row: the recovery codes of two-factor sign-in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from council.extensions import Model
from council.timeutil import utcnow


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
