"""Browser sessions that can be ended one by one or all at once.

The id Flask-Login keeps in the session cookie (and in the remember-me cookie) is
"person id:session version:sign-in key". The key names this browser's SignInSession row: "Sign out"
ends that row, so this browser's cookies, and any copy of them, stop working while the person's other
browsers go on. The version is the person's: raising it (User.end_sessions: sign out everywhere, a new
password, a role change, a second factor turned on, off or reset) ends every session at once.
"""

from __future__ import annotations

import hashlib
import secrets

from flask_login import login_user
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import joinedload

from council.auth.models import SignInSession
from council.directory.models import User
from council.extensions import db
from council.timeutil import utcnow


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def log_in(user: User, *, remember: bool = False) -> None:
    """Sign the person in in this browser, under a new sign-in key (the caller commits)."""
    version = user.session_version or 0
    # Rows that can no longer sign anyone in: ended, or of a session version since raised.
    db.session.execute(delete(SignInSession).where(
        SignInSession.user_id == user.id,
        or_(SignInSession.ended_at.is_not(None), SignInSession.user_version != version)))
    key = secrets.token_urlsafe(24)
    db.session.add(SignInSession(user_id=user.id, key_hash=_hash(key), user_version=version,
                                 created_at=utcnow()))
    user.sign_in_key = key
    login_user(user, remember=remember)


def load(identity: str) -> User | None:
    """The person of a session or remember-me cookie, if that sign-in has not been ended."""
    parts = identity.split(":")
    if len(parts) != 3 or len(identity) > 200:
        return None
    user_id, version, key = parts
    if not (user_id.isdigit() and version.isdigit() and key):
        return None
    # The council comes with the person: most pages name it, and it was a statement of its own.
    user = db.session.scalar(
        select(User).join(SignInSession, SignInSession.user_id == User.id)
        .where(User.id == int(user_id), SignInSession.key_hash == _hash(key),
               SignInSession.ended_at.is_(None)).options(joinedload(User.council)))
    if user is None or int(version) != (user.session_version or 0):
        return None
    user.sign_in_key = key
    return user


def end_this_one(user: User) -> None:
    """End this browser's sign-in only (plain "Sign out"); the person's other browsers go on."""
    key = getattr(user, "sign_in_key", None)
    if key:
        row = db.session.scalar(select(SignInSession).where(SignInSession.key_hash == _hash(key)))
        if row is not None:
            row.ended_at = utcnow()
