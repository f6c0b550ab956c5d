"""Every API error is JSON of one shape: {"error": {"status", "message", "field", "errors"}}.

`field` names the first field at fault (null when the request as a whole is refused); `errors` lists the
messages of every field at fault, keyed by field name ("title.ru" for a nested one).
"""

from __future__ import annotations

import math
import time
from typing import Any

from flask import jsonify
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from council.errors import DomainError
from council.extensions import db, limiter
from council.http_messages import standard_message

# The parts of a request that webargs names in its messages; the API names fields without them.
_LOCATIONS = ("json", "query", "querystring", "headers", "view_args", "form", "files")
_WHOLE_BODY = "_schema"


def json_error(status: int, message: str, *, field: str | None = None,
               errors: dict[str, list[str]] | None = None,
               headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"status": status, "message": message, "field": field}
    if errors:
        body["errors"] = errors
    response = jsonify(error=body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def domain_error(error: DomainError) -> Response:
    """A service refused: nothing of the request is kept, and the message says why."""
    db.session.rollback()
    errors: dict[str, list[str]] = {}
    for problem in error.problems:
        if problem.field:
            errors.setdefault(problem.field, []).append(problem.message)
    return json_error(error.status_code, error.message, field=error.field, errors=errors or None)


def http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        db.session.rollback()
    data = getattr(error, "data", None) or {}
    errors = flatten_messages(data.get("messages") or data.get("errors") or {})
    headers: dict[str, str] = {}
    message = standard_message(status, error)
    field = None
    if errors:
        field = next((name for name in errors if name != _WHOLE_BODY), None)
        message = errors[field][0] if field else errors[_WHOLE_BODY][0]
        errors.pop(_WHOLE_BODY, None)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="council"'
    elif status == 405:
        allowed = getattr(error, "valid_methods", None)
        if allowed:
            headers["Allow"] = ", ".join(sorted(allowed))
    elif status == 429:
        headers["Retry-After"] = str(retry_after())
        message = _("Too many requests for this token. Wait %(seconds)s seconds and try again.",
                    seconds=headers["Retry-After"])
    return json_error(status, message, field=field, errors=errors or None, headers=headers)


def retry_after() -> int:
    """Seconds until the rate limit this request hit lets requests through again."""
    limit = limiter.current_limit
    if limit is None:
        return 60
    return max(1, math.ceil(limit.reset_at - time.time()))


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs/marshmallow messages {location: {field: [msg] | {sub: [msg]}}} as {"field.sub": [msg]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            at_top = not prefix
            name = "" if at_top and key in _LOCATIONS else (str(key) if at_top else f"{prefix}.{key}")
            for inner, texts in flatten_messages(value, name).items():
                flat.setdefault(inner, []).extend(texts)
    elif isinstance(messages, list | tuple):
        texts = [str(text) for text in messages if not isinstance(text, dict | list)]
        if texts:
            flat.setdefault(prefix or _WHOLE_BODY, []).extend(texts)
        for item in messages:
            if isinstance(item, dict | list):
                for inner, more in flatten_messages(item, prefix).items():
                    flat.setdefault(inner, []).extend(more)
    elif messages:
        flat.setdefault(prefix or _WHOLE_BODY, []).append(str(messages))
    return flat
