"""API v1 tracker: lists with the web's filters, reads, and changes through the tracker's services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from council.api.models import TokenScope
from council.events import history
from council.extensions import db
from council.timeutil import council_today
from council.tracker import initiatives, services
from council.tracker.models import CommitmentStatus, Priority, RecommendationStatus
from tests.api.conftest import bearer
from tests.conftest import ONLY_TRADE_LEADERS, refusal
from tests.factories import (
    CommitmentFactory,
    IndicatorFactory,
    InitiativeFactory,
    RecommendationFactory,
    WorkingGroupFactory,
)

TODAY = council_today()  # the council's calendar day, against which the API checks dates


@pytest.fixture
def tracker(world):
    """An adopted and a proposed recommendation; commitments on both sides, one overdue."""
    adopted = RecommendationFactory(group=world.group, code="TRD-2026-001", priority=Priority.HIGH,
                                    is_public=True,
                                    title={"ru": "Электронная очередь", "en": "Electronic queue"})
    proposed = RecommendationFactory(group=world.group, code="TRD-2026-002",
                                     status=RecommendationStatus.PROPOSED)
    initiative = InitiativeFactory(council=world.council, code="TEMIRBABA",
                                   name={"ru": "Темирбаба – Гарабогаз"})
    kz = CommitmentFactory(recommendation=adopted, organisation=world.kz_org, owner=world.member,
                           code="TRD-2026-001-KZ1", initiative=initiative,
                           due_date=TODAY + timedelta(days=30))
    tm = CommitmentFactory(recommendation=adopted, organisation=world.tm_org, owner=world.tm_member,
                           code="TRD-2026-001-TM1", due_date=TODAY - timedelta(days=3),
                           status=CommitmentStatus.IN_PROGRESS, progress=40)
    indicator = IndicatorFactory(council=world.council, group_id=world.group.id, code="TRADE",
                                 baseline_value=438.2, target_value=600, unit="USD million")
    return {"adopted": adopted, "proposed": proposed, "kz": kz, "tm": tm, "initiative": initiative,
            "indicator": indicator}


def items(response):
    assert response.status_code == 200, response.json
    return [item["code"] for item in response.json["items"]]


# Reading ----------------------------------------------------------------------------------------


def test_recommendations_are_filtered_like_the_web_list(client, world, tracker, as_member):
    RecommendationFactory(code="ECO-2026-001")  # another council's
    get = lambda query: items(client.get(f"/api/v1/recommendations{query}", headers=as_member))  # noqa: E731
    assert get("") == ["TRD-2026-001", "TRD-2026-002"]
    assert get("?status=proposed") == ["TRD-2026-002"]
    assert get("?priority=high&public=true") == ["TRD-2026-001"]
    assert get(f"?group={world.group.id}&q=ELECTRONIC") == ["TRD-2026-001"]
    assert get("?overdue=true&country=TM") == ["TRD-2026-001"]  # has an overdue Turkmen commitment
    assert get("?sort=-code") == ["TRD-2026-002", "TRD-2026-001"]
    body = client.get(f"/api/v1/recommendations/{tracker['adopted'].id}", headers=as_member).json
    assert body["status"] == "adopted" and body["progress"] == 20
    assert body["allowed_statuses"] == ["implemented", "superseded"]
    assert body["title"] == {"ru": "Электронная очередь", "en": "Electronic queue"}


def test_commitments_are_filtered_like_the_web_list(client, world, tracker, as_member):
    get = lambda query: items(client.get(f"/api/v1/commitments{query}", headers=as_member))  # noqa: E731
    assert get("") == ["TRD-2026-001-TM1", "TRD-2026-001-KZ1"]  # by due date
    assert get("?overdue=true") == ["TRD-2026-001-TM1"]
    assert get("?overdue=false") == ["TRD-2026-001-TM1", "TRD-2026-001-KZ1"]  # as the web: no filter
    assert get("?due_within=40") == ["TRD-2026-001-KZ1"]
    assert get("?sort=-due") == ["TRD-2026-001-KZ1", "TRD-2026-001-TM1"]
    assert get("?q=mangystau") == ["TRD-2026-001-KZ1"]  # the organisation's code matches too
    assert get("?country=KZ") == ["TRD-2026-001-KZ1"]
    assert get(f"?organisation={world.tm_org.id}&status=in_progress") == ["TRD-2026-001-TM1"]
    assert get(f"?owner={world.member.id}") == ["TRD-2026-001-KZ1"]
    assert get(f"?initiative={tracker['initiative'].id}") == ["TRD-2026-001-KZ1"]
    assert get(f"?due_after={TODAY.isoformat()}") == ["TRD-2026-001-KZ1"]
    assert get(f"?due_before={TODAY.isoformat()}&recommendation={tracker['adopted'].id}") == [
        "TRD-2026-001-TM1"]
    one = client.get(f"/api/v1/commitments/{tracker['tm'].id}", headers=as_member).json
    assert one["overdue"] is True and one["progress"] == 40 and one["owner_id"] == world.tm_member.id
    assert one["allowed_statuses"] == ["blocked", "cancelled", "reported_done"]


def test_bad_tracker_filters_are_422(client, world, tracker, as_member):
    for path, field in (("/commitments?status=done", "status"), ("/commitments?due_before=soon",
                                                                 "due_before"),
                        ("/commitments?overdue=perhaps", "overdue"),
                        ("/commitments?sort=owner_email", "sort"),
                        ("/commitments?due_within=5000", "due_within"),
                        ("/recommendations?group=0", "group"),
                        ("/progress-updates?since=2026-01-01", "since")):
        response = client.get(f"/api/v1{path}", headers=as_member)
        assert response.status_code == 422, path
        assert response.json["error"]["field"] == field


def test_other_councils_records_are_404(client, world, as_member):
    foreign = CommitmentFactory()
    for path, missing in ((f"/commitments/{foreign.id}", "commitment"),
                          (f"/recommendations/{foreign.recommendation_id}", "recommendation"),
                          (f"/commitments/{foreign.id}/progress-updates", "commitment")):
        response = client.get(f"/api/v1{path}", headers=as_member)
        assert refusal(response, 404) == f"This {missing} does not exist.", path
    progress = foreign.progress
    response = client.post(f"/api/v1/commitments/{foreign.id}/progress-updates",
                           json={"progress": 10}, headers=as_member)
    assert refusal(response, 404) == "This commitment does not exist."
    db.session.refresh(foreign)
    assert foreign.progress == progress and history("commitment", foreign.id) == []


def test_initiatives_and_indicators(client, world, tracker, as_member):
    initiatives.add_milestone(world.admin, tracker["initiative"], title={"ru": "Электронная очередь"},
                           original_language="ru", due_date=TODAY)
    db.session.commit()
    assert items(client.get("/api/v1/initiatives?q=temir", headers=as_member)) == ["TEMIRBABA"]
    initiative = client.get(f"/api/v1/initiatives/{tracker['initiative'].id}", headers=as_member).json
    assert initiative["progress"] == 0 and len(initiative["milestones"]) == 1
    assert items(client.get(f"/api/v1/indicators?group={world.group.id}", headers=as_member)) == ["TRADE"]
    indicator = client.get(f"/api/v1/indicators/{tracker['indicator'].id}", headers=as_member).json
    assert indicator["baseline_value"] == 438.2 and indicator["latest_observation"] is None


# Changing ---------------------------------------------------------------------------------------


def test_a_member_reports_progress_with_a_link(client, world, tracker, as_member):
    commitment = tracker["kz"]
    response = client.post(f"/api/v1/commitments/{commitment.id}/progress-updates",
                           json={"progress": 30, "note": "Terminal installed",
                                 "links": ["https://example.org/act-12.pdf"]}, headers=as_member)
    assert response.status_code == 201, response.json
    update = response.json
    assert update["progress"] == 30 and update["from_status"] == "planned"
    assert update["to_status"] == "in_progress" and update["author_id"] == world.member.id
    assert update["evidence"][0]["url"] == "https://example.org/act-12.pdf"
    assert response.headers["Location"].endswith(f"/api/v1/progress-updates/{update['id']}")
    db.session.refresh(commitment)
    assert commitment.progress == 30 and commitment.status == CommitmentStatus.IN_PROGRESS
    assert "commitment.progress_reported" in [e.kind for e in history("commitment", commitment.id)]
    listed = client.get(f"/api/v1/commitments/{commitment.id}/progress-updates", headers=as_member)
    assert [u["id"] for u in listed.json["items"]] == [update["id"]]
    since = client.get("/api/v1/progress-updates", headers=as_member,
                       query_string={"since": f"{TODAY.isoformat()}T00:00:00+05:00",
                                     "organisation": world.kz_org.id})
    assert [u["id"] for u in since.json["items"]] == [update["id"]]
    assert client.get(response.headers["Location"], headers=as_member).json["id"] == update["id"]


def test_bad_progress_reports_are_refused_with_the_field(client, world, tracker, as_member):
    path = f"/api/v1/commitments/{tracker['kz'].id}/progress-updates"
    for body, status, field in (
            ({}, 422, "progress"),
            ({"progress": 101}, 422, "progress"),
            ({"progress": "50"}, 422, "progress"),
            ({"progress": 10, "links": ["ftp://example.org/x"]}, 422, "links.0"),
            ({"progress": 10, "unknown": 1}, 422, "unknown"),
            ({"progress": 0}, 422, "progress"),  # nothing to report
            ({"progress": 10, "status": "blocked"}, 422, "note"),  # blocking needs a reason
            ({"progress": 10, "status": "verified"}, 422, "status")):  # not a status a report sets
        response = client.post(path, json=body, headers=as_member)
        assert response.status_code == status, (body, response.json)
        assert response.json["error"]["field"] == field, body
    not_json = client.post(path, data="progress=10", headers=as_member)
    assert not_json.status_code == 415
    db.session.refresh(tracker["kz"])
    assert tracker["kz"].progress == 0 and not tracker["kz"].updates


def test_people_of_other_organisations_may_not_report(client, world, tracker, token_for):
    response = client.post(f"/api/v1/commitments/{tracker['kz'].id}/progress-updates",
                           json={"progress": 10}, headers=bearer(token_for(world.tm_member)))
    assert response.status_code == 403
    assert response.json["error"]["message"].startswith(
        "Only the council's secretaries, the co-chairs of the Trade working group or the owner and the "
        "people of ")


def test_read_tokens_may_not_change_anything(client, world, tracker, token_for):
    headers = bearer(token_for(world.member, TokenScope.READ))
    response = client.post(f"/api/v1/commitments/{tracker['kz'].id}/progress-updates",
                           json={"progress": 10}, headers=headers)
    assert response.status_code == 403
    assert "may only read" in response.json["error"]["message"]
    assert client.get(f"/api/v1/commitments/{tracker['kz'].id}", headers=headers).status_code == 200


def test_no_csrf_token_is_needed_with_a_bearer_token(make_app, world, tracker, token_for):
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = guarded.post(f"/api/v1/commitments/{tracker['kz'].id}/progress-updates",
                            json={"progress": 10}, headers=bearer(token_for(world.member)))
    assert response.status_code == 201 and response.json["progress"] == 10
    db.session.refresh(tracker["kz"])
    assert tracker["kz"].progress == 10


def test_commitments_move_through_their_statuses(client, world, tracker, token_for):
    member, chair = bearer(token_for(world.member)), bearer(token_for(world.kz_chair))
    path = f"/api/v1/commitments/{tracker['kz'].id}/status"
    assert client.post(path, json={"status": "reported_done"}, headers=member).json["status"] == \
        "reported_done"
    refused = client.post(path, json={"status": "verified"}, headers=member)
    assert refused.status_code == 403  # only co-chairs and secretaries verify
    sent_back = client.post(path, json={"status": "in_progress"}, headers=chair)
    assert sent_back.status_code == 422 and sent_back.json["error"]["field"] == "comment"
    assert client.post(path, json={"status": "in_progress", "reason": "Attach the act"},
                       headers=chair).json["status"] == "in_progress"
    client.post(path, json={"status": "reported_done"}, headers=member)
    verified = client.post(path, json={"status": "verified"}, headers=chair)
    assert verified.status_code == 200 and verified.json["verified_by_id"] == world.kz_chair.id
    closed = client.post(path, json={"status": "in_progress", "reason": "again"}, headers=chair)
    assert closed.status_code == 409
    assert closed.json["error"]["field"] == "status"
    kinds = [e.kind for e in reversed(history("commitment", tracker["kz"].id))]
    assert kinds == ["commitment.status_changed", "commitment.sent_back", "commitment.status_changed",
                     "commitment.verified"]


def test_a_transition_that_is_not_allowed_is_409(client, world, tracker, token_for):
    chair = bearer(token_for(world.kz_chair))
    response = client.post(f"/api/v1/commitments/{tracker['kz'].id}/status",
                           json={"status": "verified"}, headers=chair)
    assert response.status_code == 409
    assert response.json["error"] == {
        "status": 409, "field": "status", "errors": {"status": [response.json["error"]["message"]]},
        "message": "A commitment that is “Planned” cannot become “Verified”."}
    unknown = client.post(f"/api/v1/commitments/{tracker['kz'].id}/status",
                          json={"status": "done"}, headers=chair)
    assert unknown.status_code == 422 and unknown.json["error"]["field"] == "status"


def test_recommendations_change_status_through_the_service(client, world, tracker, token_for):
    chair, member = bearer(token_for(world.kz_chair)), bearer(token_for(world.member))
    path = f"/api/v1/recommendations/{tracker['proposed'].id}/status"
    assert refusal(client.post(path, json={"status": "adopted"}, headers=member)) == ONLY_TRADE_LEADERS
    db.session.refresh(tracker["proposed"])
    assert tracker["proposed"].status == RecommendationStatus.PROPOSED
    assert client.post(path, json={"status": "rejected"}, headers=chair).status_code == 422
    adopted = client.post(path, json={"status": "adopted"}, headers=chair)
    assert adopted.status_code == 200 and adopted.json["status"] == "adopted"
    assert client.post(path, json={"status": "proposed"}, headers=chair).status_code == 409
    other_group = WorkingGroupFactory(council=world.council)
    elsewhere = RecommendationFactory(group=other_group, status=RecommendationStatus.PROPOSED)
    assert client.post(f"/api/v1/recommendations/{elsewhere.id}/status", json={"status": "adopted"},
                       headers=chair).status_code == 403


def test_observations_are_recorded_and_listed(client, world, tracker, token_for):
    chair = bearer(token_for(world.kz_chair))
    path = f"/api/v1/indicators/{tracker['indicator'].id}/observations"
    day = (TODAY - timedelta(days=2)).isoformat()
    created = client.post(path, json={"observed_on": day, "value": 512.75, "source": "KZ statistics"},
                          headers=chair)
    assert created.status_code == 201, created.json
    assert created.json["value"] == 512.75 and created.json["recorded_by_id"] == world.kz_chair.id
    again = client.post(path, json={"observed_on": day, "value": 1, "source": "x"}, headers=chair)
    assert again.status_code == 409 and again.json["error"]["field"] == "observed_on"
    future = client.post(path, json={"observed_on": (TODAY + timedelta(days=2)).isoformat(),
                                     "value": 1, "source": "x"}, headers=chair)
    assert future.status_code == 422 and future.json["error"]["field"] == "observed_on"
    for body, field in (({"observed_on": day, "value": "512", "source": "x"}, "value"),
                        ({"observed_on": "yesterday", "value": 1, "source": "x"}, "observed_on"),
                        ({"observed_on": day, "value": 1, "source": ""}, "source"),
                        ({"observed_on": day, "value": 1e15, "source": "x"}, "value")):
        response = client.post(path, json=body, headers=chair)
        assert response.status_code == 422 and response.json["error"]["field"] == field, body
    member = client.post(path, json={"observed_on": TODAY.isoformat(), "value": 1, "source": "x"},
                         headers=bearer(token_for(world.member)))
    assert member.status_code == 403
    listed = client.get(path, headers=chair).json
    assert [o["value"] for o in listed["items"]] == [512.75]
    indicator = client.get(f"/api/v1/indicators/{tracker['indicator'].id}", headers=chair).json
    assert indicator["latest_observation"]["observed_on"] == day


def test_list_queries_do_not_grow_with_the_data(client, world, tracker, as_member):
    from sqlalchemy import event

    def queries(path):
        statements = []

        def count(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(path, headers=as_member).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    paths = ("/api/v1/commitments", "/api/v1/recommendations", "/api/v1/progress-updates",
             "/api/v1/initiatives", "/api/v1/indicators", f"/api/v1/groups/{world.group.id}")
    for commitment in (tracker["kz"], tracker["tm"]):
        services.report_progress(world.kz_chair, commitment, progress=50, note="half",
                                 links=["https://example.org/a"])
    db.session.commit()
    queries("/api/v1/me")  # the token's first use of the minute records it: not part of any list
    before = {path: queries(path) for path in paths}
    for number in range(10):
        recommendation = RecommendationFactory(group=world.group, code=f"TRD-2027-{number:03d}")
        commitment = CommitmentFactory(recommendation=recommendation, organisation=world.kz_org,
                                       initiative=tracker["initiative"])
        services.report_progress(world.kz_chair, commitment, progress=10, links=["https://example.org/b"])
        InitiativeFactory(council=world.council)
        IndicatorFactory(council=world.council)
    db.session.commit()
    assert {path: queries(path) for path in paths} == before
