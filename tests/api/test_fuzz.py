"""Schemathesis fuzzes the API from its own OpenAPI document, in-process through WSGI.

Each operation gets valid and invalid requests (query strings, ids, bodies, headers) from a read-write
token of the council's secretary; every answer must be a non-5xx that the document describes: its
status code, headers, content type and body schema.
"""

from __future__ import annotations

import contextvars
import os
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode

from council import create_app
from tests.api.conftest import bearer
from tests.conftest import settings_for

EXAMPLES_PER_OPERATION = int(os.environ.get("COUNCIL_FUZZ_EXAMPLES", "40"))
# Reproducible by default; COUNCIL_FUZZ_RANDOM=1 explores new inputs on each run.
DERANDOMIZE = not os.environ.get("COUNCIL_FUZZ_RANDOM")


def documented_operations() -> list[str]:
    """Every operation of the document, read once at collection from an app on an empty database."""
    document = create_app(settings_for("sqlite://", smtp_port=0)).test_client().get(
        "/api/v1/openapi.json").json
    return [f"{method.upper()} {path}" for path, operations in document["paths"].items()
            for method in operations if method != "parameters"]


class SecretaryToken:
    """Schemathesis' auth provider: the token it sends, and removes to check that auth is enforced."""

    secret = ""

    def get(self, case: Any, context: Any) -> str:
        return self.secret

    def set(self, case: Any, secret: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), **bearer(secret)}


@pytest.mark.parametrize("label", documented_operations())
def test_the_api_keeps_to_its_document(app: Any, label: str, world: Any, token_for: Any) -> None:
    method, path = label.split(" ", 1)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    SecretaryToken.secret = token_for(world.secretary)
    schema.auth(refresh_interval=None)(SecretaryToken)
    operation = schema[path][method]
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE, auth_storage=schema.auth),
                      operation.as_strategy(GenerationMode.NEGATIVE, auth_storage=schema.auth))

    @given(case=cases)
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=DERANDOMIZE,
              database=None, suppress_health_check=list(HealthCheck))
    def requests_keep_to_the_document(case: Any) -> None:
        # Each request in a fresh context, as in production (see tests.conftest.IsolatedClient).
        statuses.append(contextvars.Context().run(case.call_and_validate).status_code)

    statuses: list[int] = []
    requests_keep_to_the_document()
    # A run that only ever met 401 or 404 would prove little: some requests must have succeeded.
    assert any(200 <= status < 400 for status in statuses), sorted(Counter(statuses).items())
