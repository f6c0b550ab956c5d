"""Webhooks: endpoints of other systems, signed deliveries of domain events through an outbox, and
their delivery log."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Listen to domain events, describe the webhooks in the OpenAPI document, serve the pages."""
    from council import events
    from council.webhooks import listener, spec, views

    events.listen(listener.on_event)
    spec.describe(app)
    app.register_blueprint(views.bp)
