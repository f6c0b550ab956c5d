"""Notifications: who hears about which event, people's choices, the outbox, digests and reminders."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Listen to domain events, hand committed e-mails to Celery, and serve the pages."""
    from council import events

    # Importing `commitments` and `meetings` registers their sections of digests and their reminders.
    from council.notifications import commitments, meetings, outbox, services, views  # noqa: F401

    events.listen(services.on_event)
    events.listen(services.settle_requests)
    outbox.install_session_hooks()
    app.register_blueprint(views.bp)
