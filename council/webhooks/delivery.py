"""Delivering webhooks: the outbox pattern of council.notifications.outbox, over HTTPS.

- A worker claims a row (one atomic UPDATE, committed: "sending", attempts + 1) before the request, so
  a retried task, the sweep and a second worker make one request between them.
- The request carries the Standard Webhooks headers: webhook-id (the row's, the same at every attempt),
  webhook-timestamp and webhook-signature (one signature per active secret, so a receiver keeps
  verifying while a rotated secret is replaced).
- A 2xx answer delivers it. Anything else (another status, a refused connection, a timeout, an address
  that now resolves to a private network) is retried with exponential backoff, then marked failed.
- A claim expires: a row still "sending" after it (its worker died between the receiver's answer and
  our commit) is sent again with the same webhook-id; receivers drop what they have already seen.
- An endpoint whose every delivery failed for three days is turned off and its owner told (an e-mail
  through the outbox, council.notifications); a deactivated person's endpoints receive nothing.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import ColumnElement, and_, or_, select, update
from standardwebhooks.webhooks import Webhook

from council import events
from council.errors import ValidationFailed
from council.extensions import db
from council.notifications.outbox import queue_deliveries
from council.timeutil import utcnow
from council.webhooks import targets
from council.webhooks.models import (
    DeliveryState,
    DisabledReason,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from council.webhooks.services import DELIVER_TASK, allow_private

logger = logging.getLogger(__name__)

USER_AGENT = "Council-Webhooks/1.0"
_CLOCK_TOLERANCE = timedelta(seconds=1)
# What is kept of an answer that refused a delivery, for the delivery log.
_ERROR_BODY_LENGTH = 300


@dataclass(frozen=True)
class Outcome:
    delivered: bool = False
    skipped: bool = False
    failed: bool = False
    retry_in: float | None = None


def backoff(attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones: 1, 2, 4, … times the base."""
    base = float(current_app.config["WEBHOOK_RETRY_BASE_SECONDS"])
    ceiling = float(current_app.config["WEBHOOK_RETRY_MAX_DELAY"])
    return float(min(base * 2 ** max(attempts - 1, 0), ceiling))


def _claimable(now: datetime) -> ColumnElement[bool]:
    max_attempts = current_app.config["WEBHOOK_MAX_ATTEMPTS"]
    return or_(
        and_(WebhookDelivery.state == DeliveryState.PENDING,
             or_(WebhookDelivery.next_attempt_at.is_(None),
                 WebhookDelivery.next_attempt_at <= now + _CLOCK_TOLERANCE)),
        and_(WebhookDelivery.state == DeliveryState.SENDING, WebhookDelivery.claimed_until < now,
             WebhookDelivery.attempts < max_attempts))


def claim(delivery_id: int, now: datetime) -> bool:
    lease = timedelta(seconds=current_app.config["WEBHOOK_CLAIM_SECONDS"])
    result = db.session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id == delivery_id, _claimable(now))
        .values(state=DeliveryState.SENDING, claimed_until=now + lease,
                attempts=WebhookDelivery.attempts + 1, last_attempt_at=now)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


class Refused(Exception):
    """The delivery was not accepted: the receiver's status (if it answered) and why."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def signed_headers(endpoint: WebhookEndpoint, webhook_id: str, body: bytes, now: datetime) -> dict[str, str]:
    """The Standard Webhooks headers, signed with every active secret of the endpoint."""
    signatures = " ".join(Webhook(secret).sign(webhook_id, now, body) for secret in endpoint.secrets(now))
    return {"webhook-id": webhook_id, "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signatures, "Content-Type": "application/json",
            "User-Agent": USER_AGENT}


class PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to one address checked beforehand, whatever the host name resolves to by the
    time it connects; the Host header still names the URL's host."""

    def __init__(self, host: str, port: int, address: targets.IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self.address), self.port), self.timeout)


class PinnedHTTPSConnection(PinnedHTTPConnection):
    """The same over TLS: the certificate is checked against the URL's host name (sent as SNI)."""

    default_port = 443

    def __init__(self, host: str, port: int, address: targets.IPAddress, timeout: float) -> None:
        super().__init__(host, port, address, timeout)
        self.context = ssl.create_default_context()

    def connect(self) -> None:
        super().connect()
        self.sock = self.context.wrap_socket(self.sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST the body; the receiver's status if it is 2xx, Refused otherwise. The host name is resolved
    once, checked, and the connection made to that address (DNS rebinding cannot slip a private address
    in between). Redirects are not followed (one could lead to a private address)."""
    # The delivery log keeps errors as the receiving system's operators read them: in English, as HTTP
    # and network errors are, whoever's language the worker last spoke.
    with force_locale("en"):
        try:
            parts = targets.parsed(url, allow_private=allow_private())
            address = targets.destination(parts, allow_private=allow_private())
        except ValidationFailed as error:  # registered while plain http was allowed, and it is not now
            raise Refused(error.message) from error
        except targets.Unreachable as error:
            raise Refused(str(error)) from error
    timeout = float(current_app.config["WEBHOOK_TIMEOUT_SECONDS"])
    https = parts.scheme == "https"
    kind = PinnedHTTPSConnection if https else PinnedHTTPConnection
    connection = kind(parts.hostname or "", parts.port or (443 if https else 80), address, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(_ERROR_BODY_LENGTH)
    except (OSError, http.client.HTTPException) as error:
        raise Refused(f"{error.__class__.__name__}: {error}") from error
    finally:
        connection.close()
    if not 200 <= response.status < 300:
        text = answer.decode("utf-8", "replace").strip()
        raise Refused(f"HTTP {response.status}" + (f": {text}" if text else ""), response.status)
    return int(response.status)


def deliver(delivery_id: int) -> Outcome:
    """Deliver one row if it is still due; safe to call any number of times, concurrently."""
    now = utcnow()
    if not claim(delivery_id, now):
        return Outcome(skipped=True)
    row = db.session.get(WebhookDelivery, delivery_id)
    if row is None:
        return Outcome(skipped=True)
    endpoint = row.endpoint
    if not endpoint.active or not endpoint.owner.active:
        return _stop(row, "The endpoint is turned off, or its owner's account is.")
    if not endpoint.secrets(now):
        db.session.rollback()
        return _record_failure(delivery_id, "The endpoint's signing secret cannot be opened with "
                               "COUNCIL_SECRET_KEY or its fallbacks: rotate its secret.", None)
    body = json.dumps(row.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    try:
        status = post(endpoint.url, body, signed_headers(endpoint, row.webhook_id, body, now))
    except Refused as error:
        db.session.rollback()
        return _record_failure(delivery_id, str(error), error.status)
    db.session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                      WebhookDelivery.state == DeliveryState.SENDING)
        .values(state=DeliveryState.DELIVERED, delivered_at=utcnow(), claimed_until=None,
                response_code=status, last_error=None)
        .execution_options(synchronize_session=False))
    db.session.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id)
                       .values(failing_since=None).execution_options(synchronize_session=False))
    db.session.commit()
    return Outcome(delivered=True)


def _stop(row: WebhookDelivery, reason: str) -> Outcome:
    row.state = DeliveryState.FAILED
    row.failed_at = utcnow()
    row.claimed_until = None
    row.last_error = reason
    db.session.commit()
    return Outcome(failed=True)


def _record_failure(delivery_id: int, error: str, status: int | None) -> Outcome:
    row = db.session.get(WebhookDelivery, delivery_id)
    if row is None:
        return Outcome(skipped=True)
    now = utcnow()
    row.last_error = error[:2000]
    row.response_code = status
    row.claimed_until = None
    endpoint = row.endpoint
    if endpoint.failing_since is None:
        endpoint.failing_since = now
    if row.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
        row.state = DeliveryState.FAILED
        row.failed_at = now
        outcome = Outcome(failed=True)
    else:
        row.state = DeliveryState.PENDING
        delay = backoff(row.attempts)
        row.next_attempt_at = now + timedelta(seconds=delay)
        outcome = Outcome(retry_in=delay)
    disable_if_failing(endpoint, now)
    db.session.commit()
    logger.warning("Webhook delivery %s to endpoint %s, attempt %s: %s", delivery_id, endpoint.id,
                   row.attempts, row.last_error)
    return outcome


def disable_if_failing(endpoint: WebhookEndpoint, now: datetime) -> bool:
    """Turn the endpoint off if every delivery to it failed for WEBHOOK_DISABLE_AFTER_SECONDS, and
    record it (its owner is told by e-mail: council.notifications hears "webhook.disabled")."""
    limit = timedelta(seconds=current_app.config["WEBHOOK_DISABLE_AFTER_SECONDS"])
    if not endpoint.active or endpoint.failing_since is None or now - endpoint.failing_since < limit:
        return False
    endpoint.active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = DisabledReason.FAILING
    for delivery in db.session.scalars(select(WebhookDelivery).where(
            WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.state == DeliveryState.PENDING)):
        delivery.state = DeliveryState.FAILED
        delivery.failed_at = now
        delivery.last_error = "The endpoint was turned off after failing for days."
    events.record(WebhookEvent.DISABLED, endpoint, None, council_id=endpoint.council_id,
                  owner_id=endpoint.owner_id, code=endpoint.name, url=endpoint.url,
                  days=int(limit.total_seconds() // 86400))
    logger.error("Webhook endpoint %s (%s) is turned off: failing since %s", endpoint.id, endpoint.url,
                 endpoint.failing_since.isoformat())
    return True


# The sweep ----------------------------------------------------------------------------------------


def _due(now: datetime, batch_size: int = 500) -> Iterator[list[int]]:
    grace = timedelta(seconds=current_app.config["NOTIFICATION_SWEEP_GRACE_SECONDS"])
    max_attempts = current_app.config["WEBHOOK_MAX_ATTEMPTS"]
    last_id = 0
    while True:
        ids = list(db.session.scalars(
            select(WebhookDelivery.id)
            .where(or_(and_(WebhookDelivery.state == DeliveryState.PENDING,
                            or_(WebhookDelivery.next_attempt_at.is_(None),
                                WebhookDelivery.next_attempt_at <= now - grace)),
                       and_(WebhookDelivery.state == DeliveryState.SENDING,
                            WebhookDelivery.claimed_until < now,
                            WebhookDelivery.attempts < max_attempts)),
                   WebhookDelivery.id > last_id)
            .order_by(WebhookDelivery.id).limit(batch_size)))
        db.session.rollback()
        if not ids:
            return
        yield ids
        last_id = ids[-1]


def _give_up_interrupted(now: datetime) -> None:
    """A row interrupted at its every attempt is marked failed rather than tried for ever."""
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.state == DeliveryState.SENDING, WebhookDelivery.claimed_until < now,
               WebhookDelivery.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"])
        .values(state=DeliveryState.FAILED, failed_at=now, claimed_until=None,
                last_error="Interrupted at every attempt; it may have been delivered.")
        .execution_options(synchronize_session=False))
    db.session.commit()


def _disable_failing(now: datetime) -> None:
    limit = timedelta(seconds=current_app.config["WEBHOOK_DISABLE_AFTER_SECONDS"])
    for endpoint in db.session.scalars(select(WebhookEndpoint).where(
            WebhookEndpoint.active.is_(True), WebhookEndpoint.failing_since <= now - limit)).all():
        disable_if_failing(endpoint, now)
    db.session.commit()


def sweep(now: datetime | None = None) -> int:
    """Queue every delivery that should have gone by now; turn off endpoints failing for days."""
    now = now or utcnow()
    _give_up_interrupted(now)
    _disable_failing(now)
    queued = 0
    for ids in _due(now):
        sent = queue_deliveries(ids, DELIVER_TASK)
        queued += sent
        if sent < len(ids):
            break
    return queued
