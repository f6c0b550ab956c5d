"""The `webhooks` section of the OpenAPI 3.1 document: one operation per event kind a system may ask
for, its body (the event and the record as the API's own schema shows it) and its signature headers."""

from __future__ import annotations

from typing import Any

from flask import Flask

from council.webhooks.catalogue import KINDS_BY_SUBJECT
from council.webhooks.payloads import REPRESENTATIONS

SIGNATURE_HEADERS = {
    "webhook-id": "The delivery's id: the same at every attempt; a receiver drops one it has seen.",
    "webhook-timestamp": "When this attempt was signed, in seconds since the epoch; refuse old ones.",
    "webhook-signature": "Space-separated `v1,<base64 HMAC-SHA256>` signatures of "
                         "`<webhook-id>.<webhook-timestamp>.<body>`, one per active secret (two for a "
                         "day after a rotation). Verify with any Standard Webhooks library.",
}
DESCRIPTION = ("Sent by POST to the endpoints registered for this kind of event, signed as the "
               "Standard Webhooks specification says. Answer 2xx within 10 seconds; any other answer "
               "is retried with exponential backoff, and an endpoint that fails for three days is "
               "turned off, as is one whose owner may no longer register it (an organisation's endpoint "
               "once its owner holds no active token or leaves the organisation).")


def _schema_name(schema: type[Any]) -> str:
    name = schema.__name__
    return name[: -len("Schema")] if name.endswith("Schema") else name


def webhooks() -> dict[str, Any]:
    described: dict[str, Any] = {}
    for subject, kinds in KINDS_BY_SUBJECT.items():
        _model, schema = REPRESENTATIONS[subject]
        data = {"allOf": [{"$ref": f"#/components/schemas/{_schema_name(schema)}"},
                          {"type": "object", "required": ["object"],
                           "properties": {"object": {"const": subject}}}]}
        for kind in kinds:
            body = {"type": "object", "required": ["type", "timestamp", "data"], "properties": {
                "type": {"const": kind},
                "timestamp": {"type": "string", "format": "date-time",
                              "description": "When the change was made (UTC)."},
                "data": data}}
            described[kind] = {"post": {
                "summary": f"{kind}",
                "description": DESCRIPTION,
                "tags": ["webhooks"],
                "parameters": [{"in": "header", "name": name, "required": True,
                                "schema": {"type": "string"}, "description": text}
                               for name, text in SIGNATURE_HEADERS.items()],
                "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                "responses": {"2XX": {"description": "Received."}},
                "security": [],
            }}
    return described


def describe(app: Flask) -> None:
    """Add the section to the API's document (built by council.api; read at each request for it)."""
    api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    api.spec.options["webhooks"] = webhooks()
