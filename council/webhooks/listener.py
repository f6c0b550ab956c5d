"""The events listener: a delivery row for each endpoint that wants an event, in the event's transaction.

So a webhook exists exactly when the change does; the workers are asked to deliver it after commit
(council.notifications.outbox), and the sweep catches whatever the broker missed.

It also hears when a person may no longer keep the endpoints they registered (a token revoked, a
change of organisation, role or access) and turns those endpoints off, in the same transaction.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from council.api.models import ApiToken, TokenEvent
from council.auth.permissions import can
from council.directory.models import DirectoryEvent, User
from council.events import Event
from council.extensions import db
from council.notifications.outbox import deliver_after_commit
from council.webhooks import payloads, services
from council.webhooks.catalogue import SUBJECT_OF_KIND
from council.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from council.webhooks.services import DELIVER_TASK


def _may_see(owner: User, endpoint: WebhookEndpoint, subject_type: str, record: object) -> bool:
    """The endpoint hears only what its owner may read through the API (drafts of meetings they may
    not see are not told), and an organisation's endpoint only that organisation's commitments."""
    if endpoint.organisation_id is not None and (
            subject_type != "commitment"
            or getattr(record, "organisation_id", None) != endpoint.organisation_id):
        return False
    if subject_type == "meeting":
        return can(owner, "meeting.view", record)
    return can(owner, "tracker.view", endpoint.council_id)


# Events after which a person may no longer hold the endpoints they registered.
ACCESS_CHANGES = {TokenEvent.REVOKED.value: ApiToken, DirectoryEvent.PERSON_UPDATED.value: User,
                  DirectoryEvent.PERSON_ANONYMISED.value: User}


def _access_changed(event: Event) -> None:
    subject = db.session.get(ACCESS_CHANGES[event.kind], event.subject_id)
    person = subject.user if isinstance(subject, ApiToken) else subject
    if isinstance(person, User):
        services.stop_without_access(person)


def on_event(event: Event) -> None:
    if event.kind in ACCESS_CHANGES:
        _access_changed(event)
        return
    subject_type = SUBJECT_OF_KIND.get(event.kind)
    if subject_type is None or subject_type != event.subject_type or event.council_id is None:
        return
    endpoints = [endpoint for endpoint in db.session.scalars(
        select(WebhookEndpoint).join(User, User.id == WebhookEndpoint.owner_id)
        .where(WebhookEndpoint.council_id == event.council_id, WebhookEndpoint.active.is_(True),
               User.active.is_(True)))
        if event.kind in endpoint.kinds]
    if not endpoints:
        return
    record = payloads.load(subject_type, event.subject_id)
    if record is None:
        return
    body = payloads.body(event.kind, event.created_at, subject_type, record)
    rows = [WebhookDelivery(endpoint_id=endpoint.id, event_id=event.id, kind=event.kind,
                            webhook_id=f"msg_{uuid.uuid4().hex}", payload=body,
                            state=DeliveryState.PENDING, created_at=event.created_at)
            for endpoint in endpoints if _may_see(endpoint.owner, endpoint, subject_type, record)]
    if not rows:
        return
    db.session.add_all(rows)
    db.session.flush()
    deliver_after_commit([row.id for row in rows], DELIVER_TASK)
