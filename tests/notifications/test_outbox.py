"""The outbox in-process (no broker): what an e-mail carries, idempotent delivery, retries, the sweep."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import time_machine
from sqlalchemy import select

from council.extensions import db
from council.notifications import outbox, services
from council.notifications.models import Channel, DeliveryState, EmailMode, Notification
from council.timeutil import utcnow
from tests.conftest import IsolatedClient, page_text, sign_in
from tests.factories import PASSWORD
from tests.notifications.conftest import FAST_RETRIES, mail_to, subject
from tests.notifications.happenings import assign, recommendation, send_back, verify


def email_rows() -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.channel == Channel.EMAIL)
                                   .order_by(Notification.id)))


def test_an_e_mail_has_text_html_links_and_a_one_click_unsubscribe(world, mail_sink, client):
    commitment = assign(world)
    mail_sink.messages.clear()
    send_back(commitment, world.kz_chair, "Attach the signed order")
    [message] = mail_to(mail_sink, "member@example.org")
    assert subject(message) == ("Progress report sent back: "
                                  "Launch the electronic queue (TRD-2026-004-KZ1)")
    text, html = mail_sink.text_of(message), mail_sink.html_of(message)
    assert "Comment: Attach the signed order" in text and "By Yerlan Chair" in text
    row = db.session.scalars(select(Notification).where(Notification.recipient_id == world.member.id,
                                                        Notification.channel == Channel.EMAIL,
                                                        Notification.kind == "commitment.sent_back")).one()
    assert f"http://council.test/notifications/{row.id}/open" in text
    assert f'href="http://council.test/notifications/{row.id}/open"' in html
    assert message["Message-ID"] == f"<notification-{row.id}@council.test>"
    header = message["List-Unsubscribe"].strip()
    unsubscribe = re.fullmatch(r"<(http://council\.test/unsubscribe/\S+)>", header)
    assert unsubscribe and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.group(1) in text and unsubscribe.group(1) in html

    # One click in the mail client (RFC 8058: a POST without any session or form token).
    response = client.post(unsubscribe.group(1).removeprefix("http://council.test"),
                           data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert services.preference_of(world.member).email_mode == EmailMode.NONE
    verify(commitment, world.kz_chair)
    assert len(mail_to(mail_sink, "member@example.org")) == 1  # nothing more by e-mail…
    assert db.session.scalar(select(Notification.id).where(  # …but the app still lists it
        Notification.kind == "commitment.verified", Notification.recipient_id == world.member.id))


def test_delivering_a_row_again_sends_nothing_more(world, mail_sink):
    verify(assign(world), world.kz_chair)
    rows = email_rows()
    # 3 for the assignment, 2 for the report of done (who may verify it), 3 for the verification.
    assert len(mail_sink.messages) == len(rows) == 8
    for row in rows:
        assert outbox.deliver(row.id).skipped
        assert outbox.deliver(row.id).skipped
    assert outbox.sweep(utcnow() + timedelta(hours=1)) == 0
    assert len(mail_sink.messages) == 8


def test_a_row_held_by_a_worker_is_left_alone_until_its_claim_expires(world, mail_sink):
    row = Notification(council_id=world.council.id, recipient_id=world.observer.id,
                       kind="commitment.verified", channel=Channel.EMAIL,
                       state=DeliveryState.PENDING, payload={"code": "TRD-1"},
                       next_attempt_at=utcnow() - timedelta(minutes=5),
                       claimed_until=utcnow() + timedelta(minutes=4))  # a worker is sending it
    db.session.add(row)
    db.session.commit()
    assert outbox.sweep() == 0 and outbox.deliver(row.id).skipped
    with time_machine.travel(utcnow() + timedelta(minutes=5)):  # that worker died
        assert outbox.sweep() == 1
    assert [m["To"] for m in mail_sink.messages] == ["observer@example.org"]
    db.session.refresh(row)
    assert row.state == DeliveryState.SENT and row.claimed_until is None


def test_smtp_refusal_backs_off_then_fails_and_an_admin_retry_delivers(other_app, own_smtp, world):
    sink, port = own_smtp
    sink.refusing = True
    other = other_app(MAIL_PORT=port, **{**FAST_RETRIES, "NOTIFICATION_RETRY_BASE_SECONDS": 30.0})
    other.test_client_class = IsolatedClient
    recommendation(world)  # made in this session, found by the other app's
    with other.app_context():
        # The secretariat assigns it (not the Turkmen co-chair, who would not be told of their own act).
        assign(world, actor=world.secretary, owner=world.tm_member, organisation=world.tm_org)
        rows = email_rows()  # to both people of the Turkmen hyakimlik
        [row] = [r for r in rows if r.recipient_id == world.tm_member.id]
        assert (row.state, row.attempts) == (DeliveryState.PENDING, 1)
        assert "451" in row.last_error
        assert outbox.deliver(row.id).skipped  # not before its time
        for attempt, backoff in ((2, 60), (3, None)):
            due = row.next_attempt_at
            with time_machine.travel(due + timedelta(seconds=1), tick=False):
                assert outbox.sweep() == len(rows) == 2
                db.session.refresh(row)
                assert row.attempts == attempt
                if backoff:
                    assert row.state == DeliveryState.PENDING
                    assert row.next_attempt_at == utcnow() + timedelta(seconds=backoff)
        assert row.state == DeliveryState.FAILED and sink.messages == [] and sink.refused == 6

        browser = other.test_client()
        sign_in(browser, world.admin.email, PASSWORD)
        page = page_text(browser.get("/admin/outbox?state=failed"))
        assert "tm.member@example.org" in page and "SMTPDataError" in page and "451" in page

        sink.refusing = False
        response = browser.post(f"/admin/outbox/{row.id}/retry")
        assert response.status_code == 302
        assert [m["To"] for m in sink.messages] == ["tm.member@example.org"]
        db.session.refresh(row)
        assert row.state == DeliveryState.SENT
        assert browser.post(f"/admin/outbox/{row.id}/retry").status_code == 409  # sent: nothing to retry
        assert len(sink.messages) == 1


def test_backoff_doubles_up_to_its_ceiling(app):
    app.config.update(NOTIFICATION_RETRY_BASE_SECONDS=60.0, NOTIFICATION_RETRY_MAX_DELAY=3600.0)
    assert [outbox.backoff(n) for n in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_savepoints_neither_send_early_nor_forget_the_rows_of_earlier_ones(world, mail_sink):
    """Rows queued before and inside a released savepoint go at the outermost commit, once; a rolled
    back savepoint forgets only its own (SQLAlchemy fires after_commit/after_rollback for savepoints)."""

    def row_for(user):
        row = Notification(council_id=world.council.id, recipient_id=user.id, kind="commitment.verified",
                           channel=Channel.EMAIL, state=DeliveryState.PENDING,
                           payload={"code": "TRD-1"}, next_attempt_at=utcnow())
        db.session.add(row)
        db.session.flush()
        outbox.deliver_after_commit([row.id])
        return row

    row_for(world.observer)
    kept = db.session.begin_nested()
    row_for(world.member)
    kept.commit()
    dropped = db.session.begin_nested()
    row_for(world.outsider)
    dropped.rollback()
    assert mail_sink.messages == []  # nothing leaves before the commit
    db.session.commit()
    assert sorted(str(m["To"]) for m in mail_sink.messages) == ["member@example.org",
                                                                 "observer@example.org"]
    assert {row.state for row in email_rows()} == {DeliveryState.SENT}


def pending_emails(*people: Any) -> list[int]:
    """An e-mail due now to each of `people`, committed, in this order: their ids."""
    rows = [Notification(council_id=person.council_id, recipient_id=person.id, kind="commitment.verified",
                         channel=Channel.EMAIL, state=DeliveryState.PENDING, payload={"code": "TRD-1"},
                         next_attempt_at=utcnow() - timedelta(minutes=1)) for person in people]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def test_rows_sent_together_are_marked_sent_and_one_refused_is_retried_on_its_own(other_app, own_smtp, world):
    sink, port = own_smtp
    ids = pending_emails(world.observer, world.member, world.tm_member)
    refused = world.member.email
    sink.before_accept = lambda message: str(message["To"]) != refused
    other = other_app(MAIL_PORT=port, NOTIFICATION_RETRY_BASE_SECONDS=30.0,
                      NOTIFICATION_SWEEP_GRACE_SECONDS=0.0)
    with other.app_context():
        outcomes = outbox.deliver_many(ids)
        assert [outcomes[id_].sent for id_ in ids] == [True, False, True]
        assert outcomes[ids[1]].retry_in == 30.0
    assert sorted(m["To"] for m in sink.messages) == sorted([world.observer.email, world.tm_member.email])
    db.session.expire_all()
    stored = [db.session.get(Notification, id_) for id_ in ids]
    assert [row.state for row in stored] == [DeliveryState.SENT, DeliveryState.PENDING, DeliveryState.SENT]
    assert "451" in (stored[1].last_error or "") and stored[1].in_doubt_sends == 0

    sink.before_accept = None
    with other.app_context(), time_machine.travel(utcnow() + timedelta(seconds=31)):
        assert outbox.sweep() == 1  # the refused one alone, with its own Message-ID
    assert [m["To"] for m in sink.messages][2:] == [world.member.email]
    assert sink.messages[2]["Message-ID"] == f"<notification-{ids[1]}@council.test>"
    db.session.expire_all()
    assert {db.session.get(Notification, id_).state for id_ in ids} == {DeliveryState.SENT}


def test_the_last_row_of_a_group_refused_at_the_end_of_its_data_is_not_marked_sent(
        other_app, own_smtp, world):
    """The server's verdict on a message is read only after the next one is written; the last one's is
    read before the group is recorded: refused, it is retried on its own, the others are sent once."""
    sink, port = own_smtp
    ids = pending_emails(world.observer, world.member, world.tm_member)
    refused = world.tm_member.email
    sink.before_accept = lambda message: str(message["To"]) != refused
    other = other_app(MAIL_PORT=port, NOTIFICATION_RETRY_BASE_SECONDS=30.0)
    with other.app_context():
        outcomes = outbox.deliver_many(ids)
    assert [outcomes[id_].sent for id_ in ids] == [True, True, False]
    assert sorted(m["To"] for m in sink.messages) == sorted([world.observer.email, world.member.email])
    db.session.expire_all()
    stored = [db.session.get(Notification, id_) for id_ in ids]
    assert [row.state for row in stored] == [DeliveryState.SENT, DeliveryState.SENT, DeliveryState.PENDING]
    assert "451" in (stored[2].last_error or "") and stored[2].in_doubt_sends == 0


def test_a_chunk_goes_over_several_sessions_at_once_and_a_refusal_in_one_spares_the_others(
        other_app, own_smtp, world):
    """MAIL_SESSIONS sessions each carry a message at a time, a command at a time. A refusal in one
    session, while the others have messages in flight, fails that row alone: the others are received
    once and marked sent, and the refused one is retried on its own."""
    sink, port = own_smtp
    people = [world.observer, world.member, world.tm_member] * 3
    ids = pending_emails(*people)
    refused = {ids[1], ids[5]}
    sink.before_accept = lambda message: int(str(message["Message-ID"]).split("-")[1].split("@")[0]) \
        not in refused
    other = other_app(MAIL_PORT=port, MAIL_SESSIONS=3, NOTIFICATION_RETRY_BASE_SECONDS=30.0)
    with other.app_context():
        outcomes = outbox.deliver_many(ids)
    assert [outcomes[id_].sent for id_ in ids] == [id_ not in refused for id_ in ids]
    received = [str(m["Message-ID"]) for m in sink.messages]
    assert sorted(received) == sorted(f"<notification-{id_}@council.test>"
                                      for id_ in ids if id_ not in refused)
    assert len(set(sink.peers)) >= 3  # three sessions at once, and one more after each refusal
    db.session.expire_all()
    stored = {id_: db.session.get(Notification, id_) for id_ in ids}
    assert {id_: row.state for id_, row in stored.items()} == {
        id_: DeliveryState.PENDING if id_ in refused else DeliveryState.SENT for id_ in ids}
    assert all("451" in (stored[id_].last_error or "") for id_ in refused)
    assert all(row.in_doubt_sends == 0 for row in stored.values())


def test_a_server_that_takes_one_session_at_a_time_gets_the_whole_chunk_over_one(
        other_app, one_session_smtp, world):
    """The sessions it refuses beyond the first are given up for the chunk: no row fails for them."""
    sink, port = one_session_smtp
    ids = pending_emails(world.observer, world.member, world.tm_member, world.observer)
    other = other_app(MAIL_PORT=port, MAIL_SESSIONS=3)
    with other.app_context():
        outcomes = outbox.deliver_many(ids)
    assert all(outcomes[id_].sent for id_ in ids)
    assert sorted(str(m["Message-ID"]) for m in sink.messages) == sorted(
        f"<notification-{id_}@council.test>" for id_ in ids)
    assert len(set(sink.peers)) == 1
    db.session.expire_all()
    assert {db.session.get(Notification, id_).state for id_ in ids} == {DeliveryState.SENT}


def test_one_session_sends_a_chunk_in_order(other_app, own_smtp, world):
    sink, port = own_smtp
    ids = pending_emails(world.observer, world.member, world.tm_member, world.observer)
    other = other_app(MAIL_PORT=port, MAIL_SESSIONS=1)
    with other.app_context():
        outcomes = outbox.deliver_many(ids)
    assert all(outcomes[id_].sent for id_ in ids)
    assert [str(m["Message-ID"]) for m in sink.messages] == [f"<notification-{id_}@council.test>"
                                                             for id_ in ids]
    assert len(set(sink.peers)) == 1


def test_a_row_of_a_group_whose_claim_ran_out_before_its_turn_is_still_sent_once(other_app, own_smtp, world):
    import time

    sink, port = own_smtp
    rows = [Notification(council_id=world.council.id, recipient_id=person.id, kind="commitment.verified",
                         channel=Channel.EMAIL, state=DeliveryState.PENDING, payload={"code": "TRD-1"},
                         next_attempt_at=utcnow() - timedelta(minutes=1))
            for person in (world.observer, world.member)]
    db.session.add_all(rows)
    db.session.commit()
    ids = [row.id for row in rows]
    sink.before_accept = lambda message: bool(time.sleep(1.5)) or True  # slower than the claim
    other = other_app(MAIL_PORT=port, NOTIFICATION_CLAIM_SECONDS=1.0)
    with other.app_context():
        outcomes = outbox.deliver_many(ids)
    assert [outcomes[id_].sent for id_ in ids] == [True, True]
    assert sorted(m["To"] for m in sink.messages) == sorted([world.observer.email, world.member.email])
    db.session.expire_all()
    assert [(row.state, row.in_doubt_sends) for row in (db.session.get(Notification, id_) for id_ in ids)] \
        == [(DeliveryState.SENT, 0)] * 2
