"""The OpenAPI document: flask-smorest's, with the conventions every operation shares written in."""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin
from flask_smorest import Api

from council.api.schemas import ErrorSchema

READ_METHODS = ("get", "head")
RATE_LIMITED = "RATE_LIMITED"
UNAUTHENTICATED = "UNAUTHENTICATED"
UNAVAILABLE = "DATABASE_UNAVAILABLE"
# The refusals operations share, each with the error body. 403 and 422 may answer any operation: a
# second factor to set up first (council.api.access), a NUL character in any query argument
# (council.input_checks).
ERRORS = {"400": "The body is not JSON.",
          "403": "You may not do this (the message says who can).",
          "404": "There is no such record in your council.",
          "413": "The body is too large.",
          "415": "The body is not sent as `application/json`.",
          "422": "Invalid input; `field` names the first field at fault."}


class SharedResponsesPlugin(BasePlugin):
    """Documents on each operation every status the API's shared machinery may answer, and no catch-all
    `default`, so that a client (or a fuzzer) can tell an answer the document does not state: 401
    without a valid token, 403 and 422 on every operation, 404 for an unknown id, 400, 413 and 415 for
    a body that is not JSON of a bearable size, 429 over the rate limit, 503 while the database is
    unreachable (council.outages), on reads the ETag, If-None-Match and 304, on every POST the optional
    Idempotency-Key, and on every PATCH the required If-Match and the new ETag (council.api.writes)."""

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         **kwargs: Any) -> None:
        for method, operation in (operations or {}).items():
            responses = operation.setdefault("responses", {})
            responses.pop("default", None)
            present = {str(code) for code in responses}

            def add(code: str, response: Any, present: set[str] = present,
                    responses: dict[Any, Any] = responses) -> None:
                if code not in present:
                    responses[code] = response

            add("401", UNAUTHENTICATED)
            add("429", RATE_LIMITED)
            add("503", UNAVAILABLE)
            add("403", "ERROR_403")
            add("422", "ERROR_422")
            if path and "{" in path:
                add("404", "ERROR_404")
            if "requestBody" in operation:
                for code in ("400", "413", "415"):
                    add(code, f"ERROR_{code}")
            if method == "post":
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            if method == "patch":
                # If-Match is required (428 without it): an edit never overwrites another unseen.
                operation.setdefault("parameters", []).append("IF_MATCH")
                for code, response in responses.items():
                    if str(code) == "200" and isinstance(response, dict):
                        response.setdefault("headers", {})["ETag"] = "ETAG"
            if method in READ_METHODS:
                add("304", "NOT_MODIFIED")
                operation.setdefault("parameters", []).append("IF_NONE_MATCH")
                for code, response in responses.items():
                    if str(code) == "200" and isinstance(response, dict):
                        response.setdefault("headers", {})["ETag"] = "ETAG"


IDEMPOTENCY_KEY = "IDEMPOTENCY_KEY"
IDEMPOTENCY_KEY_PARAMETER = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "Any unique string (e.g. a UUID) for this request. A retry with the same key and the "
                   "same body (same token, within 24 hours) is answered with the first answer, marked "
                   "`Idempotent-Replayed: true`, and makes nothing twice; the same key with another "
                   "request is refused with 422. A refusal is not kept: a corrected request may reuse it.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}


class ReasonRequiredPlugin(BasePlugin):
    """A status change that needs a reason says so in the schema, not only in prose: one branch for the
    statuses that need a non-blank reason (`reason`, or the schema's REASON_FIELD), one for the others
    (the service refuses the same with 422). A schema with STATUSES lists only those as its status."""

    def schema_helper(self, name: str, definition: dict[str, Any], **kwargs: Any) -> dict[str, Any] | None:
        schema = kwargs.get("schema")
        needing = getattr(schema, "REASON_REQUIRED_FOR", None)
        if not needing:
            return None
        field = getattr(schema, "REASON_FIELD", "reason")
        status = definition["properties"]["status"]
        allowed = getattr(schema, "STATUSES", None)
        if allowed:
            status["enum"] = [*sorted(item.value for item in allowed),
                              *([None] if None in status["enum"] else [])]
        required = sorted(item.value for item in needing)
        others = [item for item in status["enum"] if item not in required]
        return {"oneOf": [
            {"properties": {"status": {"enum": required}, field: {"type": "string", "pattern": "\\S"}},
             "required": ["status", field]},
            {"properties": {"status": {"enum": others}}},
        ]}


class CouncilApi(Api):
    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # each operation lists its real statuses (SharedResponsesPlugin)

    def _init_spec(self, **options: Any) -> None:
        options["extra_plugins"] = [*options.get("extra_plugins", ()), SharedResponsesPlugin(),
                                    ReasonRequiredPlugin()]
        super()._init_spec(**options)
        self.spec.components.parameter(IDEMPOTENCY_KEY, "header", IDEMPOTENCY_KEY_PARAMETER, lazy=True)
        error = {"application/json": {"schema": ErrorSchema}}
        self.spec.components.response(UNAUTHENTICATED, {
            "description": "No valid token: send `Authorization: Bearer <token>`.",
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}, "required": True}},
            "content": error}, lazy=True)
        retry_after = {"description": "Seconds to wait before the next request.",
                       "schema": {"type": "integer", "minimum": 1}, "required": True}
        self.spec.components.response(UNAVAILABLE, {
            "description": "The database is briefly unreachable; nothing of the request was kept.",
            "headers": {"Retry-After": retry_after}, "content": error}, lazy=True)
        for code, description in ERRORS.items():
            self.spec.components.response(f"ERROR_{code}", {"description": description,
                                                            "content": error}, lazy=True)
        self.spec.components.response(RATE_LIMITED, {
            "description": "Too many requests with this token.",
            "headers": {"Retry-After": retry_after}, "content": error}, lazy=True)
