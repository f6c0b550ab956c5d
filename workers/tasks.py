"""Task entry points: thin, take ids, open an app context (FlaskTask), call a service, safe twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from celery import shared_task


@shared_task(name="council.ping", acks_late=True)
def ping() -> str:
    """A task the health checks and tests use to prove a worker answers."""
    return "pong"


@shared_task(name="council.notifications.deliver", bind=True, acks_late=True, max_retries=None)
def deliver_notification(self: Any, notification_id: int) -> str:
    """Send one outbox row; on an SMTP error, come back after the row's backoff."""
    from council.notifications import outbox

    outcome = outbox.deliver(notification_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        # In-process (no broker) the sweep retries instead: a countdown cannot wait there.
        raise self.retry(countdown=outcome.retry_in)
    return "sent" if outcome.sent else "failed" if outcome.failed else \
        "retry" if outcome.retry_in is not None else "skipped"


@shared_task(name="council.notifications.deliver_many", bind=True, acks_late=True)
def deliver_notifications(self: Any, notification_ids: list[int]) -> int:
    """Send several outbox rows over one SMTP session (a digest batch's); a row that failed comes back
    on its own after its backoff. Returns how many were sent."""
    from council.notifications import outbox

    outcomes = outbox.deliver_many(notification_ids)
    for notification_id, outcome in outcomes.items():
        if outcome.retry_in is not None and not self.request.is_eager:  # eager: the sweep retries
            outbox.dispatch(outbox.DELIVER_TASK, notification_id, countdown=outcome.retry_in)
    return sum(outcome.sent for outcome in outcomes.values())


@shared_task(name="council.notifications.sweep", acks_late=True)
def sweep_outbox() -> int:
    """Re-queue every pending e-mail that should have gone by now (beat, every minute)."""
    from council.notifications import outbox
    from council.operations.status import record_run

    queued = outbox.sweep()
    record_run("sweep")
    return queued


@shared_task(name="council.digests.plan", acks_late=True)
def plan_digests(at: str | None = None) -> int:
    """Hand the people whose digest (or round-up) is due to `council.digests.send` (or
    `council.roundups.send`), in batches of ids."""
    from council.notifications import digests, roundup
    from council.operations.status import record_run

    moment = datetime.fromisoformat(at) if at else None
    planned = digests.plan(moment) + roundup.plan(moment)
    record_run("digests")
    return planned


@shared_task(name="council.digests.send", acks_late=True)
def send_digests(user_ids: list[int], at: str) -> int:
    from council.notifications import digests

    return digests.send_due(user_ids, datetime.fromisoformat(at))


@shared_task(name="council.roundups.send", acks_late=True)
def send_roundups(user_ids: list[int], at: str) -> int:
    from council.notifications import roundup

    return roundup.send_due(user_ids, datetime.fromisoformat(at))


@shared_task(name="council.reminders.send", acks_late=True)
def send_reminders(at: str | None = None) -> int:
    from council.notifications import reminders
    from council.operations.status import record_run

    written = reminders.send_reminders(datetime.fromisoformat(at) if at else None)
    record_run("reminders")
    return written


@shared_task(name="council.reports.generate", acks_late=True)
def generate_report(version_id: int) -> str:
    """Write a requested progress report's DOCX and PDF (its version records how far it got)."""
    from council.reports import services

    return services.generate(version_id)


@shared_task(name="council.reports.quarterly", acks_late=True)
def quarterly_reports() -> int:
    """Each working group's report for the quarter just ended, then e-mailed to its co-chairs (beat)."""
    from council.notifications.outbox import dispatch
    from council.reports import schedule

    planned = schedule.plan_quarterly()
    for version_id in planned:
        dispatch("council.reports.generate", version_id)
    return len(planned)


@shared_task(name="council.webhooks.deliver", bind=True, acks_late=True, max_retries=None)
def deliver_webhook(self: Any, delivery_id: int) -> str:
    """Deliver one webhook; on a refusal, come back after the row's backoff."""
    from council.webhooks import delivery

    outcome = delivery.deliver(delivery_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    return "delivered" if outcome.delivered else "failed" if outcome.failed else \
        "retry" if outcome.retry_in is not None else "skipped"


@shared_task(name="council.webhooks.sweep", acks_late=True)
def sweep_webhooks() -> int:
    """Re-queue every webhook delivery that should have gone by now (beat, every minute)."""
    from council.webhooks import delivery

    return delivery.sweep()


@shared_task(name="council.api.clear_idempotency_keys", acks_late=True)
def clear_idempotency_keys() -> int:
    """Delete the API's expired Idempotency-Keys, in batches (beat, hourly)."""
    from council.api import writes

    return writes.clear_expired_keys()
