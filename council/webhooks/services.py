"""Rules of webhook endpoints: registering one, rotating its secret, turning it off, redelivering."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, select

from council import events
from council.auth.permissions import can, is_secretary, require
from council.directory.models import Council, Organisation, PlatformRole, User
from council.errors import Conflict, NotFound, Problems, ValidationFailed
from council.extensions import db
from council.notifications.outbox import deliver_after_commit
from council.timeutil import utcnow
from council.webhooks import targets
from council.webhooks.catalogue import ALL_KINDS, ORGANISATION_SUBJECTS, SUBJECT_OF_KIND
from council.webhooks.models import (
    DeliveryState,
    DisabledReason,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from council.webhooks.permissions import Scope

DELIVER_TASK = "council.webhooks.deliver"
MAX_NAME_LENGTH = 80
SECRET_PREFIX = "whsec_"  # noqa: S105  the Standard Webhooks prefix, not a secret


def new_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def allow_private() -> bool:
    return bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE"])


# Reading ------------------------------------------------------------------------------------------


def endpoints_for(reader: User) -> Select[Any]:
    """The endpoints the reader looks after: all of the council's for its secretaries, else their own."""
    require(reader, "webhook.list", reader.council_id)
    query = select(WebhookEndpoint).where(WebhookEndpoint.council_id == reader.council_id)
    if not is_secretary(reader, reader.council_id) and reader.role != PlatformRole.ADMIN:
        query = query.where(WebhookEndpoint.owner_id == reader.id)
    return query.order_by(WebhookEndpoint.active.desc(), WebhookEndpoint.id.desc())


def get_endpoint(reader: User, endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.council_id != reader.council_id:
        raise NotFound(_("There is no such webhook endpoint."))
    require(reader, "webhook.manage", endpoint)
    return endpoint


def deliveries_of(endpoint: WebhookEndpoint) -> Select[Any]:
    """The endpoint's delivery log, newest first."""
    return (select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.id.desc()))


def organisations_for(reader: User) -> list[Organisation]:
    """The organisations an endpoint of the reader may be limited to."""
    query = select(Organisation).where(Organisation.council_id == reader.council_id)
    if not is_secretary(reader, reader.council_id) and reader.role != PlatformRole.ADMIN:
        query = query.where(Organisation.id == reader.organisation_id)
    return list(db.session.scalars(query.order_by(Organisation.code)))


# Changing -----------------------------------------------------------------------------------------


def _kinds(kinds: Iterable[str], organisation_id: int | None) -> list[str]:
    chosen = [kind for kind in ALL_KINDS if kind in set(kinds)]
    if not chosen or len(chosen) != len(set(kinds)):
        raise ValidationFailed(_("Choose at least one kind of event, from the list."), field="kinds")
    if organisation_id is not None and any(SUBJECT_OF_KIND[kind] not in ORGANISATION_SUBJECTS
                                           for kind in chosen):
        raise ValidationFailed(_("An organisation's endpoint hears about the organisation's "
                                 "commitments only: choose commitment events."), field="kinds")
    return chosen


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Name the endpoint after the system that receives it."), field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(_("Use at most %(count)d characters.", count=MAX_NAME_LENGTH), field="name")
    return name


def register(actor: User, council: Council, *, name: str, url: str, kinds: Iterable[str],
             organisation_id: int | None) -> WebhookEndpoint:
    """Register an endpoint; its secret is on the endpoint (shown to its owner to copy)."""
    if organisation_id is not None:
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None or organisation.council_id != council.id:
            raise ValidationFailed(_("Choose an organisation from the list."), field="organisation_id")
    require(actor, "webhook.register", Scope(council.id, organisation_id))
    problems = Problems()
    name = problems.check(_name, name) or ""
    url = problems.check(targets.checked, url, allow_private=allow_private()) or ""
    chosen = problems.check(_kinds, list(kinds), organisation_id) or []
    problems.raise_any()
    endpoint = WebhookEndpoint(council_id=council.id, owner_id=actor.id, organisation_id=organisation_id,
                               name=name, url=url, kinds=chosen, secret=new_secret(), active=True,
                               created_at=utcnow())
    db.session.add(endpoint)
    events.record(WebhookEvent.REGISTERED, endpoint, actor, council_id=council.id, name=name, url=url,
                  kinds=chosen, organisation_id=organisation_id)
    return endpoint


def rotate_secret(actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret signs from now on; the previous one also signs for a day, so the receiving system
    can switch to the new one without refusing a delivery."""
    require(actor, "webhook.manage", endpoint)
    now = utcnow()
    endpoint.previous_secret_sealed = endpoint.secret_sealed
    endpoint.previous_secret_until = now + timedelta(
        seconds=current_app.config["WEBHOOK_PREVIOUS_SECRET_SECONDS"])
    endpoint.secret = new_secret()
    events.record(WebhookEvent.SECRET_ROTATED, endpoint, actor, council_id=endpoint.council_id,
                  name=endpoint.name)
    return endpoint


def _stop_pending(endpoint: WebhookEndpoint, reason: str) -> None:
    now = utcnow()
    for delivery in db.session.scalars(select(WebhookDelivery).where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.state.in_((DeliveryState.PENDING, DeliveryState.SENDING)))):
        delivery.state = DeliveryState.FAILED
        delivery.failed_at = now
        delivery.claimed_until = None
        delivery.last_error = reason


def deactivate(actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    require(actor, "webhook.manage", endpoint)
    if not endpoint.active:
        raise Conflict(_("This endpoint is already turned off."))
    endpoint.active = False
    endpoint.disabled_at = utcnow()
    endpoint.disabled_reason = DisabledReason.TURNED_OFF
    _stop_pending(endpoint, "The endpoint was turned off.")
    events.record(WebhookEvent.DEACTIVATED, endpoint, actor, council_id=endpoint.council_id,
                  name=endpoint.name)
    return endpoint


def stop_without_access(owner: User) -> list[WebhookEndpoint]:
    """Turn off the owner's endpoints that they may no longer register (their last personal access
    token revoked, their organisation left, their secretary's role or their account gone), and tell
    them (council.notifications hears "webhook.access_lost"). Called on the events that change that."""
    stopped = []
    for endpoint in db.session.scalars(select(WebhookEndpoint).where(
            WebhookEndpoint.owner_id == owner.id, WebhookEndpoint.active.is_(True))).all():
        if can(owner, "webhook.register", Scope(endpoint.council_id, endpoint.organisation_id)):
            continue
        endpoint.active = False
        endpoint.disabled_at = utcnow()
        endpoint.disabled_reason = DisabledReason.NO_ACCESS
        _stop_pending(endpoint, "The endpoint was turned off: its owner may no longer register it.")
        events.record(WebhookEvent.ACCESS_LOST, endpoint, None, council_id=endpoint.council_id,
                      owner_id=owner.id, code=endpoint.name, url=endpoint.url)
        stopped.append(endpoint)
    return stopped


def redeliver(actor: User, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again, with the same webhook id (a receiver that has it already can tell)."""
    require(actor, "webhook.manage", endpoint)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        raise NotFound(_("There is no such delivery."))
    if not endpoint.active or not endpoint.owner.active:
        raise Conflict(_("This endpoint is turned off: nothing is sent to it."))
    if delivery.state in (DeliveryState.PENDING, DeliveryState.SENDING):
        raise Conflict(_("This delivery is still being tried; wait for its result."))
    delivery.state = DeliveryState.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    delivery.failed_at = None
    delivery.claimed_until = None
    events.record(WebhookEvent.REDELIVERED, endpoint, actor, council_id=endpoint.council_id,
                  delivery_id=delivery.id, webhook_id=delivery.webhook_id)
    deliver_after_commit([delivery.id], DELIVER_TASK)
    return delivery


def failing_endpoints(council_id: int | None, limit: int = 50) -> list[WebhookEndpoint]:
    """For the operators' status page: active endpoints whose deliveries are failing, and those the
    platform turned off for failing (longest failing first)."""
    return list(db.session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.council_id == council_id,
            (WebhookEndpoint.active.is_(True) & WebhookEndpoint.failing_since.is_not(None))
            | (WebhookEndpoint.disabled_reason == DisabledReason.FAILING))
        .order_by(WebhookEndpoint.active.desc(), WebhookEndpoint.failing_since).limit(limit)))
