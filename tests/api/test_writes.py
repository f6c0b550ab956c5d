"""API v1 writes: create (POST) and edit (PATCH) through the same services as the web forms, with
If-Match on every edit and Idempotency-Key on every POST."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from council.api.models import ApiToken, IdempotentRequest, TokenScope
from council.api.services import hash_secret
from council.extensions import db
from council.meetings.models import AgendaItem, Meeting, MeetingStatus
from council.timeutil import council_today
from council.tracker.models import Commitment, Indicator, Initiative, Recommendation
from tests.api.conftest import bearer
from tests.factories import CommitmentFactory, RecommendationFactory

TODAY = council_today()  # the council's calendar day, against which the API checks dates


def count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def as_secretary(world, token_for):
    return bearer(token_for(world.secretary))


def recommendation_body(world: Any, **changes: Any) -> dict[str, Any]:
    return {"group_id": world.group.id, "code": "TRD-2026-010",
            "title": {"ru": "Единое окно", "en": "One window"}, "original_language": "ru",
            "source": "council_session", **changes}


def edit(client: Any, url: str, headers: dict[str, str], body: dict[str, Any]) -> Any:
    """Read the record, then PATCH it with the ETag just read."""
    etag = client.get(url, headers=headers).headers["ETag"]
    return client.patch(url, json=body, headers={**headers, "If-Match": etag})


# Creating and editing each kind ------------------------------------------------------------------


def test_a_secretary_records_and_edits_a_recommendation(client, world, as_secretary):
    created = client.post("/api/v1/recommendations", json=recommendation_body(world), headers=as_secretary)
    assert created.status_code == 201, created.json
    assert created.json["status"] == "proposed" and created.json["priority"] == "medium"
    url = created.headers["Location"]
    assert client.get(url, headers=as_secretary).json == created.json

    edited = edit(client, url, as_secretary, {"priority": "high", "title": {"ru": "Единое окно 2"}})
    assert edited.status_code == 200, edited.json
    assert edited.json["priority"] == "high" and edited.json["title"] == {"ru": "Единое окно 2"}
    assert edited.json["code"] == "TRD-2026-010"  # left out: kept
    # The answer's ETag is the one a read gives next: an edit may follow at once.
    assert client.get(url, headers=as_secretary).headers["ETag"] == edited.headers["ETag"]


def test_an_edit_needs_the_current_etag(client, world, as_secretary):
    record = RecommendationFactory(group=world.group)
    db.session.commit()
    url = f"/api/v1/recommendations/{record.id}"
    missing = client.patch(url, json={"priority": "low"}, headers=as_secretary)
    assert missing.status_code == 428 and "If-Match" in missing.json["error"]["message"]
    stale = client.get(url, headers=as_secretary).headers["ETag"]
    assert edit(client, url, as_secretary, {"priority": "low"}).status_code == 200
    refused = client.patch(url, json={"priority": "high"}, headers={**as_secretary, "If-Match": stale})
    assert refused.status_code == 412 and refused.json["error"]["status"] == 412
    db.session.expire_all()
    assert db.session.get(Recommendation, record.id).priority.value == "low"  # the other edit stays


def test_commitments_are_made_in_pairs_across_the_border(client, world, as_secretary):
    adopted = RecommendationFactory(group=world.group, code="TRD-2026-020")
    db.session.commit()
    body = {"recommendation_id": adopted.id, "organisation_id": world.kz_org.id, "owner_id": world.member.id,
            "description": {"ru": "Открыть пункт"}, "original_language": "ru",
            "due_date": (TODAY + timedelta(days=60)).isoformat()}
    kz = client.post("/api/v1/commitments", json=body, headers=as_secretary)
    assert kz.status_code == 201, kz.json
    assert kz.json["code"] == "TRD-2026-020-KZ1"
    tm = client.post("/api/v1/commitments", headers=as_secretary, json={
        **body, "organisation_id": world.tm_org.id, "owner_id": world.tm_member.id,
        "counterpart_id": kz.json["id"]})
    assert tm.status_code == 201, tm.json
    assert tm.json["counterpart_id"] == kz.json["id"]
    assert client.get(kz.headers["Location"], headers=as_secretary).json["counterpart_id"] == tm.json["id"]

    moved = edit(client, tm.headers["Location"], as_secretary,
                 {"due_date": (TODAY + timedelta(days=90)).isoformat()})
    assert moved.status_code == 200, moved.json
    assert moved.json["due_date"] == (TODAY + timedelta(days=90)).isoformat()
    assert moved.json["counterpart_id"] == kz.json["id"]  # left out: kept


def test_a_counterpart_on_the_same_side_is_refused_and_nothing_is_made(client, world, as_secretary):
    adopted = RecommendationFactory(group=world.group)
    kz = CommitmentFactory(recommendation=adopted, organisation=world.kz_org)
    db.session.commit()
    before = count(Commitment)
    refused = client.post("/api/v1/commitments", headers=as_secretary, json={
        "recommendation_id": adopted.id, "organisation_id": world.kz_org.id,
        "description": {"ru": "Ещё"}, "original_language": "ru", "due_date": TODAY.isoformat(),
        "counterpart_id": kz.id})
    assert refused.status_code == 422
    assert refused.json["error"]["field"] == "counterpart_id"
    assert "other side of the border" in refused.json["error"]["message"]
    assert count(Commitment) == before
    # Nor can an existing commitment be made its own side's counterpart by an edit.
    other = CommitmentFactory(recommendation=adopted, organisation=world.kz_org)
    db.session.commit()
    patched = edit(client, f"/api/v1/commitments/{other.id}", as_secretary, {"counterpart_id": kz.id})
    assert patched.status_code == 422 and patched.json["error"]["field"] == "counterpart_id"


def test_a_verifier_of_one_side_does_not_verify_the_other_sides_report(client, world, token_for):
    """Parity, as on the pages: the Kazakh co-chair verifies Kazakh commitments only."""
    tm = CommitmentFactory(recommendation=RecommendationFactory(group=world.group),
                           organisation=world.tm_org, owner=world.tm_member)
    db.session.commit()
    tm_member = bearer(token_for(world.tm_member))
    assert client.post(f"/api/v1/commitments/{tm.id}/status", json={"status": "in_progress"},
                       headers=tm_member).status_code == 200
    assert client.post(f"/api/v1/commitments/{tm.id}/status", json={"status": "reported_done"},
                       headers=tm_member).status_code == 200
    refused = client.post(f"/api/v1/commitments/{tm.id}/status", json={"status": "verified"},
                          headers=bearer(token_for(world.kz_chair)))
    assert refused.status_code == 403
    assert client.post(f"/api/v1/commitments/{tm.id}/status", json={"status": "verified"},
                       headers=bearer(token_for(world.tm_chair))).status_code == 200


def test_each_co_chair_makes_their_own_sides_half_of_a_pair(client, world, token_for):
    """Parity (the lead's decision on issue 20): a co-chair's system makes commitments for its own
    country's organisations only; the refusal names who can, and nothing is made."""
    adopted = RecommendationFactory(group=world.group, code="TRD-2026-030")
    db.session.commit()
    kz_chair, tm_chair = bearer(token_for(world.kz_chair)), bearer(token_for(world.tm_chair))
    body = {"recommendation_id": adopted.id, "organisation_id": world.kz_org.id,
            "description": {"ru": "Открыть пункт"}, "original_language": "ru",
            "due_date": (TODAY + timedelta(days=60)).isoformat()}
    kz = client.post("/api/v1/commitments", json=body, headers=kz_chair)
    assert kz.status_code == 201, kz.json
    tm_body = {**body, "organisation_id": world.tm_org.id, "counterpart_id": kz.json["id"]}
    refused = client.post("/api/v1/commitments", json=tm_body, headers=kz_chair)
    assert refused.status_code == 403
    assert refused.json["error"]["message"].startswith(
        "Only the co-chair of the Trade working group (Turkmenistan) or the council's secretaries can")
    assert count(Commitment) == 1
    tm = client.post("/api/v1/commitments", json=tm_body, headers=tm_chair)
    assert tm.status_code == 201, tm.json
    assert client.get(kz.headers["Location"], headers=kz_chair).json["counterpart_id"] == tm.json["id"]
    # Nor is one's own commitment moved to the other side by an edit.
    moved = edit(client, kz.headers["Location"], kz_chair, {"organisation_id": world.tm_org.id})
    assert moved.status_code == 403
    assert client.get(kz.headers["Location"], headers=kz_chair).json["organisation_id"] == world.kz_org.id


def test_a_member_may_not_make_commitments(client, world, token_for):
    adopted = RecommendationFactory(group=world.group)
    db.session.commit()
    refused = client.post("/api/v1/commitments", headers=bearer(token_for(world.member)), json={
        "recommendation_id": adopted.id, "organisation_id": world.kz_org.id,
        "description": {"ru": "Сам"}, "original_language": "ru", "due_date": TODAY.isoformat()})
    assert refused.status_code == 403
    assert "secretar" in refused.json["error"]["message"]
    assert count(Commitment) == 0


def test_initiatives_and_their_milestones(client, world, as_secretary):
    created = client.post("/api/v1/initiatives", headers=as_secretary, json={
        "code": "UZEN-BEREKET", "name": {"ru": "Узень – Берекет"}, "original_language": "ru",
        "group_id": world.group.id})
    assert created.status_code == 201, created.json
    url = created.headers["Location"]
    renamed = edit(client, url, as_secretary, {"name": {"ru": "Узень – Берекет – Горган"}, "group_id": None})
    assert renamed.status_code == 200, renamed.json
    assert renamed.json["group_id"] is None and renamed.json["milestones"] == []

    milestone = client.post(f"{url}/milestones", headers=as_secretary, json={
        "title": {"ru": "Рельсы уложены"}, "original_language": "ru",
        "due_date": (TODAY + timedelta(days=10)).isoformat()})
    assert milestone.status_code == 201, milestone.json
    future = client.post(f"{url}/milestones", headers=as_secretary, json={
        "title": {"ru": "Завтра"}, "original_language": "ru",
        "completed_on": (TODAY + timedelta(days=1)).isoformat()})
    assert future.status_code == 422 and future.json["error"]["field"] == "completed_on"
    reached = edit(client, milestone.headers["Location"], as_secretary, {"completed_on": TODAY.isoformat()})
    assert reached.status_code == 200 and reached.json["completed_on"] == TODAY.isoformat()
    assert [m["completed_on"] for m in client.get(url, headers=as_secretary).json["milestones"]] == [
        TODAY.isoformat()]


def test_indicators_and_observations(client, world, as_secretary):
    created = client.post("/api/v1/indicators", headers=as_secretary, json={
        "code": "TRADE", "name": {"ru": "Товарооборот"}, "original_language": "ru", "unit": "USD million",
        "baseline_value": 438.2, "baseline_date": "2025-01-01", "target_value": 600,
        "target_date": "2024-01-01"})
    assert created.status_code == 422 and created.json["error"]["field"] == "target_date"
    created = client.post("/api/v1/indicators", headers=as_secretary, json={
        "code": "TRADE", "name": {"ru": "Товарооборот"}, "original_language": "ru", "unit": "USD million",
        "baseline_value": 438.2, "target_value": 600, "group_id": world.group.id})
    assert created.status_code == 201, created.json
    assert created.json["latest_observation"] is None
    url = created.headers["Location"]
    observed = client.post(f"{url}/observations", headers=as_secretary, json={
        "observed_on": TODAY.isoformat(), "value": 450.5, "source": "Stat"})
    assert observed.status_code == 201, observed.json
    edited = edit(client, url, as_secretary, {"target_value": 650})
    assert edited.status_code == 200, edited.json
    assert edited.json["target_value"] == 650 and edited.json["latest_observation"]["value"] == 450.5
    assert db.session.get(Indicator, created.json["id"]).unit == "USD million"


def test_a_milestones_title_and_due_date_are_edited_with_if_match(client, world, as_secretary, token_for):
    created = client.post("/api/v1/initiatives", headers=as_secretary, json={
        "code": "KURYK-PORT", "name": {"ru": "Порт Курык"}, "original_language": "ru"})
    milestone = client.post(f"{created.headers['Location']}/milestones", headers=as_secretary, json={
        "title": {"ru": "Паромный терминал"}, "original_language": "ru", "due_date": "2026-09-01"})
    url = milestone.headers["Location"]
    stale = client.get(url, headers=as_secretary).headers["ETag"]
    moved = edit(client, url, as_secretary, {"title": {"ru": "Паромный терминал", "en": "Ferry terminal"},
                                             "due_date": "2026-12-01"})
    assert moved.status_code == 200, moved.json
    assert moved.json["title"]["en"] == "Ferry terminal" and moved.json["due_date"] == "2026-12-01"
    assert moved.json["completed_on"] is None  # left out: kept
    late = client.patch(url, json={"due_date": None}, headers={**as_secretary, "If-Match": stale})
    assert late.status_code == 412
    blank = edit(client, url, as_secretary, {"title": {"ru": ""}})
    assert blank.status_code == 422 and blank.json["error"]["field"] == "title"
    chair = bearer(token_for(world.kz_chair))
    refused = edit(client, url, chair, {"due_date": None})
    assert refused.status_code == 403 and "secretaries" in refused.json["error"]["message"]
    assert client.get(url, headers=as_secretary).json["due_date"] == "2026-12-01"


def test_a_recorded_value_is_corrected_with_if_match(client, world, as_secretary, token_for):
    created = client.post("/api/v1/indicators", headers=as_secretary, json={
        "code": "CROSSING-TIME", "name": {"ru": "Время пересечения"}, "original_language": "ru",
        "unit": "hours", "group_id": world.group.id})
    url = created.headers["Location"]
    for day, value in (("2025-12-31", 6), ("2026-01-31", 5.5)):
        assert client.post(f"{url}/observations", headers=as_secretary, json={
            "observed_on": day, "value": value, "source": "Border service"}).status_code == 201
    [latest, first] = client.get(f"{url}/observations", headers=as_secretary).json["items"]
    observation = f"{url}/observations/{latest['id']}"
    assert client.get(observation, headers=as_secretary).json == latest
    chair = bearer(token_for(world.kz_chair))  # the co-chair of the indicator's group records values
    corrected = edit(client, observation, chair, {"value": 4.75, "note": "Revised by the border service"})
    assert corrected.status_code == 200, corrected.json
    assert corrected.json["value"] == 4.75 and corrected.json["observed_on"] == "2026-01-31"
    assert client.get(url, headers=as_secretary).json["latest_observation"]["value"] == 4.75
    clash = edit(client, observation, chair, {"observed_on": first["observed_on"]})
    assert clash.status_code == 409 and clash.json["error"]["field"] == "observed_on"
    missing = client.patch(observation, json={"value": 1}, headers=chair)
    assert missing.status_code == 428
    member = bearer(token_for(world.member))
    assert edit(client, observation, member, {"value": 1}).status_code == 403
    assert client.get(f"{url}/observations/{first['id'] + 1000}", headers=chair).status_code == 404
    assert client.get(observation, headers=as_secretary).json["value"] == 4.75


def test_a_meeting_is_scheduled_as_a_draft_and_its_agenda_built(client, world, as_secretary):
    starts = (TODAY + timedelta(days=20)).isoformat()
    created = client.post("/api/v1/meetings", headers=as_secretary, json={
        "kind": "group_meeting", "group_id": world.group.id, "title": {"ru": "Заседание группы"},
        "original_language": "ru", "starts_at": f"{starts}T10:00:00", "ends_at": f"{starts}T12:00:00",
        "time_zone": "Asia/Aqtau", "place": "Актау", "invite_group_members": True})
    assert created.status_code == 201, created.json
    assert created.json["status"] == "draft"
    assert created.json["starts_at"].startswith(f"{starts}T05:00:00")  # 10:00 in Aqtau, in UTC
    url = created.headers["Location"]

    item = client.post(f"{url}/agenda-items", headers=as_secretary, json={
        "title": {"ru": "Очереди на границе"}, "original_language": "ru", "duration_minutes": 30})
    assert item.status_code == 201, item.json
    too_long = client.post(f"{url}/agenda-items", headers=as_secretary, json={
        "title": {"ru": "Всё остальное"}, "original_language": "ru", "duration_minutes": 100})
    assert too_long.status_code == 422 and too_long.json["error"]["field"] == "duration_minutes"
    longer = edit(client, item.headers["Location"], as_secretary, {"duration_minutes": 45})
    assert longer.status_code == 200 and longer.json["duration_minutes"] == 45

    moved = edit(client, url, as_secretary, {"ends_at": f"{starts}T13:00:00", "place": "Туркменбашы"})
    assert moved.status_code == 200, moved.json
    assert moved.json["place"] == "Туркменбашы" and moved.json["title"] == {"ru": "Заседание группы"}
    assert [entry["duration_minutes"] for entry in moved.json["agenda"]] == [45]
    shorter = edit(client, url, as_secretary, {"ends_at": f"{starts}T10:30:00"})
    assert shorter.status_code == 422 and shorter.json["error"]["field"] == "ends_at"
    meeting = db.session.get(Meeting, created.json["id"])
    assert meeting.status == MeetingStatus.DRAFT and count(AgendaItem) == 1


# Bad input ---------------------------------------------------------------------------------------


def test_bad_input_names_the_field_and_saves_nothing(client, world, as_secretary):
    cases = [
        ({**recommendation_body(world), "group_id": 999999}, "group_id"),
        ({**recommendation_body(world), "code": "no spaces please"}, "code"),
        ({**recommendation_body(world), "title": {"kk": "Тек қазақша"}}, "title"),
        ({**recommendation_body(world), "title": {"xx": "?"}}, "title.xx"),
        ({**recommendation_body(world), "source": "rumour"}, "source"),
        ({key: value for key, value in recommendation_body(world).items() if key != "code"}, "code"),
    ]
    for body, field in cases:
        answer = client.post("/api/v1/recommendations", json=body, headers=as_secretary)
        assert answer.status_code == 422, (field, answer.json)
        assert answer.json["error"]["field"] == field, (field, answer.json)
    not_json = client.post("/api/v1/recommendations", data="code=X", headers=as_secretary,
                           content_type="application/x-www-form-urlencoded")
    assert not_json.status_code == 415
    assert count(Recommendation) == 0


def test_a_read_only_token_changes_nothing(client, world, token_for):
    record = RecommendationFactory(group=world.group)
    db.session.commit()
    reader = bearer(token_for(world.secretary, TokenScope.READ))
    url = f"/api/v1/recommendations/{record.id}"
    etag = client.get(url, headers=reader).headers["ETag"]
    answers = [
        client.post("/api/v1/recommendations", json=recommendation_body(world), headers=reader),
        client.patch(url, json={"priority": "low"}, headers={**reader, "If-Match": etag}),
        client.post("/api/v1/initiatives", headers={**reader, "Idempotency-Key": "read-only-1"},
                    json={"code": "X1", "name": {"ru": "X"}, "original_language": "ru"}),
    ]
    assert [answer.status_code for answer in answers] == [403, 403, 403]
    assert "read-write" in answers[0].json["error"]["message"]
    assert count(Recommendation) == 1 and count(Initiative) == 0 and count(IdempotentRequest) == 0


# Idempotency-Key ---------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_gets_the_first_answer_and_makes_nothing_twice(client, world,
                                                                                as_secretary):
    headers = {**as_secretary, "Idempotency-Key": "c0ffee-1"}
    first = client.post("/api/v1/recommendations", json=recommendation_body(world), headers=headers)
    again = client.post("/api/v1/recommendations", json=recommendation_body(world), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert count(Recommendation) == 1

    other = client.post("/api/v1/recommendations", headers=headers,
                        json=recommendation_body(world, code="TRD-2026-011"))
    assert other.status_code == 422 and other.json["error"]["field"] == "Idempotency-Key"
    assert count(Recommendation) == 1
    # Keys are the token's own: another token's same key is another request.
    another = client.post("/api/v1/initiatives", headers={**as_secretary, "Idempotency-Key": "c0ffee-2"},
                          json={"code": "X1", "name": {"ru": "X"}, "original_language": "ru"})
    assert another.status_code == 201


def test_a_refusal_is_not_kept_and_a_key_expires_after_a_day(client, world, as_secretary):
    headers = {**as_secretary, "Idempotency-Key": "retry-me"}
    refused = client.post("/api/v1/recommendations", json=recommendation_body(world, code="bad code"),
                          headers=headers)
    assert refused.status_code == 422
    first = client.post("/api/v1/recommendations", json=recommendation_body(world), headers=headers)
    assert first.status_code == 201 and count(IdempotentRequest) == 1
    row = db.session.scalar(select(IdempotentRequest))
    row.created_at -= timedelta(hours=25)
    db.session.commit()
    # A day later the key is forgotten: the same request is a new one (here refused: the code is taken).
    late = client.post("/api/v1/recommendations", json=recommendation_body(world), headers=headers)
    assert late.status_code == 409 and "Idempotent-Replayed" not in late.headers
    assert count(Recommendation) == 1


def test_expired_keys_are_cleared_by_beat_in_batches_whoever_sent_them(app, client, world, token_for):
    """Keys of tokens that never come back are cleared too: an hourly beat task deletes every key past
    its day, in batches; the keys still within their day keep answering retries."""
    from council.celery import beat_schedule

    entry = beat_schedule(app.config)["idempotency-keys"]
    assert entry["task"] == "council.api.clear_idempotency_keys"
    secretary, chair = bearer(token_for(world.secretary)), bearer(token_for(world.kz_chair))
    for number, headers in enumerate([secretary, secretary, chair, chair, chair]):
        answer = client.post("/api/v1/recommendations", headers={**headers, "Idempotency-Key": f"k-{number}"},
                             json=recommendation_body(world, code=f"TRD-2026-10{number}"))
        assert answer.status_code == 201, answer.json
    rows = list(db.session.scalars(select(IdempotentRequest).order_by(IdempotentRequest.id)))
    for row in rows[:4]:  # both tokens' first keys are past their day; neither token sends again
        row.created_at -= timedelta(hours=25)
    db.session.commit()

    from council.api import writes

    assert writes.clear_expired_keys(batch_size=3) == 4  # two batches: 3, then 1
    # Through the worker's entry point as beat calls it: nothing is left to clear.
    clear = app.extensions["celery"].tasks["council.api.clear_idempotency_keys"]
    assert clear.apply().get() == 0
    db.session.expire_all()
    assert [row.key for row in db.session.scalars(select(IdempotentRequest))] == ["k-4"]
    replay = client.post("/api/v1/recommendations", headers={**chair, "Idempotency-Key": "k-4"},
                         json=recommendation_body(world, code="TRD-2026-104"))
    assert replay.headers["Idempotent-Replayed"] == "true"


def test_a_malformed_key_is_refused(client, world, as_secretary):
    answer = client.post("/api/v1/recommendations", json=recommendation_body(world),
                         headers={**as_secretary, "Idempotency-Key": "x" * 256})
    assert answer.status_code == 422 and answer.json["error"]["field"] == "Idempotency-Key"
    assert count(Recommendation) == 0


# Two requests with the same key at once (PostgreSQL: SQLite serialises writers) ----------------------


ON_POSTGRESQL = os.environ.get("COUNCIL_TEST_DATABASE_URL", "").startswith("postgresql")


@pytest.mark.skipif(not ON_POSTGRESQL, reason="SQLite serialises writers: no two requests at once")
def test_two_requests_with_the_same_key_at_once_make_one_record(app, world, token_for):
    headers = {**bearer(token_for(world.secretary)), "Idempotency-Key": "at-once"}
    body = recommendation_body(world)
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def send() -> None:
        other = app.test_client()
        barrier.wait()
        answers.append(other.post("/api/v1/recommendations", json=body, headers=headers))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(answer.status_code for answer in answers) == [201, 201], [a.json for a in answers]
    assert answers[0].json == answers[1].json
    assert count(Recommendation) == 1 and count(IdempotentRequest) == 1


@pytest.mark.skipif(not ON_POSTGRESQL, reason="SQLite serialises writers: no two requests at once")
def test_a_retry_waits_for_the_first_request_with_its_key_and_replays_its_answer(app, world, token_for):
    """The key is claimed before the change is made: a retry that arrives while the first request is
    still in its transaction waits for it on the unique constraint, then answers what it answered."""
    secret = token_for(world.secretary)
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == hash_secret(secret)))
    body = recommendation_body(world)
    answers: list[Any] = []
    with db.engine.connect() as first:  # the first request, still in its transaction
        first.execute(IdempotentRequest.__table__.insert().values(
            token_id=token_id, key="slow", fingerprint=_fingerprint_of(app, body), status=201,
            body='{"first": true}', location="/api/v1/recommendations/1",
            created_at=datetime.now(UTC)))
        retry = threading.Thread(target=lambda: answers.append(app.test_client().post(
            "/api/v1/recommendations", json=body,
            headers={**bearer(secret), "Idempotency-Key": "slow"})))
        retry.start()
        retry.join(2)
        assert retry.is_alive()  # waiting on the key
        first.commit()
    retry.join(30)
    assert answers[0].status_code == 201 and answers[0].json == {"first": True}
    assert answers[0].headers["Idempotent-Replayed"] == "true"
    assert count(Recommendation) == 0  # the retry made nothing


def _fingerprint_of(app: Any, body: dict[str, Any]) -> str:
    from council.api.writes import _fingerprint

    with app.test_request_context("/api/v1/recommendations", method="POST", json=body):
        return _fingerprint()


def test_a_meeting_time_out_of_any_calendar_is_refused(client, world, as_secretary):
    answer = client.post("/api/v1/meetings", headers=as_secretary, json={
        "kind": "council_session", "title": {"ru": "Сессия"}, "original_language": "ru",
        "starts_at": "0001-01-01T00:00:00", "ends_at": "0001-01-01T02:00:00", "time_zone": "Asia/Aqtau",
        "place": "Актау"})
    assert answer.status_code == 422 and answer.json["error"]["field"] == "starts_at"
    assert count(Meeting) == 0
