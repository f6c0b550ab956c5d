"""REST API v1 at /api/v1: personal access tokens, JSON resources, and their OpenAPI document.

Resources call the same services as the web pages, so the same permission rules and transitions hold.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

API_DESCRIPTION = """\
The council's tracker, directory and meetings for the systems of ministries, akimats and hyakimliks.

**Authentication.** Create a personal access token on your profile page and send it as
`Authorization: Bearer <token>`. A *read* token may only read; a *read-write* token may also change
what you may change on the web pages. Session cookies are not accepted.

**Lists** are paginated (`page`, `per_page` ≤ 100) in a stable order, and take the same filters as the
web lists.

**Caching.** Every read carries an `ETag`; send it back in `If-None-Match` to get `304 Not Modified`.

**Changes.** `POST` creates (`201` with `Location`), `PATCH` edits: the fields sent replace the
record's, the others keep their value (a text object replaces the text in every language). A `PATCH`
must send the record's `ETag` (from `GET`, or the last change's answer) in `If-Match`: `412` when the
record changed since, `428` without it, so nobody's change is overwritten unseen. Every `POST` takes
an optional `Idempotency-Key` header (e.g. a UUID): a retry with the same key and body within 24 hours
gets the first answer again (`Idempotent-Replayed: true`) and makes nothing twice; the same key with
another body is refused with `422`.

**Rate limits** apply per token; over the limit the answer is `429` with `Retry-After` (seconds).

**Errors** are JSON: `{"error": {"status", "message", "field", "errors"}}` — `422` for invalid input
(naming the field), `401` without a valid token, `403` when you may not, `404` for an unknown id,
`409` for a state change that is not allowed, `412`/`428` for `If-Match`, `415` for a body that is
not JSON.

**Privacy.** No e-mail address is published except your own (`GET /api/v1/me`).
"""


def init_api(app: Flask) -> None:
    """Bind the API to the app: its settings, resources, OpenAPI document and documentation page."""
    # Importing the resource modules adds their routes to the blueprints above.
    from council.api import (  # noqa: F401
        conversations,
        directory,
        meeting_writes,
        meetings,
        tracker,
        tracker_writes,
        translations,
        views,
    )
    from council.api.spec import CouncilApi

    settings: dict[str, Any] = {
        "API_TITLE": "Council API",
        "API_VERSION": "1.0",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "info": {"description": API_DESCRIPTION},
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A personal access token from your profile page."}}},
        },
    }
    for key, value in settings.items():
        app.config.setdefault(key, value)
    api = CouncilApi(app)
    for blueprint in (*directory.BLUEPRINTS, *tracker.BLUEPRINTS, *meetings.BLUEPRINTS,
                      *translations.BLUEPRINTS, *conversations.BLUEPRINTS):
        api.register_blueprint(blueprint)
    app.register_blueprint(views.bp)
