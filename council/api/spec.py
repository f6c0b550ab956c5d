"""The OpenAPI document: flask-smorest's, with the conventions every operation shares written in."""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin
from flask_smorest import Api

from council.api.schemas import ErrorSchema

READ_METHODS = ("get", "head")
RATE_LIMITED = "RATE_LIMITED"
UNAUTHENTICATED = "UNAUTHENTICATED"


class SharedResponsesPlugin(BasePlugin):
    """Documents on each operation what the API's shared machinery may answer: 401 without a valid
    token, 403 for a refused change, 404 for an unknown id, 400 for a body that is not JSON, 429 over
    the rate limit, and on reads the ETag, If-None-Match and 304."""

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         **kwargs: Any) -> None:
        for method, operation in (operations or {}).items():
            responses = operation.setdefault("responses", {})
            present = {str(code) for code in responses}

            def add(code: str, response: Any, present: set[str] = present,
                    responses: dict[Any, Any] = responses) -> None:
                if code not in present:
                    responses[code] = response

            add("401", UNAUTHENTICATED)
            add("429", RATE_LIMITED)
            add("403", "FORBIDDEN")
            if path and "{" in path:
                add("404", "NOT_FOUND")
            if "requestBody" in operation:
                add("400", "BAD_REQUEST")  # a body that is not JSON at all
            if method in READ_METHODS:
                add("304", "NOT_MODIFIED")
                operation.setdefault("parameters", []).append("IF_NONE_MATCH")
                for code, response in responses.items():
                    if str(code) == "200" and isinstance(response, dict):
                        response.setdefault("headers", {})["ETag"] = "ETAG"


class ReasonRequiredPlugin(BasePlugin):
    """A status change that needs a reason says so in the schema, not only in prose: one branch for the
    statuses that need a non-blank `reason`, one for the others (the service refuses the same with 422)."""

    def schema_helper(self, name: str, definition: dict[str, Any], **kwargs: Any) -> dict[str, Any] | None:
        needing = getattr(kwargs.get("schema"), "REASON_REQUIRED_FOR", None)
        if not needing:
            return None
        statuses = definition["properties"]["status"]["enum"]
        required = sorted(status.value for status in needing)
        return {"oneOf": [
            {"properties": {"status": {"enum": required},
                            "reason": {"type": "string", "pattern": "\\S"}},
             "required": ["status", "reason"]},
            {"properties": {"status": {"enum": [status for status in statuses if status not in required]}}},
        ]}


class CouncilApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _init_spec(self, **options: Any) -> None:
        options["extra_plugins"] = [*options.get("extra_plugins", ()), SharedResponsesPlugin(),
                                    ReasonRequiredPlugin()]
        super()._init_spec(**options)
        error = {"application/json": {"schema": ErrorSchema}}
        self.spec.components.response(UNAUTHENTICATED, {
            "description": "No valid token: send `Authorization: Bearer <token>`.",
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}, "required": True}},
            "content": error}, lazy=True)
        self.spec.components.response(RATE_LIMITED, {
            "description": "Too many requests with this token.",
            "headers": {"Retry-After": {
                "description": "Seconds to wait before the next request.",
                "schema": {"type": "integer", "minimum": 1}, "required": True}},
            "content": error}, lazy=True)
