"""The OpenAPI document states the limits the server applies (read back as a validator reads it)."""

from __future__ import annotations

from council.tracker.models import RecommendationStatus
from tests.api.conftest import bearer
from tests.factories import CommitmentFactory, RecommendationFactory


def operations(document):
    return [(f"{method.upper()} {path}", operation) for path, methods in document["paths"].items()
            for method, operation in methods.items() if method != "parameters"]


def test_each_operation_lists_its_real_statuses_and_no_catch_all(client):
    """A fuzzer tells an undocumented answer only when nothing is `default`: every status the shared
    machinery may answer is listed, each error with the error body (and 503 with Retry-After)."""
    document = client.get("/api/v1/openapi.json").json
    components = document["components"]["responses"]
    assert "DEFAULT_ERROR" not in components
    for label, operation in operations(document):
        responses = operation["responses"]
        assert "default" not in responses, label
        expected = {"401", "403", "422", "429", "503"}
        if "{" in label:
            expected |= {"404"}
        if "requestBody" in operation:
            expected |= {"400", "413", "415"}
        if label.startswith("GET "):
            expected |= {"200", "304"}
        else:
            expected |= {"201"} if "201" in responses else {"200"}
        if label.startswith(("POST ", "PUT ", "PATCH ")):
            expected |= {"409"}
        parameters = [parameter.get("$ref", "") for parameter in operation.get("parameters", [])]
        if label.startswith("PATCH "):  # an edit needs the ETag it was read with (council.api.writes)
            expected |= {"412", "428"}
            assert "#/components/parameters/IF_MATCH" in parameters, label
            assert "ETag" in responses["200"]["headers"], label
        if label.startswith("POST "):
            assert "#/components/parameters/IDEMPOTENCY_KEY" in parameters, label
        assert set(responses) == expected, (label, sorted(set(responses) ^ expected))
        for code, response in responses.items():
            if code.startswith(("4", "5")) and code != "304":
                body = components[response["$ref"].rsplit("/", 1)[1]] if "$ref" in response else response
                assert body["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"}, (label, code)
    assert components["DATABASE_UNAVAILABLE"]["headers"]["Retry-After"]["required"] is True


def test_a_body_that_is_not_json_is_refused_with_415_and_an_oversized_one_with_413(make_app, world,
                                                                                   token_for):
    client = make_app(MAX_CONTENT_LENGTH=1000).test_client()
    headers = bearer(token_for(world.secretary))
    recommendation = RecommendationFactory(group=world.group, status=RecommendationStatus.ADOPTED)
    commitment = CommitmentFactory(recommendation=recommendation, organisation=world.kz_org)
    url = f"/api/v1/commitments/{commitment.id}/progress-updates"
    for body, content_type in ((b"\xa3", None), (b"progress=5", "application/x-www-form-urlencoded"),
                               (b'{"progress": 5}', "text/plain")):
        answer = client.post(url, data=body, headers=headers | (
            {"Content-Type": content_type} if content_type else {}))
        assert answer.status_code == 415, (body, content_type)
        assert answer.json["error"]["message"] == "Send the request body as JSON."
    answer = client.post(url, data=b"\xa3", headers=headers | {"Content-Type": "application/json"})
    assert answer.status_code == 400
    answer = client.post(url, json={"progress": 5, "note": "x" * 2000}, headers=headers)
    assert answer.status_code == 413 and answer.json["error"]["status"] == 413
    assert client.get(url, headers=headers).json["items"] == []


def test_the_observation_bounds_are_documented_as_excluded(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    value = schemas["ObservationInput"]["properties"]["value"]
    assert value["maximum"] == 1e14 and value["exclusiveMaximum"] is True
    assert value["minimum"] == -1e14 and value["exclusiveMinimum"] is True


def test_evidence_links_are_documented_as_web_addresses(client):
    """IRIs (`https://мвд.рф/…` is taken as the web page takes it), not only ASCII URIs."""
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    link = schemas["ProgressReport"]["properties"]["links"]["items"]
    assert link["format"] == "iri" and link["pattern"] == "^https?://" and link["maxLength"] == 500


def test_text_that_the_server_refuses_with_nul_is_documented_so(client):
    import re

    document = client.get("/api/v1/openapi.json").json
    [q] = [p for p in document["paths"]["/api/v1/commitments"]["get"]["parameters"] if p.get("name") == "q"]
    pattern = re.compile(q["schema"]["pattern"])
    assert pattern.search("queue") and not pattern.search("que\x00ue")


def test_a_status_change_that_needs_a_reason_says_so_in_its_schema(client, world, token_for):
    """The document refuses what the server refuses: blocking a commitment or superseding a
    recommendation without a reason (a validator reads it so), and the server answers 422 naming it."""
    from jsonschema_rs import Draft4Validator  # the validator schemathesis uses

    from council.tracker.models import RecommendationStatus
    from tests.api.conftest import bearer
    from tests.factories import CommitmentFactory, RecommendationFactory

    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    commitment_change = Draft4Validator(schemas["CommitmentStatus"])
    recommendation_change = Draft4Validator(schemas["RecommendationStatus"])
    assert not commitment_change.is_valid({"status": "blocked"})
    assert not commitment_change.is_valid({"status": "blocked", "reason": "   "})
    assert commitment_change.is_valid({"status": "blocked", "reason": "The road is closed."})
    assert commitment_change.is_valid({"status": "in_progress"})
    assert not recommendation_change.is_valid({"status": "superseded"})
    assert recommendation_change.is_valid({"status": "adopted"})

    headers = bearer(token_for(world.secretary))
    recommendation = RecommendationFactory(group=world.group, status=RecommendationStatus.ADOPTED)
    commitment = CommitmentFactory(recommendation=recommendation, organisation=world.kz_org)
    answer = client.post(f"/api/v1/commitments/{commitment.id}/status", json={"status": "blocked"},
                         headers=headers)
    assert answer.status_code == 422 and answer.json["error"]["field"] == "reason"
    answer = client.post(f"/api/v1/recommendations/{recommendation.id}/status",
                         json={"status": "superseded", "reason": " "}, headers=headers)
    assert answer.status_code == 422 and answer.json["error"]["field"] == "reason"


def test_a_text_name_the_record_has_not_is_refused_naming_the_texts(client, world, token_for):
    """The document lets any name through (OpenAPI 3.0 cannot bound a key); the server reads any name
    too and refuses one the record has not with 422 on `texts`, whatever its length."""
    from council.tracker.models import RecommendationStatus
    from tests.api.conftest import bearer
    from tests.factories import RecommendationFactory

    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert "propertyNames" not in schemas["TranslationInput"]["properties"]["texts"]
    recommendation = RecommendationFactory(group=world.group, status=RecommendationStatus.ADOPTED)
    headers = bearer(token_for(world.secretary))
    url = f"/api/v1/translations/recommendation/{recommendation.id}/kk"
    for name in ("", "a" * 41):
        answer = client.put(url, json={"texts": {name: "Ұсыныс"}}, headers=headers)
        assert answer.status_code == 422
        assert answer.json["error"]["field"] == "texts"
        assert "This text cannot be translated here" in answer.json["error"]["message"]
    assert client.put(url, json={"texts": {"title": "Ұсыныс"}}, headers=headers).status_code == 200


def test_a_report_that_blocks_needs_a_note_and_sets_only_the_statuses_a_report_may(client, world,
                                                                                    token_for):
    """The document says what the server accepts: blocking needs a non-blank note (also when the
    commitment is blocked already), and a report sets in_progress, reported_done or blocked only."""
    from jsonschema_rs import Draft4Validator

    from council.tracker.models import CommitmentStatus

    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]["ProgressReport"]
    report = Draft4Validator(schema)
    assert not report.is_valid({"progress": 5, "status": "blocked"})
    assert not report.is_valid({"progress": 5, "status": "blocked", "note": " "})
    assert not report.is_valid({"progress": 5, "status": "verified"})
    assert report.is_valid({"progress": 5, "status": "blocked", "note": "The road is closed."})
    assert report.is_valid({"progress": 5, "status": None})
    assert report.is_valid({"progress": 5})

    headers = bearer(token_for(world.secretary))
    recommendation = RecommendationFactory(group=world.group, status=RecommendationStatus.ADOPTED)
    for status in (CommitmentStatus.IN_PROGRESS, CommitmentStatus.BLOCKED):
        commitment = CommitmentFactory(recommendation=recommendation, organisation=world.kz_org,
                                       status=status, progress=10)
        url = f"/api/v1/commitments/{commitment.id}/progress-updates"
        answer = client.post(url, json={"progress": 20, "status": "blocked", "note": "  "},
                             headers=headers)
        assert answer.status_code == 422 and answer.json["error"]["field"] == "note"
    answer = client.post(url, json={"progress": 20, "status": "verified"}, headers=headers)
    assert answer.status_code == 422 and answer.json["error"]["field"] == "status"
    assert "blocked, in_progress, reported_done" in answer.json["error"]["message"]
    assert client.get(url, headers=headers).json["items"] == []
