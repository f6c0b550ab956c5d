"""What a browser or a proxy may keep of a private page, and a fresh CSRF token for every sign-in.

A signed-in person's pages and every export carry `Cache-Control: no-store`, so the next person at a
shared computer (or a proxy between) cannot bring them back from a cache after sign-out. Static files
and the public portal's pages stay cacheable; the API (tokens, not sessions) keeps its ETags.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, request, session
from flask_login import user_logged_in
from werkzeug.wrappers import Response

# Downloads the app writes: CSV, XLSX, ICS, DOCX, PDF.
EXPORT_TYPES = frozenset({
    "text/csv", "text/calendar", "application/pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
})


def is_export(response: Response) -> bool:
    return response.mimetype in EXPORT_TYPES or "Content-Disposition" in response.headers


def keep_private(response: Response) -> Response:
    if request.endpoint is None or request.endpoint.endswith("static"):
        return response
    if request.path.startswith("/api/"):  # tokens, not browser sessions: the API sets its own (ETags)
        return response
    if "no-store" in (response.headers.get("Cache-Control") or ""):
        return response
    # send_file's own `no-cache` still lets a browser keep the file on disk: replaced too. A session
    # naming a person is a signed-in browser; asking the session rather than the database keeps this
    # hook from failing (a 500 after the page) while the database is unreachable.
    if is_export(response) or session.get("_user_id") is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


def rotate_csrf_token(sender: Flask, **extra: Any) -> None:
    """A token seen before sign-in (by a page an attacker planted, or a shared computer's last user)
    must not be valid afterwards: Flask-WTF makes a new one on the next form."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)


def register(app: Flask) -> None:
    app.after_request(keep_private)
    user_logged_in.connect(rotate_csrf_token, app)
