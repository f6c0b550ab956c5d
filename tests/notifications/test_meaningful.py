"""Notifications that stay meaningful: one item per record and day, requests marked done once done,
nobody told of their own action, and a demo whose people are not buried in unread items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from council.demo import load_demo
from council.demo.directory import DEMO_ACCOUNTS
from council.directory.models import User
from council.extensions import db
from council.meetings import minutes as meeting_minutes
from council.meetings import services as meeting_services
from council.meetings.models import Response
from council.notifications.models import Channel, Notification
from council.tracker import services as tracker
from tests.meetings.conftest import Meetings
from tests.notifications.happenings import assign, move_due_date, report_done


def items(person) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.recipient_id == person.id, Notification.channel == Channel.IN_APP)
        .order_by(Notification.id)))


def test_one_item_per_record_and_day_saying_what_happened_last(world):
    day = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    with time_machine.travel(day, tick=False):
        commitment = assign(world)
        move_due_date(commitment, world.kz_chair, commitment.due_date + timedelta(days=7))
    [item] = items(world.member)
    assert item.kind == "commitment.due_changed" and item.read_at is None
    with time_machine.travel(day + timedelta(days=1), tick=False):
        move_due_date(commitment, world.kz_chair, commitment.due_date + timedelta(days=7))
    assert [row.kind for row in items(world.member)] == ["commitment.due_changed"] * 2


def test_a_read_item_comes_back_unread_and_on_top_when_its_record_changes_again_that_day(world):
    day = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    with time_machine.travel(day, tick=False):
        commitment = assign(world)
    [item] = items(world.member)
    item.read_at = item.done_at = day
    db.session.commit()
    later = day + timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        move_due_date(commitment, world.kz_chair, commitment.due_date + timedelta(days=7))
    db.session.expire_all()
    [item] = items(world.member)
    assert item.kind == "commitment.due_changed"
    assert item.read_at is None and item.done_at is None
    assert item.created_at.replace(tzinfo=UTC) == later and item.sent_at.replace(tzinfo=UTC) == later
    assert item.event is not None and item.event.kind == "commitment.due_changed"


def test_approving_minutes_marks_the_co_chair_s_request_done(world):
    meeting = Meetings(world).published_minutes()
    [kz_request] = [row for row in items(world.kz_chair) if row.kind == "minutes.approval_requested"]
    assert kz_request.done_at is None and kz_request.payload == {"asks": "approve_minutes"}
    meeting_minutes.approve_minutes(world.kz_chair, meeting)
    db.session.commit()
    db.session.refresh(kz_request)
    assert kz_request.done_at is not None and kz_request.read_at is not None
    [tm_request] = [row for row in items(world.tm_chair) if row.kind == "minutes.approval_requested"]
    assert tm_request.done_at is None  # the other side has not approved yet
    meeting_minutes.approve_minutes(world.tm_chair, meeting)
    db.session.commit()
    db.session.refresh(tm_request)
    assert tm_request.done_at is not None


def test_verifying_a_report_marks_every_verifier_s_request_done(world):
    commitment = assign(world)
    report_done(commitment, world.member)
    requests = [row for person in (world.kz_chair, world.tm_chair, world.secretary) for row in items(person)
                if row.payload.get("asks") == "verify"]
    assert len(requests) == 3 and all(row.done_at is None for row in requests)
    tracker.verify_commitment(world.kz_chair, commitment)
    db.session.commit()
    for row in requests:
        db.session.refresh(row)
        assert row.done_at is not None


def test_answering_an_invitation_marks_it_done(world):
    meeting = Meetings(world).published()
    [invited] = [row for row in items(world.member) if row.kind == "meeting.invited"]
    invitation = meeting_services.invitation_for(world.member, meeting)
    meeting_services.respond(world.member, invitation, Response.ATTENDING)
    db.session.commit()
    db.session.refresh(invited)
    assert invited.done_at is not None


def test_nobody_is_told_of_their_own_action(world):
    commitment = assign(world, actor=world.kz_chair)
    assert items(world.kz_chair) == []
    report_done(commitment, world.member)
    assert [row.kind for row in items(world.member)] == ["commitment.created"]  # not their own report


def test_after_the_demo_no_account_has_more_than_ten_unread(app):
    load_demo()
    unread = dict(db.session.execute(
        select(User.email, func.count(Notification.id))
        .join(Notification, Notification.recipient_id == User.id)
        .where(Notification.channel == Channel.IN_APP, Notification.read_at.is_(None),
               User.email.in_(DEMO_ACCOUNTS))
        .group_by(User.email)).all())
    assert unread and max(unread.values()) <= 10, unread


def test_a_co_chair_who_approved_is_not_asked_again_in_the_digest(world, mail_sink):
    """The review's stale request: the Turkmen co-chair's digest, made after he approved, still asked
    him to approve. Now only the co-chair who has not approved yet is asked."""
    from council.notifications import digests
    from council.notifications.models import EmailMode, NotificationPreference
    from tests.notifications.conftest import mail_to, plain

    for person in (world.kz_chair, world.tm_chair):
        db.session.add(NotificationPreference(user_id=person.id, email_mode=EmailMode.DAILY))
    db.session.commit()
    with time_machine.travel(datetime(2026, 11, 24, 9, 30, tzinfo=UTC), tick=False):
        meeting = Meetings(world).published_minutes(title={"en": "Trade group, November"},
                                                    original_language="en")
        meeting_minutes.approve_minutes(world.tm_chair, meeting)
        db.session.commit()
    digests.plan(datetime(2026, 11, 25, 2, 5, tzinfo=UTC))
    waiting = "== Minutes waiting for your approval =="
    [approved] = mail_to(mail_sink, "tm.chair@example.org")
    assert waiting not in plain(mail_sink.text_of(approved))
    [not_yet] = mail_to(mail_sink, "kz.chair@example.org")
    assert waiting in plain(mail_sink.text_of(not_yet))


def test_minutes_sent_and_approved_by_both_are_one_item_for_the_secretary_that_day(world):
    """The review saw three near-duplicate items for one approval; a record's day is one item."""
    with time_machine.travel(datetime(2026, 11, 24, 6, 0, tzinfo=UTC), tick=False):
        meeting = Meetings(world).published_minutes()
        meeting_minutes.approve_minutes(world.kz_chair, meeting)
        meeting_minutes.approve_minutes(world.tm_chair, meeting)
        db.session.commit()
    records = [(row.event.subject_type, row.event.subject_id) for row in items(world.secretary) if row.event]
    assert records and len(records) == len(set(records)), [row.kind for row in items(world.secretary)]


def test_a_report_settles_its_reminders_through_an_index_not_by_reading_every_notification(
        client, auth, world):
    """Each progress report marks its commitment's reminders done ("commitment:<id>:…"): with no index
    for that, every report read the whole notification table (94 ms at 300,000 rows)."""
    import pytest
    from sqlalchemy import event, text

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's LIKE ignores case, so no index can answer it; PostgreSQL's can")
    commitment = assign(world)
    url = f"/tracker/commitments/{commitment.id}/progress"
    settling: list[tuple[str, dict]] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE notification") and " LIKE " in statement:
            settling.append((statement, parameters))

    auth.login(world.member)
    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        assert client.post(url, data={"progress": "30", "status": "", "note": "Started"}).status_code == 302
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    [(statement, parameters)] = settling
    connection = db.session.connection()
    connection.execute(text("SET LOCAL enable_seqscan = off"))  # as on a table too big to read whole
    plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))
    db.session.rollback()
    assert "ix_notification_dedupe_key" in plan, plan
