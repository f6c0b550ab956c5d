"""The e-mail delivery contract (README, "E-mail delivery"): a row is committed as "sending", with its
Message-ID, before the SMTP conversation; a row still "sending" after its claim expired is in doubt and
is sent again with the same Message-ID, and counted. Rows sent together (a digest chunk) are marked sent
together, after the session: a crash before that commit leaves the whole group in doubt.

The sender that dies is a real process, killed (SIGKILL) by the real SMTP sink while the sink holds its
message: the moment between the server's acceptance and the row's commit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import time_machine
from sqlalchemy import create_engine, select, text

from council.extensions import db
from council.notifications import outbox
from council.notifications.models import Channel, DeliveryState, Notification
from council.timeutil import utcnow
from tests.notifications.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]
SENDER = """
import sys
from council import create_app
from council.notifications import outbox
from tests.conftest import settings_for

app = create_app(settings_for(sys.argv[1], int(sys.argv[2]), NOTIFICATION_CLAIM_SECONDS=60.0))
with app.app_context():
    ids = [int(each) for each in sys.argv[3:]]
    outbox.deliver(ids[0]) if len(ids) == 1 else outbox.deliver_many(ids)
"""


def outbox_row(world: Any, recipient: Any = None) -> Notification:
    row = Notification(council_id=world.council.id, recipient_id=(recipient or world.observer).id,
                       kind="commitment.verified", channel=Channel.EMAIL, state=DeliveryState.PENDING,
                       payload={"code": "TRD-1"}, next_attempt_at=utcnow() - timedelta(minutes=1))
    db.session.add(row)
    db.session.commit()
    return row


def state_in_database(url: str, notification_id: int) -> tuple[str, str | None]:
    """The row as another connection sees it: only what was committed."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            state, message_id = connection.execute(
                text("SELECT state, message_id FROM notification WHERE id = :id"),
                {"id": notification_id}).one()
    finally:
        engine.dispose()
    return state, message_id


def test_the_row_is_committed_as_sending_with_its_message_id_before_the_smtp_send(
        other_app, own_smtp, world):
    sink, port = own_smtp
    row = outbox_row(world)
    seen: list[tuple[str, str | None, str]] = []
    url = db.engine.url.render_as_string(hide_password=False)
    sink.before_accept = lambda message: bool(seen.append(
        (*state_in_database(url, row.id), str(message["Message-ID"])))) or True
    other = other_app(MAIL_PORT=port)
    with other.app_context():
        assert outbox.deliver(row.id).sent
    [(state, stored_id, header)] = seen
    assert state == "sending" and stored_id == header == f"<notification-{row.id}@council.test>"
    db.session.refresh(row)
    assert (row.state, row.message_id, row.in_doubt_sends) == (DeliveryState.SENT, header, 0)


def test_a_sender_killed_after_the_server_accepted_leaves_the_row_in_doubt_and_it_is_sent_again(
        other_app, own_smtp, world):
    sink, port = own_smtp
    row = outbox_row(world)
    url = db.engine.url.render_as_string(hide_password=False)
    sender = subprocess.Popen([sys.executable, "-c", SENDER, url, str(port), str(row.id)],  # noqa: S603  our own script
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})

    def kill_the_sender(message: Any) -> bool:
        os.kill(sender.pid, signal.SIGKILL)  # dead before it hears "250"
        sender.wait(10)
        return True

    sink.before_accept = kill_the_sender
    try:
        assert sender.wait(60) == -signal.SIGKILL
    finally:
        if sender.poll() is None:
            sender.kill()
    sink.before_accept = None
    # The sink files the message once before_accept returns, which may be just after the kill is seen.
    [first] = wait_for(lambda: sink.messages, message="the message the server accepted")
    db.session.expire_all()
    held = db.session.get(Notification, row.id)
    assert held is not None and held.state == DeliveryState.SENDING  # the server has it; we do not know
    assert held.message_id == first["Message-ID"]

    assert outbox.sweep() == 0 and outbox.deliver(row.id).skipped  # its claim still runs: left alone
    assert len(sink.messages) == 1
    other = other_app(MAIL_PORT=port)
    with other.app_context(), time_machine.travel(utcnow() + timedelta(seconds=61)):
        assert outbox.sweep() == 1  # in doubt: found by the sweep and sent again
    second = sink.messages[-1]
    assert len(sink.messages) == 2 and second["Message-ID"] == first["Message-ID"]
    db.session.expire_all()
    sent = db.session.scalar(select(Notification).where(Notification.id == row.id))
    assert sent is not None
    assert (sent.state, sent.in_doubt_sends, sent.attempts) == (DeliveryState.SENT, 1, 2)
    assert outbox.sweep(utcnow() + timedelta(hours=1)) == 0  # and never again


def test_a_refused_attempt_is_an_ordinary_retry_not_one_in_doubt(other_app, own_smtp, world):
    sink, port = own_smtp
    sink.refusing = True
    row_id = outbox_row(world).id
    other = other_app(MAIL_PORT=port, NOTIFICATION_RETRY_BASE_SECONDS=1.0)
    with other.app_context():
        assert outbox.deliver(row_id).retry_in == 1.0
        row = db.session.get(Notification, row_id, populate_existing=True)
        assert row is not None
        assert (row.state, row.in_doubt_sends, row.claimed_until) == (DeliveryState.PENDING, 0, None)
        sink.refusing = False
        with time_machine.travel(utcnow() + timedelta(seconds=2)):
            assert outbox.deliver(row_id).sent
        row = db.session.get(Notification, row_id, populate_existing=True)
        assert row is not None
        assert (row.state, row.in_doubt_sends, row.attempts) == (DeliveryState.SENT, 0, 2)
    assert len(sink.messages) == 1


def test_a_row_interrupted_at_every_attempt_is_marked_failed_not_sent_forever(app, world, mail_sink):
    row = outbox_row(world)
    row.state, row.attempts = DeliveryState.SENDING, app.config["NOTIFICATION_MAX_ATTEMPTS"]
    row.claimed_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert outbox.sweep() == 0 and outbox.deliver(row.id).skipped
    db.session.refresh(row)
    assert row.state == DeliveryState.FAILED and row.failed_at is not None
    assert "Interrupted while sending" in (row.last_error or "")
    assert mail_sink.messages == []


def test_a_sender_killed_inside_a_group_leaves_the_group_in_doubt_and_each_is_sent_again_once(
        other_app, own_smtp, world):
    sink, port = own_smtp
    people = (world.observer, world.member, world.tm_member)
    rows = [outbox_row(world, person) for person in people]
    url = db.engine.url.render_as_string(hide_password=False)
    seen: list[list[str]] = []
    sender = subprocess.Popen([sys.executable, "-c", SENDER, url, str(port), *(str(row.id) for row in rows)],  # noqa: S603  our own script
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})

    def kill_at_the_third(message: Any) -> bool:
        # What another connection sees while the server receives each message: the group's rows
        # stay "sending" until the session ends.
        seen.append([state_in_database(url, row.id)[0] for row in rows])
        if len(seen) < 3:
            return True
        os.kill(sender.pid, signal.SIGKILL)  # the third is never accepted
        sender.wait(10)
        return False

    sink.before_accept = kill_at_the_third
    try:
        assert sender.wait(60) == -signal.SIGKILL
    finally:
        if sender.poll() is None:
            sender.kill()
    sink.before_accept = None
    assert seen == [["sending"] * 3] * 3
    first = wait_for(lambda: sink.messages if len(sink.messages) == 2 else None,
                     message="the two messages the server accepted")
    assert [m["To"] for m in first] == [people[0].email, people[1].email]

    other = other_app(MAIL_PORT=port)
    with other.app_context(), time_machine.travel(utcnow() + timedelta(seconds=61)):
        assert outbox.sweep() == 3  # all three in doubt: none lost
    by_id: dict[str, list[str]] = {}
    for message in sink.messages:
        by_id.setdefault(str(message["Message-ID"]), []).append(str(message["To"]))
    assert by_id == {f"<notification-{row.id}@council.test>": [person.email] * (2 if n < 2 else 1)
                     for n, (row, person) in enumerate(zip(rows, people, strict=True))}
    db.session.expire_all()
    for row in rows:
        stored = db.session.get(Notification, row.id)
        assert stored is not None
        assert (stored.state, stored.in_doubt_sends) == (DeliveryState.SENT, 1)
    assert outbox.sweep(utcnow() + timedelta(hours=1)) == 0  # and never again
