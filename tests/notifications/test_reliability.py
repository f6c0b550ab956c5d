"""Nothing is lost and nothing is sent twice, with the real parts: Redis, Celery workers, an SMTP sink.

1. a change made while Redis is down is delivered once Redis is back, exactly once;
2. a message sent while SMTP refuses is retried and delivered once SMTP is back; after the retry budget
   it is marked failed, shown to admins, and an admin's retry delivers it;
3. the digest task run twice, on two workers at once, gives each person exactly one digest;
4. a worker killed in the middle of a digest run leaves nobody without a digest, and sends a second copy
   only of the digests of the group it was sending (the delivery contract: those rows are in doubt, and
   sent again with the same Message-ID).
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from council.directory.models import GroupRole
from council.extensions import db
from council.notifications.models import (
    Channel,
    DeliveryState,
    DigestRun,
    EmailMode,
    Notification,
    NotificationPreference,
)
from council.notifications.outbox import dispatch
from tests.conftest import IsolatedClient, page_text, sign_in
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.notifications.conftest import wait_for, worker_thread
from tests.notifications.happenings import assign, meeting_event, recommendation

pytestmark = pytest.mark.redis

MORNING = datetime(2026, 11, 25, 2, 5, tzinfo=UTC)  # 07:05 in Aqtau
YESTERDAY = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def email_rows() -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.channel == Channel.EMAIL)
                                   .order_by(Notification.id)))


def all_sent() -> bool:
    rows = email_rows()
    return bool(rows) and all(row.state == DeliveryState.SENT for row in rows)


def test_a_change_made_while_redis_is_down_is_delivered_once_it_is_back(own_redis, broker_app, own_smtp,
                                                                         world):
    sink, port = own_smtp
    app = broker_app(own_redis.url, smtp_port=port)
    recommendation(world)
    with app.app_context(), worker_thread(app):
        own_redis.stop()
        assign(world)  # the commit succeeds; handing the e-mails to Celery fails (and is logged)
        rows = email_rows()
        assert len(rows) == 3 and all(row.state == DeliveryState.PENDING for row in rows)
        time.sleep(1)
        assert sink.messages == []

        own_redis.start()
        assert wait_for(lambda: dispatch("council.notifications.sweep"), timeout=30,
                        message="the broker to take the sweep")  # what beat does every minute
        wait_for(all_sent, timeout=60, message="the pending e-mails to be delivered")
        # Later sweeps, and a duplicated delivery task, send nothing more.
        for row in rows:
            dispatch("council.notifications.deliver", row.id)
        dispatch("council.notifications.sweep")
        time.sleep(2)
    assert sorted(m["To"] for m in sink.messages) == ["member@example.org", "observer@example.org",
                                                      "secretary@example.org"]


def test_smtp_refusal_is_retried_until_delivered_and_failed_mail_is_retried_by_an_admin(
        redis_url, queue_name, broker_app, own_smtp, world):
    sink, port = own_smtp
    sink.refusing = True
    app = broker_app(redis_url, queue_name, smtp_port=port, NOTIFICATION_RETRY_BASE_SECONDS=1.0,
                     NOTIFICATION_MAX_ATTEMPTS=3)
    app.test_client_class = IsolatedClient
    with app.app_context(), worker_thread(app):
        meeting_event("meeting.invited", world, world.secretary, meeting_id=1, group_id=None,
                      user_ids=[world.member.id])
        [row] = email_rows()

        def attempts() -> int:
            db.session.refresh(row)
            return row.attempts

        wait_for(lambda: sink.refused == 2, message="the second attempt")  # 1 s after the first
        sink.refusing = False  # the server is back before the third and last attempt (2 s later)
        wait_for(lambda: len(sink.messages) == 1, message="delivery once SMTP is back")
        wait_for(lambda: attempts() == 3 and row.state == DeliveryState.SENT, message="the row sent")
        assert sink.refused == 2 and "451" in row.last_error  # the last error stays on record

        sink.refusing = True
        meeting_event("meeting.cancelled", world, world.secretary, meeting_id=2, group_id=None,
                      user_ids=[world.member.id], reason="The ferry to Turkmenbashi is cancelled")
        failed = email_rows()[-1]
        wait_for(lambda: db.session.refresh(failed) or failed.state == DeliveryState.FAILED, timeout=30,
                 message="the retry budget to run out")
        assert failed.attempts == 3 and sink.refused == 5

        browser = app.test_client()
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        sign_in(browser, world.admin.email, PASSWORD)
        page = page_text(browser.get("/admin/outbox?state=failed"))
        assert "member@example.org" in page and "meeting.cancelled" in page and "SMTPDataError" in page
        sink.refusing = False
        assert browser.post(f"/admin/outbox/{failed.id}/retry").status_code == 302
        wait_for(lambda: len(sink.messages) == 2, message="the admin's retry to be delivered")
        wait_for(all_sent, message="every row sent")
        time.sleep(1)
    assert [m["To"] for m in sink.messages] == ["member@example.org", "member@example.org"]
    assert "Reason: The ferry to Turkmenbashi is cancelled" in sink.text_of(sink.messages[1])


def digest_readers(world, count: int) -> list[int]:
    """`count` people of the trade group on daily digests, each with one piece of news yesterday."""
    people = [UserFactory(organisation=world.kz_org, email=f"reader{n:02d}@example.org")
              for n in range(count)]
    for person in people:
        MembershipFactory(group=world.group, user=person, role=GroupRole.MEMBER)
        db.session.add(NotificationPreference(user_id=person.id, email_mode=EmailMode.DAILY))
    db.session.commit()
    with time_machine.travel(YESTERDAY, tick=False):
        meeting_event("meeting.agenda_published", world, world.secretary, title={"en": "Trade, Q4"})
    return [person.id for person in people]


def digests_per_person(sink) -> Counter[str]:
    return Counter(str(m["To"]) for m in sink.messages if "your digest" in str(m["Subject"]))


def test_the_digest_task_twice_on_two_workers_at_once_gives_one_digest_each(
        redis_url, queue_name, broker_app, worker_processes, world, mail_sink):
    readers = digest_readers(world, 30)
    app = broker_app(redis_url, queue_name, DIGEST_BATCH_SIZE=4)
    with app.app_context():
        first, second = worker_processes(app, queue_name, "w1"), worker_processes(app, queue_name, "w2")
        at = MORNING.isoformat()
        for _ in range(2):  # beat ticking twice, and each batch handed over twice more
            dispatch("council.digests.plan", at)
            for start in range(0, len(readers), 4):
                dispatch("council.digests.send", readers[start:start + 4], at)
        wait_for(lambda: len(digests_per_person(mail_sink)) == 30, timeout=120,
                 message="every reader's digest")
        wait_for(all_sent, timeout=60, message="every row sent")
        time.sleep(2)  # whatever is still queued has nothing left to send
    assert set(digests_per_person(mail_sink).values()) == {1}
    assert db.session.scalar(select(func.count()).select_from(DigestRun)) == 30
    for worker in (first, second):
        assert "council.digests.send" in worker.log.read_text(), "both workers took digest batches"


def test_a_worker_killed_in_a_digest_run_leaves_nobody_without_and_repeats_only_its_group_in_doubt(
        redis_url, queue_name, broker_app, worker_processes, world, own_smtp):
    sink, port = own_smtp
    readers = len(digest_readers(world, 100))
    broker = broker_app(redis_url, queue_name, smtp_port=port, DIGEST_BATCH_SIZE=3)
    at = MORNING.isoformat()
    with broker.app_context():
        # First crash: while the digests are being composed.
        first = worker_processes(broker, queue_name, "w1")
        dispatch("council.digests.plan", at)
        wait_for(lambda: db.session.scalar(select(func.count()).select_from(DigestRun)) >= 6,
                 interval=0.01, message="some digests composed")
        first.kill()
        composed_before_the_crash = db.session.scalar(select(func.count()).select_from(DigestRun))

        # Second crash: while the SMTP server receives the 9th digest (which it then never accepts).
        second = worker_processes(broker, queue_name, "w2")

        def kill_at_the_ninth(message) -> bool:
            if len(digests_per_person(sink)) < 8:
                return True
            os.kill(second.pid, signal.SIGKILL)
            return False

        sink.before_accept = kill_at_the_ninth
        dispatch("council.digests.plan", at)  # the next beat tick finds whoever has no digest yet
        wait_for(lambda: second.process.poll() is not None, timeout=120, message="the second crash")
        sink.before_accept = None
        assert len(digests_per_person(sink)) == 8

        # A new worker; beat plans again and sweeps the outbox once the dead worker's claim expires.
        worker_processes(broker, queue_name, "w3")
        time.sleep(broker.config["NOTIFICATION_CLAIM_SECONDS"])
        dispatch("council.digests.plan", at)
        dispatch("council.notifications.sweep")
        wait_for(lambda: len(digests_per_person(sink)) == readers, timeout=180,
                 message="every reader's digest")
        wait_for(all_sent, timeout=60, message="every row sent")
        dispatch("council.notifications.sweep")
        time.sleep(2)
    counts = digests_per_person(sink)
    assert sorted(counts) == [f"reader{n:02d}@example.org" for n in range(readers)]
    # A second copy only of the digests the killed worker's group had sent before its commit (at most
    # the 8 accepted), each with its first copy's Message-ID and counted in doubt.
    twice = {address for address, count in counts.items() if count > 1}
    assert set(counts.values()) <= {1, 2} and len(twice) <= 8
    copies: dict[str, set[str]] = {}
    for message in sink.messages:
        if str(message["To"]) in twice and "your digest" in str(message["Subject"]):
            copies.setdefault(str(message["To"]), set()).add(str(message["Message-ID"]))
    assert all(len(ids) == 1 for ids in copies.values())
    in_doubt = {f"<notification-{row.id}@council.test>" for row in email_rows() if row.in_doubt_sends}
    assert set().union(*copies.values()) <= in_doubt
    assert db.session.scalar(select(func.count()).select_from(DigestRun)) == readers
    assert composed_before_the_crash < readers, "the first crash came before every digest was composed"


def test_a_worker_killed_after_the_server_accepted_the_message_sends_no_second_copy(
        redis_url, queue_name, broker_app, worker_processes, world, own_smtp):
    """bench/faults.py found a person with the same e-mail twice: the worker was killed after the SMTP
    server had accepted the message but before the row was marked sent (it said goodbye, QUIT, first),
    so once the claim expired the sweep sent it again. The row is marked sent before QUIT now."""
    sink, port = own_smtp
    broker = broker_app(redis_url, queue_name, smtp_port=port)
    row = Notification(council_id=world.council.id, recipient_id=world.member.id, kind="meeting.cancelled",
                       channel=Channel.EMAIL, state=DeliveryState.PENDING, payload={"title": "Trade, Q4"},
                       next_attempt_at=datetime.now(UTC))
    db.session.add(row)
    db.session.commit()
    with broker.app_context():
        first = worker_processes(broker, queue_name, "w1")

        def kill_at_goodbye() -> None:
            if first.process.poll() is None:
                os.kill(first.pid, signal.SIGKILL)

        sink.on_quit = kill_at_goodbye
        dispatch("council.notifications.deliver", row.id)
        wait_for(lambda: first.process.poll() is not None, timeout=60, message="the worker to die at QUIT")
        sink.on_quit = None
        assert len(sink.messages) == 1

        # A new worker; the dead one's claim expires and the sweep looks for what is left to send.
        worker_processes(broker, queue_name, "w2")
        time.sleep(broker.config["NOTIFICATION_CLAIM_SECONDS"] + 0.5)
        dispatch("council.notifications.sweep")
        wait_for(all_sent, timeout=30, message="the row marked sent")
        dispatch("council.notifications.sweep")
        time.sleep(2)
    assert [m["To"] for m in sink.messages] == ["member@example.org"]
