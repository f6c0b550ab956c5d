"""The webhook pages: who may register what, the form's errors, the log, the status page, the document."""

from __future__ import annotations

from sqlalchemy import select

from council.api import services as api_services
from council.extensions import db
from council.webhooks.models import WebhookEndpoint
from tests.conftest import error_summary, refusal
from tests.webhooks.conftest import endpoint_for

BLOCKED = "commitment.status_changed"


def test_a_secretary_registers_an_endpoint_and_sees_its_secret(world, receiver, auth, client):
    auth.login(world.secretary)
    answer = client.post("/webhooks/new", data={"name": "Akimat system", "url": receiver.url,
                                                "organisation_id": "", "kinds": [BLOCKED, "meeting.held"]})
    assert answer.status_code == 302
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert endpoint.organisation_id is None and endpoint.kinds == [BLOCKED, "meeting.held"]
    page = client.get(answer.headers["Location"])
    assert endpoint.secret in page.get_data(as_text=True) and page.headers["Cache-Control"] == "no-store"


def test_the_form_lists_every_problem_at_once(world, auth, client, webhook_settings):
    webhook_settings["WEBHOOKS_ALLOW_PRIVATE"] = False
    auth.login(world.secretary)
    answer = client.post("/webhooks/new", data={"name": "Inside", "url": "http://10.0.0.5/hooks",
                                                "organisation_id": "", "kinds": ["commitment.created"]})
    assert answer.status_code == 422
    assert [target for target, _text in error_summary(answer)] == ["url"]
    answer = client.post("/webhooks/new", data={"name": "", "url": "", "organisation_id": ""})
    assert answer.status_code == 422
    assert {target for target, _text in error_summary(answer)} == {"name", "url", "kinds"}
    assert db.session.scalar(select(WebhookEndpoint)) is None


def test_an_organisations_token_holder_registers_for_its_commitments_only(world, receiver, auth, client):
    api_services.create_token(world.member, name="Akimat system", scope="read")
    db.session.commit()
    auth.login(world.member)
    whole_council = client.post("/webhooks/new", data={"name": "A", "url": receiver.url,
                                                       "organisation_id": "", "kinds": [BLOCKED]})
    expected = ("Only the council's secretaries or an organisation's people who hold a personal access "
                "token (for that organisation) can do this.")
    assert refusal(whole_council) == expected
    other = client.post("/webhooks/new", data={"name": "A", "url": receiver.url,
                                               "organisation_id": str(world.tm_org.id), "kinds": [BLOCKED]})
    assert other.status_code == 403  # parity: not the other side's records
    meetings = client.post("/webhooks/new", data={"name": "A", "url": receiver.url,
                                                  "organisation_id": str(world.kz_org.id),
                                                  "kinds": ["meeting.held"]})
    assert meetings.status_code == 422 and error_summary(meetings)[0][0] == "kinds"
    answer = client.post("/webhooks/new", data={"name": "A", "url": receiver.url,
                                                "organisation_id": str(world.kz_org.id), "kinds": [BLOCKED]})
    assert answer.status_code == 302


def test_people_without_a_token_are_told_who_can(world, auth, client):
    auth.login(world.kz_chair)
    assert "Only the council's secretaries" in refusal(client.get("/webhooks"))


def test_the_status_page_lists_failing_endpoints(world, receiver, auth, client):
    endpoint = endpoint_for(world, receiver.url, [BLOCKED])
    from council.timeutil import utcnow

    endpoint.failing_since = utcnow()
    db.session.commit()
    auth.login(world.admin)
    page = client.get("/admin/status").get_data(as_text=True)
    assert "Failing webhook endpoints" in page and "Akimat system" in page


def test_the_openapi_document_describes_the_webhooks(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    hook = document["webhooks"][BLOCKED]["post"]
    body = hook["requestBody"]["content"]["application/json"]["schema"]
    reference = body["properties"]["data"]["allOf"][0]["$ref"]
    assert reference.rsplit("/", 1)[1] in document["components"]["schemas"]
    assert {parameter["name"] for parameter in hook["parameters"]} == {
        "webhook-id", "webhook-timestamp", "webhook-signature"}
    for kind, operation in document["webhooks"].items():
        ref = operation["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"][
            "data"]["allOf"][0]["$ref"]
        assert ref.rsplit("/", 1)[1] in document["components"]["schemas"], kind
