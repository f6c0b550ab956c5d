"""Personal access tokens: how a ministry's or akimat's own system signs in to the API."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from council.dbtypes import enum_type
from council.directory.models import User
from council.extensions import Model
from council.timeutil import utcnow


class TokenEvent(StrEnum):
    """The kinds of event personal access tokens record (stored as these strings in event.kind)."""

    CREATED = "token.created"
    REVOKED = "token.revoked"


class TokenScope(StrEnum):
    READ = "read"
    READ_WRITE = "read-write"

    @property
    def label(self) -> str:
        return str(TOKEN_SCOPE_LABELS[self])


TOKEN_SCOPE_LABELS = {
    TokenScope.READ: _l("Read only"),
    TokenScope.READ_WRITE: _l("Read and write"),
}


class ApiToken(Model):
    """A named credential of one person. Only the SHA-256 of the secret is kept, never the secret."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    scope: Mapped[TokenScope] = mapped_column(enum_type(TokenScope), default=TokenScope.READ)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The secret's first characters, so its owner can tell which token a system uses.
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE


class IdempotentRequest(Model):
    """The first answer to a POST sent with an Idempotency-Key, kept 24 hours so that a retry with the
    same key (same token) gets that answer again instead of making the record twice.

    The row is inserted before the change is made, in the change's own transaction: a second request
    with the same key waits on the unique constraint until the first commits, then replays its answer
    (council.api.writes)."""

    __tablename__ = "idempotent_request"
    __table_args__ = (UniqueConstraint("token_id", "key", name="uq_idempotent_request_token_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
