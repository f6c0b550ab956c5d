"""Schemathesis fuzzes the API from its own OpenAPI document, in-process through WSGI.

Each operation gets valid and invalid requests (query strings, ids, bodies, headers) with a read-write
token of the council's secretary, who may do everything the API offers; a third of the cases aim at
records that exist. Every answer must be a non-5xx that the document describes: its status code,
headers, content type and body schema. Schemathesis also checks that invalid input is refused, and
that auth is enforced (by resending without the token). Each operation that writes is fuzzed once more
with a read-only token of the same person: no answer may be a success, and no row may change.

Valid input may still be refused by a rule the document states in words only (no value for a future
date, nothing to report): those are 409 or 422 answers, both documented, so they count as accepted.
"""

from __future__ import annotations

import contextvars
import os
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.generation.modes import GenerationMode

from council import create_app
from council.api.models import TokenScope
from council.extensions import db
from council.tracker import initiatives, services
from council.tracker.models import CommitmentStatus, RecommendationStatus
from tests.api.conftest import bearer
from tests.conftest import settings_for
from tests.factories import (
    CommitmentFactory,
    IndicatorFactory,
    InitiativeFactory,
    RecommendationFactory,
    RegionFactory,
)
from tests.meetings.conftest import Meetings
from tests.test_permission_matrix import snapshot

EXAMPLES_PER_OPERATION = int(os.environ.get("COUNCIL_FUZZ_EXAMPLES", "30"))
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


@pytest.fixture
def known_ids(world: Any) -> dict[str, Any]:
    """A small tracker to aim at: records in several states, a report, an observation."""
    today = date.today()
    RegionFactory(code="mangystau")
    initiative = InitiativeFactory(council=world.council, code="UZEN-BEREKET")
    initiatives.add_milestone(world.admin, initiative, title={"ru": "Этап"}, original_language="ru",
                           due_date=today)
    RecommendationFactory(group=world.group, status=RecommendationStatus.PROPOSED)
    adopted = RecommendationFactory(group=world.group)
    commitments = [CommitmentFactory(recommendation=adopted, organisation=world.kz_org,
                                     owner=world.member, status=status, initiative=initiative)
                   for status in (CommitmentStatus.PLANNED, CommitmentStatus.REPORTED_DONE)]
    update = services.report_progress(world.member, commitments[0], progress=20, note="Started",
                                      links=["https://example.org/report"])
    indicator = IndicatorFactory(council=world.council, group_id=world.group.id,
                                 baseline_value=438, target_value=600)
    initiatives.record_observation(world.secretary, indicator, observed_on=today - timedelta(days=1),
                                value="438.2", source="Statistics")
    meeting = Meetings(world).published_minutes()
    db.session.commit()
    return {"meeting_id": meeting.id, "number": 1,
            "group_id": world.group.id, "organisation_id": world.kz_org.id,
            "recommendation_id": adopted.id, "commitment_id": commitments[0].id,
            "update_id": update.id, "initiative_id": initiative.id, "indicator_id": indicator.id,
            "kind": "recommendation", "record_id": adopted.id, "language": "kk"}


def fuzzed() -> list[Any]:
    """Every operation with the secretary's read-write token; the operations that write, once more with
    a read-only token (which must be refused as documented, and change nothing)."""
    operations = documented_operations()
    return [pytest.param(label, TokenScope.READ_WRITE, id=label) for label in operations] + [
        pytest.param(label, TokenScope.READ, id=f"{label} read-only") for label in operations
        if not label.startswith("GET ")]


@pytest.mark.parametrize(("label", "scope"), fuzzed())
def test_the_api_keeps_to_its_document(app: Any, label: str, scope: TokenScope, world: Any,
                                       token_for: Any, known_ids: dict[str, Any]) -> None:
    method, path = label.split(" ", 1)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
        expected_statuses=["2xx", "3xx", "401", "403", "404", "409", "422", "429"])
    SecretaryToken.secret = token_for(world.secretary, scope)
    schema.auth(refresh_interval=None)(SecretaryToken)
    operation = schema[path][method]
    existing = {name: value for name, value in known_ids.items() if "{" + name + "}" in path}
    strategies = [operation.as_strategy(GenerationMode.POSITIVE, auth_storage=schema.auth),
                  operation.as_strategy(GenerationMode.NEGATIVE, auth_storage=schema.auth)]
    if existing:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, auth_storage=schema.auth,
                                                path_parameters=existing))

    @given(case=st.one_of(strategies))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=DERANDOMIZE,
              database=None, suppress_health_check=list(HealthCheck))
    def requests_keep_to_the_document(case: Any) -> None:
        # Each request in a fresh context, as in production (see tests.conftest.IsolatedClient).
        statuses.append(contextvars.Context().run(case.call_and_validate).status_code)

    statuses: list[int] = []
    def unchanged() -> str:  # the token's own row notes when it was last used; nothing else may change
        return snapshot(leaving_out=frozenset({"api_token"}))

    before = unchanged() if scope is TokenScope.READ else None
    requests_keep_to_the_document()
    if before is not None:
        # A read-only token writes nothing, whatever it sends: refused before any rule is asked.
        assert not set(statuses) & {200, 201, 204}, sorted(Counter(statuses).items())
        assert unchanged() == before
        return
    # A run that only ever met 401 or 404 would prove little: some requests must have got through.
    assert set(statuses) - {401, 404}, sorted(Counter(statuses).items())
