"""Task entry points: thin, take ids, open an app context (FlaskTask), call a service, safe twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="council.ping", acks_late=True)
def ping() -> str:
    """A task the health checks and tests use to prove a worker answers."""
    return "pong"
