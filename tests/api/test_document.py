"""The OpenAPI document states the limits the server applies (read back as a validator reads it)."""

from __future__ import annotations


def test_the_observation_bounds_are_documented_as_excluded(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    value = schemas["ObservationInput"]["properties"]["value"]
    assert value["maximum"] == 1e14 and value["exclusiveMaximum"] is True
    assert value["minimum"] == -1e14 and value["exclusiveMinimum"] is True


def test_evidence_links_are_documented_as_web_addresses(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    link = schemas["ProgressReport"]["properties"]["links"]["items"]
    assert link["format"] == "uri" and link["pattern"] == "^https?://" and link["maxLength"] == 500


def test_text_that_the_server_refuses_with_nul_is_documented_so(client):
    import re

    document = client.get("/api/v1/openapi.json").json
    [q] = [p for p in document["paths"]["/api/v1/commitments"]["get"]["parameters"] if p.get("name") == "q"]
    pattern = re.compile(q["schema"]["pattern"])
    assert pattern.search("queue") and not pattern.search("que\x00ue")
