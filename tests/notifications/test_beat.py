"""Beat: RedBeat keeps the schedule and its lock in Redis, so a second beat never sends twice; it
takes over when the first one dies; and the beat leaves the heartbeat the admins' page watches."""

from __future__ import annotations

import re
import time

import pytest
import redis
from sqlalchemy import select

from council.extensions import db
from council.notifications.models import Channel, DeliveryState, Notification
from council.notifications.outbox import BEAT_HEARTBEAT_KEY
from council.timeutil import utcnow
from tests.notifications.conftest import wait_for

pytestmark = pytest.mark.redis


def sweeps_received(worker) -> int:
    return len(re.findall(r"Task council\.notifications\.sweep\[[^]]+\] received", worker.log.read_text()))


def test_two_beats_send_once_and_the_standby_takes_over(own_redis, broker_app, worker_processes,
                                                         beat_processes, world, mail_sink):
    app = broker_app(own_redis.url, OUTBOX_SWEEP_SECONDS=1.0, BEAT_LOCK_SECONDS=4,
                     BEAT_MAX_LOOP_SECONDS=1)
    store = redis.Redis.from_url(own_redis.url)
    # An e-mail left pending (its task was lost): only a sweep sends it.
    row = Notification(council_id=world.council.id, recipient_id=world.member.id, kind="meeting.cancelled",
                       channel=Channel.EMAIL, state=DeliveryState.PENDING, payload={"title": "Trade, Q4"},
                       next_attempt_at=utcnow())
    db.session.add(row)
    db.session.commit()

    with app.app_context():
        worker = worker_processes(app, "celery")
        first = beat_processes(app, "celery", "beat-a")
        wait_for(lambda: store.get(BEAT_HEARTBEAT_KEY), message="the first beat's heartbeat")
        second = beat_processes(app, "celery", "beat-b")
        wait_for(lambda: db.session.scalar(select(Notification.state).where(Notification.id == row.id))
                 == DeliveryState.SENT, timeout=30, message="the sweep to send the pending e-mail")
        db.session.rollback()
        assert [m["To"] for m in mail_sink.messages] == ["member@example.org"]

        # Both beats run; the sweep, due every second, is sent about once a second, not twice.
        before, started = sweeps_received(worker), time.monotonic()
        time.sleep(6)
        sent = sweeps_received(worker) - before
        assert 3 <= sent <= time.monotonic() - started + 2
        assert b"Acquired lock" in first.log.read_bytes()
        assert b"Acquired lock" not in second.log.read_bytes()

        # The first beat dies: the second takes the lock once it expires, and the heartbeat goes on.
        first.kill()
        wait_for(lambda: b"Acquired lock" in second.log.read_bytes(), timeout=30,
                 message="the standby beat to take over")
        beat_before = store.get(BEAT_HEARTBEAT_KEY)
        wait_for(lambda: store.get(BEAT_HEARTBEAT_KEY) != beat_before, message="a new heartbeat")
        before = sweeps_received(worker)
        wait_for(lambda: sweeps_received(worker) > before + 2, message="sweeps from the standby")
    assert len(mail_sink.messages) == 1


def test_beat_outlives_redis_stopped_and_back_empty_and_the_sweep_goes_on(own_redis, broker_app,
                                                                          worker_processes, beat_processes,
                                                                          world, mail_sink):
    """bench/faults.py: RedBeat raised on the refused connection and beat exited, so nothing swept the
    outbox any more. Now beat waits for Redis, then takes the lock again and reinstalls the schedule
    that went with Redis's data, and an e-mail whose task was lost is still sent by a sweep."""
    app = broker_app(own_redis.url, OUTBOX_SWEEP_SECONDS=1.0, BEAT_MAX_LOOP_SECONDS=1,
                     NOTIFICATION_SWEEP_GRACE_SECONDS=0)
    with app.app_context():
        worker = worker_processes(app, "celery")
        beat = beat_processes(app, "celery", "beat-a")
        store = redis.Redis.from_url(own_redis.url)
        wait_for(lambda: store.get(BEAT_HEARTBEAT_KEY), message="the beat's heartbeat")

        own_redis.stop()
        time.sleep(3)  # several ticks without Redis
        row = Notification(council_id=world.council.id, recipient_id=world.member.id,
                           kind="meeting.cancelled", channel=Channel.EMAIL, state=DeliveryState.PENDING,
                           payload={"title": "Trade, Q4"}, next_attempt_at=utcnow())
        db.session.add(row)  # its delivery task could not be queued: only a sweep sends it
        db.session.commit()
        assert beat.process.poll() is None, beat.log.read_text()[-2000:]

        own_redis.start()  # empty: no lock, no schedule, no heartbeat
        store = redis.Redis.from_url(own_redis.url)
        wait_for(lambda: store.get(BEAT_HEARTBEAT_KEY), timeout=30, message="a heartbeat after Redis is back")
        wait_for(lambda: db.session.scalar(select(Notification.state).where(Notification.id == row.id))
                 == DeliveryState.SENT, timeout=30, message="a sweep to send the pending e-mail")
        db.session.rollback()
        assert beat.process.poll() is None
        assert b"Redis is back" in beat.log.read_bytes()
        assert worker.process.poll() is None
    assert [m["To"] for m in mail_sink.messages] == ["member@example.org"]


def test_a_standby_that_lost_redis_while_waiting_for_the_lock_keeps_running(own_redis, broker_app):
    """RedBeat swallows a Redis error met while a standby waits for the lock (in beat_init) and leaves it
    with a lock key and no lock; its first tick then failed on the missing lock and beat exited."""
    from workers.beat import CouncilScheduler

    app = broker_app(own_redis.url)
    scheduler = CouncilScheduler(app=app.extensions["celery"], lazy=True)
    scheduler.lock_key = "redbeat::lock"
    scheduler.lock = None
    own_redis.stop()
    assert scheduler.tick() == scheduler.max_interval  # waits instead of raising
    own_redis.start()
    scheduler.tick()
    assert scheduler.lock is not None and scheduler.lock.owned()
    assert redis.Redis.from_url(own_redis.url).exists("redbeat::lock")
