"""Webhooks through the real parts: Redis as the broker and a Celery worker (celery.contrib.testing)."""

from __future__ import annotations

import time

import pytest

from council.extensions import db
from council.notifications.outbox import dispatch
from council.webhooks.models import DeliveryState
from tests.notifications.conftest import wait_for, worker_thread
from tests.webhooks.conftest import SETTINGS
from tests.webhooks.test_delivery import BLOCKED, commitment_of, rows

pytestmark = pytest.mark.redis


def change_in(app_world: tuple[int, int, int, int], url: str) -> None:
    """Register the endpoint and block the commitment in the worker app's own session (ids in)."""
    from council.directory.models import Council, User
    from council.tracker import services as tracker
    from council.tracker.models import Commitment, CommitmentStatus
    from council.webhooks import services

    council_id, secretary_id, member_id, commitment_id = app_world
    services.register(db.session.get(User, secretary_id), db.session.get(Council, council_id),
                      name="Akimat system", url=url, kinds=[BLOCKED], organisation_id=None)
    db.session.commit()
    commitment = db.session.get(Commitment, commitment_id)
    tracker.change_commitment_status(db.session.get(User, member_id), commitment, CommitmentStatus.BLOCKED,
                                     "Waiting for customs")
    db.session.commit()


def ids_of(world, commitment) -> tuple[int, int, int, int]:
    ids = (world.council.id, world.secretary.id, world.member.id, commitment.id)
    db.session.close()  # the test's own session lets go of SQLite before the worker app writes
    return ids


def test_a_receiver_down_for_a_while_gets_one_delivery_from_the_worker(redis_url, queue_name, broker_app,
                                                                       world, receiver):
    app = broker_app(redis_url, queue_name, **{**SETTINGS, "WEBHOOK_RETRY_BASE_SECONDS": 0.5,
                                               "WEBHOOK_MAX_ATTEMPTS": 20})
    ids = ids_of(world, commitment_of(world))
    receiver.stop()
    with app.app_context(), worker_thread(app):
        change_in(ids, receiver.url)
        wait_for(lambda: rows() and rows()[0].attempts >= 2, message="two refused attempts")
        assert receiver.received == []
        receiver.start()
        wait_for(lambda: rows()[0].state == DeliveryState.DELIVERED, timeout=30,
                 message="the delivery once the receiver is back")
        [row] = rows()
        webhook_id = row.webhook_id
        dispatch("council.webhooks.deliver", row.id)  # a duplicated task
        dispatch("council.webhooks.sweep")
        time.sleep(1.5)
        db.session.expire_all()
    assert receiver.ids() == [webhook_id]


def test_a_receiver_answering_500_is_retried_by_the_worker_then_failed(redis_url, queue_name, broker_app,
                                                                      world, receiver):
    app = broker_app(redis_url, queue_name, **{**SETTINGS, "WEBHOOK_RETRY_BASE_SECONDS": 0.2})
    receiver.status = 500
    ids = ids_of(world, commitment_of(world))
    with app.app_context(), worker_thread(app):
        change_in(ids, receiver.url)
        wait_for(lambda: rows()[0].state == DeliveryState.FAILED, timeout=30, message="the budget spent")
        [row] = rows()
        assert row.attempts == 3 and row.response_code == 500 and receiver.ids() == [row.webhook_id] * 3
