"""Webhook endpoints (a system's HTTPS address and the event kinds it wants) and their deliveries.

A delivery is an outbox row, like an e-mail (council.notifications.outbox): written pending in the
transaction of the change, claimed ("sending") by one worker before the HTTP request, then delivered,
pending again (a retry after backoff) or failed. Its `webhook_id` is fixed when it is written and sent
at every attempt, so a receiver that got it twice can tell (Standard Webhooks, "webhook-id").
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from council.dbtypes import JSONText, enum_type
from council.directory.models import Organisation, User
from council.extensions import Model
from council.sealing import WEBHOOK_PURPOSE, seal, unseal
from council.timeutil import utcnow


class WebhookEvent(StrEnum):
    """The kinds of event webhook endpoints record (stored as these strings in event.kind)."""

    REGISTERED = "webhook.registered"
    SECRET_ROTATED = "webhook.secret_rotated"  # noqa: S105  an event kind, not a secret
    DEACTIVATED = "webhook.deactivated"
    DISABLED = "webhook.disabled"  # failing for days: turned off by the platform, its owner told
    REDELIVERED = "webhook.redelivered"
    # Its owner may no longer register it (revoked their last token, left its organisation, lost the
    # secretary's role): turned off by the platform, its owner told.
    ACCESS_LOST = "webhook.access_lost"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker, committed before the HTTP request
    DELIVERED = "delivered"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return str(DELIVERY_STATE_LABELS[self])


DELIVERY_STATE_LABELS = {
    DeliveryState.PENDING: _l("Waiting"),
    DeliveryState.SENDING: _l("Being delivered"),
    DeliveryState.DELIVERED: _l("Delivered"),
    DeliveryState.FAILED: _l("Failed"),
}


class DisabledReason(StrEnum):
    TURNED_OFF = "turned_off"
    FAILING = "failing"
    NO_ACCESS = "no_access"

    @property
    def label(self) -> str:
        return str(DISABLED_REASON_LABELS[self])


DISABLED_REASON_LABELS = {
    DisabledReason.TURNED_OFF: _l("Turned off by its owner or a secretary."),
    DisabledReason.FAILING: _l("Turned off by the platform: every delivery failed for three days."),
    DisabledReason.NO_ACCESS: _l("Turned off by the platform: the person who registered it no longer "
                                 "holds an active personal access token for its organisation, or no "
                                 "longer belongs to it."),
}


class WebhookEndpoint(Model):
    """Where a system wants to hear about changes, and what it wants to hear about.

    `organisation_id` set: the endpoint of an organisation's own system, told only about that
    organisation's commitments; unset: a council-wide endpoint a secretary registered.
    """

    __tablename__ = "webhook_endpoint"
    __table_args__ = (Index("ix_webhook_endpoint_council", "council_id", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    url: Mapped[str] = mapped_column(String(500))
    kinds: Mapped[list[str]] = mapped_column(JSONText, default=list)
    # Standard Webhooks secrets ("whsec_" + base64), sealed (encrypted under a key derived from the
    # secret key, as the TOTP secrets are: council/sealing.py; read them through `secret` and
    # `previous_secret`). After a rotation the previous one signs too until previous_secret_until, so a
    # receiver can switch without losing a delivery.
    secret_sealed: Mapped[str] = mapped_column(String(255))
    previous_secret_sealed: Mapped[str | None] = mapped_column(String(255))
    previous_secret_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[DisabledReason | None] = mapped_column(enum_type(DisabledReason))
    # Since when every delivery failed (None after a success): three days of it disable the endpoint.
    failing_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def secret(self) -> str | None:
        """The signing secret in clear, for this use only; None if no key at hand opens it."""
        return unseal(self.secret_sealed, WEBHOOK_PURPOSE) if self.secret_sealed else None

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_sealed = seal(value, WEBHOOK_PURPOSE)

    @property
    def previous_secret(self) -> str | None:
        if not self.previous_secret_sealed:
            return None
        return unseal(self.previous_secret_sealed, WEBHOOK_PURPOSE)

    @previous_secret.setter
    def previous_secret(self, value: str | None) -> None:
        self.previous_secret_sealed = seal(value, WEBHOOK_PURPOSE) if value else None

    def secrets(self, now: datetime) -> list[str]:
        """The secrets that sign a delivery now: the current one, and the previous one for a while (a
        secret no key opens signs nothing)."""
        previous = self.previous_secret if self.previous_secret_until \
            and self.previous_secret_until > now else None
        return [secret for secret in (self.secret, previous) if secret]


class WebhookDelivery(Model):
    """One event for one endpoint: an outbox row with its delivery log (attempts, answer, error)."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_due", "state", "next_attempt_at"),
        Index("ix_webhook_delivery_log", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    webhook_id: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(60))
    # The body, as sent at every attempt: {"type", "timestamp", "data"} (Standard Webhooks).
    payload: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    state: Mapped[DeliveryState] = mapped_column(enum_type(DeliveryState), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    claimed_until: Mapped[datetime | None]
    response_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]

    endpoint: Mapped[WebhookEndpoint] = relationship()
