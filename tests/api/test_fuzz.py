"""Schemathesis fuzzes the API from its own OpenAPI document, as its command line does: every phase
(coverage, fuzzing, and the stateful phase that follows links between operations, e.g. a list to its
records, a report to the update it made) and every check it has, against the app served over HTTP.

It runs once with a read-write token of the council's secretary, who may do everything the API offers,
and once with a read-only token of the same person: no change may succeed with it, and no row may
change. Every answer must be one the document states (status, headers, content type, body), no 5xx;
invalid input must be refused, auth enforced, an unsupported method answered 405 with `Allow`.

Valid input may still be refused by a rule that depends on the records (no value for a future date,
nothing to report, a transition the status does not allow): those are 404, 409 or 422 answers, all
documented, so positive data counts as accepted with them. An edit (PATCH) needs the record's current
ETag in If-Match, which a generated string is not: 412 (and 428 without it) count as accepted too. A
generated Idempotency-Key may repeat with another body: 422, documented.

Over HTTP rather than schemathesis' in-process WSGI transport: in schemathesis 4.32 that transport
hands `max_redirects` to Werkzeug in the ignored-auth probe (TypeError), so not every check could run.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from werkzeug.serving import make_server

from council.api.models import TokenScope
from council.extensions import db
from council.tracker import initiatives, services
from council.tracker.models import CommitmentStatus, RecommendationStatus
from tests.factories import (
    CommitmentFactory,
    IndicatorFactory,
    InitiativeFactory,
    RecommendationFactory,
    RegionFactory,
)
from tests.meetings.conftest import Meetings
from tests.test_permission_matrix import snapshot

EXAMPLES_PER_OPERATION = int(os.environ.get("COUNCIL_FUZZ_EXAMPLES", "10"))
# Reproducible by default; COUNCIL_FUZZ_RANDOM=1 explores new inputs on each run.
DETERMINISTIC = not os.environ.get("COUNCIL_FUZZ_RANDOM")
# What positive data may meet besides success: a record missing, a state or a rule (see above).
ACCEPTED = ["2xx", "304", "401", "403", "404", "409", "412", "422", "428"]
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# A missing required header: schemathesis' own list, and 428 Precondition Required, the status RFC 6585
# gives for a request without the If-Match an edit requires.
MISSING_HEADER = ["400", "401", "403", "406", "415", "422", "428"]


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """The app served over HTTP on a free local port, in threads, for the test's duration."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def known_ids(world: Any) -> dict[str, Any]:
    """A small tracker to aim at: records in several states, a report, an observation."""
    today = date.today()
    RegionFactory(code="mangystau")
    initiative = InitiativeFactory(council=world.council, code="UZEN-BEREKET")
    milestone = initiatives.add_milestone(world.admin, initiative, title={"ru": "Этап"},
                                          original_language="ru", due_date=today)
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
    return {"meeting_id": meeting.id, "number": 1, "milestone_id": milestone.id,
            "group_id": world.group.id, "organisation_id": world.kz_org.id,
            "recommendation_id": adopted.id, "commitment_id": commitments[0].id,
            "update_id": update.id, "initiative_id": initiative.id, "indicator_id": indicator.id,
            "kind": "recommendation", "record_id": adopted.id, "language": "kk"}


def fuzz(base_url: str, secret: str, methods: set[str] | None = None, examples: int = EXAMPLES_PER_OPERATION,
         coverage: bool = True) -> tuple[list[str], Counter[tuple[str, int]], set[str]]:
    """Run every phase (without the coverage phase's boundary values when `coverage` is off) and check,
    over the operations (those of `methods` only, when given); return the failures and errors found
    (one entry each), the answers by (method, status), and the phases that ran."""
    config = SchemathesisConfig.from_dict({
        "workers": 1,
        "cache": {"enabled": False},
        "generation": {"mode": "all", "deterministic": DETERMINISTIC,
                       "max-examples": examples},
        "checks": {"enabled": True, "positive_data_acceptance": {"expected-statuses": ACCEPTED},
                   "missing_required_header": {"expected-statuses": MISSING_HEADER}},
        "phases": {"stateful": {"max-steps": 10}, "coverage": {"enabled": coverage}},
        "auth": {"openapi": {"bearerAuth": {"bearer": secret}}},
    })
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json", config=config)
    if methods:
        schema = schema.include(method=sorted(methods))
    problems: list[str] = []
    answers: Counter[tuple[str, int]] = Counter()
    phases: set[str] = set()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.PhaseFinished) and event.phase.is_enabled:
            phases.add(event.phase.name.value)
        elif isinstance(event, events.NonFatalError):
            problems.append(f"error in {event.label}: {event.value!r}")
        elif isinstance(event, events.FatalError):
            problems.append(f"fatal error: {event.exception!r}")
        elif isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            for checks in recorder.checks.values():
                problems.extend(f"{check.name} in {recorder.label}:\n{check.failure_info.code_sample}"
                                for check in checks if check.failure_info is not None)
            for interaction in recorder.interactions.values():
                if interaction.response is not None:
                    answers[interaction.request.method, interaction.response.status_code] += 1
    return problems, answers, phases


@pytest.mark.usefixtures("known_ids")
@pytest.mark.parametrize("scope", [TokenScope.READ_WRITE, TokenScope.READ], ids=["read-write", "read-only"])
def test_the_api_keeps_to_its_document(live_server: str, scope: TokenScope, world: Any,
                                       token_for: Any) -> None:
    def unchanged() -> str:  # the token's own row notes when it was last used; nothing else may change
        return snapshot(leaving_out=frozenset({"api_token"}))

    secret = token_for(world.secretary, scope)
    before = unchanged() if scope is TokenScope.READ else None
    # The read-only token is aimed at the changes only (its reads are the read-write run's reads), with
    # a few generated requests each: it is refused before its body is read, so the coverage phase's
    # boundary values (two thirds of the run's time) would ask nothing new.
    problems, answers, phases = (fuzz(live_server, secret) if before is None else
                                 fuzz(live_server, secret, WRITES, examples=5, coverage=False))
    assert not problems, "\n\n".join(problems[:10])
    assert "fuzzing" in phases, phases
    succeeded = {method for (method, status) in answers if 200 <= status < 300}
    if before is not None:
        # A read-only token writes nothing, whatever it sends: refused before any rule is asked.
        assert not succeeded & WRITES, sorted(answers.items())
        assert unchanged() == before
        return
    assert {"coverage", "stateful"} <= phases, phases
    # A run whose changes were all refused would prove little: some must have got through.
    assert succeeded & {"POST", "PUT"}, sorted(answers.items())
