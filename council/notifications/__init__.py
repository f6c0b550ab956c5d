"""Notifications: who hears about which event, people's choices, the outbox, digests and reminders."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Listen to domain events, hand committed e-mails to Celery, and serve the pages."""
    from council import events

    # Importing `changes`, `commitments`, `conversations` and `meetings` registers their sections of
    # digests and reminders.
    from council.notifications import (  # noqa: F401
        changes,
        commitments,
        conversations,
        meetings,
        outbox,
        services,
        views,
    )

    events.listen(services.on_event)
    events.listen(services.settle_requests)
    outbox.install_session_hooks()
    app.register_blueprint(views.bp)
