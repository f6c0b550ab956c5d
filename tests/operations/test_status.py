"""The operator's view: /admin/status for administrators, /metrics for Prometheus."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
import redis

from council.extensions import db
from council.notifications.models import Channel, DeliveryState, Notification
from council.operations import status
from council.timeutil import utcnow
from tests.conftest import IsolatedClient, page_text


def email_row(world, state: DeliveryState, **values) -> Notification:
    row = Notification(council_id=world.council.id, recipient_id=world.member.id, kind="commitment.verified",
                       channel=Channel.EMAIL, state=state, payload={}, **values)
    db.session.add(row)
    return row


@pytest.fixture
def outbox_rows(world):
    now = utcnow()
    email_row(world, DeliveryState.PENDING, created_at=now - timedelta(hours=3), next_attempt_at=now)
    email_row(world, DeliveryState.PENDING, created_at=now - timedelta(minutes=5), next_attempt_at=now)
    email_row(world, DeliveryState.SENDING, claimed_until=now - timedelta(minutes=1))  # in doubt
    email_row(world, DeliveryState.SENT, in_doubt_sends=1, sent_at=now)
    email_row(world, DeliveryState.FAILED, failed_at=now - timedelta(hours=2))
    email_row(world, DeliveryState.FAILED, failed_at=now - timedelta(days=3))
    db.session.commit()
    return now


def test_the_outbox_figures(world, outbox_rows):
    figures = status.outbox_figures(world.council.id)
    assert figures.by_state == {DeliveryState.PENDING: 2, DeliveryState.SENDING: 1, DeliveryState.SENT: 1,
                                DeliveryState.FAILED: 2}
    assert figures.oldest_pending == outbox_rows - timedelta(hours=3)
    assert (figures.in_doubt_now, figures.failed_last_day, figures.in_doubt_sends) == (1, 1, 1)


def test_an_admin_sees_the_status_page(client, auth, world, outbox_rows, tmp_path, app):
    uploads = tmp_path / "uploads"
    (uploads / "evidence").mkdir(parents=True)
    (uploads / "evidence" / "a.pdf").write_bytes(b"x" * 3000)
    app.config["UPLOAD_FOLDER"] = str(uploads)
    try:
        auth.login(world.admin)
        page = page_text(client.get("/admin/status"))
    finally:
        app.config["UPLOAD_FOLDER"] = str(tmp_path / "unused")
    assert "Platform status" in page and "Failed in the last 24 hours" in page
    assert "Being sent" in page and "In doubt now" in page
    assert "1 file" in page and "3 kB" in page
    assert "No Redis is configured" in page
    auth.logout()
    auth.login(world.secretary)
    assert client.get("/admin/status").status_code == 403


def test_the_status_page_shows_the_beat_the_queue_and_the_last_runs(make_app, world):
    url = os.environ.get("COUNCIL_TEST_REDIS_URL")
    if not url:
        pytest.skip("COUNCIL_TEST_REDIS_URL is not set")
    other = make_app(REDIS_URL=url, CELERY_QUEUE="council-test-status-queue")
    client = redis.Redis.from_url(url)
    client.delete("council-test-status-queue")
    client.rpush("council-test-status-queue", b"a", b"b", b"c")
    # Read from the test app's session before entering the other app: inside it, that session would
    # borrow a connection from the other app's engine and keep it after that engine is disposed.
    council_id = world.council.id
    try:
        with other.app_context():
            status.record_run("digests")
            figures = status.status(council_id)
            assert figures.queue_length == 3
            assert figures.last_runs["digests"] is not None
            assert abs(figures.last_runs["digests"] - utcnow()) < timedelta(minutes=1)
    finally:
        client.delete("council-test-status-queue")
        for name in status.RUNS:
            client.delete(status.RUN_KEY.format(name=name))


def test_metrics_from_an_allowed_address(client, auth, world, outbox_rows):
    auth.login(world.member)
    client.get("/people")
    text = page_text(client.get("/metrics"))
    assert 'council_outbox_emails{state="pending"} 2.0' in text
    assert "council_emails_delivered_total 1.0" in text and "council_emails_failed_total 2.0" in text
    assert "council_emails_in_doubt_resent_total 1.0" in text
    assert re.search(r'council_request_duration_seconds_count\{endpoint="directory.people",method="GET",'
                     r'status="200"\} [1-9]', text)


def test_metrics_are_refused_to_other_addresses_and_to_a_wrong_token(make_app):
    other = make_app(METRICS_TOKEN="scrape-secret", METRICS_ALLOW=["10.0.0.0/8"])
    other.test_client_class = IsolatedClient
    browser = other.test_client()
    assert browser.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 404
    assert browser.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404
    assert browser.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"},
                       headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert browser.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"},
                       headers={"Authorization": "Bearer scrape-secret"}).status_code == 200
    assert browser.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
