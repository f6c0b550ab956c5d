"""What every API blueprint shares: token authentication, the per-token rate limit, no CSRF (no
cookies are read), bodies in JSON only, conditional GET with ETag / If-None-Match, and rate-limit
headers."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint
from werkzeug.exceptions import UnsupportedMediaType
from werkzeug.wrappers import Response

from council.api import access
from council.extensions import csrf, limiter

API_PREFIX = "/api/v1"
# Record ids in paths: a number the database can hold, so a huge one is a 404 rather than an error.
ID = "int(min=1, max=2147483647)"


def resource_blueprint(name: str, import_name: str, description: str) -> Blueprint:
    blueprint = Blueprint(name, import_name, url_prefix=API_PREFIX, description=description)
    blueprint.before_request(access.authenticate)
    blueprint.before_request(_json_body)
    blueprint.after_request(_conditional_get)
    blueprint.after_request(_rate_limit_headers)
    csrf.exempt(blueprint)
    limiter.shared_limit(access.rate_limit, scope="api-v1", key_func=access.rate_limit_key)(blueprint)
    return blueprint


def _json_body() -> None:
    """A change is sent as JSON: any other body (a form, text, bytes) is refused with 415 rather than
    read as an empty document and refused field by field."""
    if request.method not in access.READ_METHODS and not request.is_json:
        raise UnsupportedMediaType()


def _conditional_get(response: Response) -> Response:
    """Reads carry an ETag; a client that sends it back in If-None-Match gets 304 and no body."""
    response.vary.add("Authorization")
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.headers["Cache-Control"] = "private, no-cache"
        response.add_etag()
        response.make_conditional(request)
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


def _rate_limit_headers(response: Response) -> Response:
    current = limiter.current_limit
    if current is not None:
        response.headers["X-RateLimit-Limit"] = str(current.limit.amount)
        response.headers["X-RateLimit-Remaining"] = str(max(0, current.remaining))
        response.headers["X-RateLimit-Reset"] = str(int(current.reset_at))
    return response
