"""What notifications do with the tracker's commitments: digest sections and reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event, func, select

from council.directory.models import User
from council.extensions import db
from council.notifications import digests
from council.notifications.models import Channel, EmailMode, Notification, NotificationPreference
from council.notifications.reminders import send_reminders
from council.tracker.models import CommitmentStatus
from tests.factories import CommitmentFactory
from tests.notifications.conftest import mail_to, subject
from tests.notifications.happenings import move_due_date, recommendation

# 07:05 on Wednesday 25 November 2026 in Aqtau: the council's "today" is 25 November.
MORNING = datetime(2026, 11, 25, 2, 5, tzinfo=UTC)
TODAY = date(2026, 11, 25)


def day(offset: int) -> datetime:
    return MORNING + timedelta(days=offset)


def commitment(world, due: date, *, owner=None, organisation=None, status=CommitmentStatus.IN_PROGRESS,
               code: str = "TRD-2026-004-KZ1", description=None):
    extra = {"description": description} if description else {}
    return CommitmentFactory(recommendation=recommendation(world), code=code, due_date=due,
                             organisation=organisation or world.kz_org, owner=owner, status=status, **extra)


def on_digest(person: User) -> None:
    db.session.merge(NotificationPreference(user_id=person.id, email_mode=EmailMode.DAILY))
    db.session.commit()


def headlines(sink, address: str) -> list[str]:
    return [subject(message) for message in mail_to(sink, address)]


def test_the_digest_lists_what_falls_due_and_what_is_overdue(world, mail_sink):
    on_digest(world.member)
    soon = commitment(world, TODAY + timedelta(days=5), owner=world.member)
    commitment(world, TODAY + timedelta(days=20), owner=world.member, code="TRD-2026-004-KZ2")
    commitment(world, TODAY - timedelta(days=3), code="TRD-2026-004-KZ3")  # the akimat's, no owner
    commitment(world, TODAY - timedelta(days=9), organisation=world.tm_org, code="TRD-2026-004-TM1")
    commitment(world, TODAY - timedelta(days=9), owner=world.member, code="TRD-2026-004-KZ4",
               status=CommitmentStatus.REPORTED_DONE)  # waiting for verification: not the owner's delay

    digests.plan(MORNING)
    [message] = mail_to(mail_sink, "member@example.org")
    text = mail_sink.text_of(message)
    assert "== Due in the next 14 days ==" in text
    # Named by what will be done; code and organisation after it.
    assert "- Commitment TRD-2026-004-KZ1 — TRD-2026-004-KZ1 · Organisation mangystau-akimat · " \
           "due November 30, 2026 (in 5 days)" in text
    assert "== Overdue: yours and your organisation's ==" in text
    assert "- Commitment TRD-2026-004-KZ3 — TRD-2026-004-KZ3 · Organisation mangystau-akimat · " \
           "due November 22, 2026, 3 days overdue" in text
    for absent in ("TRD-2026-004-KZ2", "TRD-2026-004-TM1", "TRD-2026-004-KZ4", "== What changed"):
        assert absent not in text
    assert f"http://council.test/tracker/commitments/{soon.id}" in text


def test_co_chairs_find_the_reports_waiting_for_their_verification(world, mail_sink):
    on_digest(world.tm_chair)
    commitment(world, TODAY + timedelta(days=40), owner=world.member, status=CommitmentStatus.REPORTED_DONE)
    digests.plan(MORNING)
    text = mail_sink.text_of(mail_to(mail_sink, "tm.chair@example.org")[0])
    assert "== Waiting for your verification ==" in text
    assert "- Commitment TRD-2026-004-KZ1 — TRD-2026-004-KZ1 · Organisation mangystau-akimat" in text


def test_due_reminders_come_a_week_and_a_day_before_once_each(world, mail_sink):
    commitment(world, TODAY + timedelta(days=9), owner=world.member)
    for offset in range(0, 10):
        send_reminders(day(offset))
        send_reminders(day(offset) + timedelta(minutes=30))  # beat runs twice an hour
    assert headlines(mail_sink, "member@example.org") == [
        "Due in 7 days: Commitment TRD-2026-004-KZ1 (TRD-2026-004-KZ1)",
        "Due in 1 day: Commitment TRD-2026-004-KZ1 (TRD-2026-004-KZ1)"]
    assert "Due date: December 4, 2026" in mail_sink.text_of(mail_to(mail_sink, "member@example.org")[0])


def test_a_reminder_on_the_due_date_itself_says_today(world, mail_sink):
    commitment(world, TODAY, organisation=world.tm_org)  # no owner: the hyakimlik's people hear
    send_reminders(MORNING)
    for address in ("tm.chair@example.org", "tm.member@example.org"):
        assert headlines(mail_sink, address) == [
            "Due today: Commitment TRD-2026-004-KZ1 (TRD-2026-004-KZ1)"]


def test_a_missed_run_still_reminds_and_a_new_due_date_reminds_again(world, mail_sink):
    late_start = commitment(world, TODAY + timedelta(days=5), owner=world.member)
    send_reminders(MORNING)  # beat was down on the 7th day before: the reminder comes now
    assert headlines(mail_sink, "member@example.org") == [
        "Due in 5 days: Commitment TRD-2026-004-KZ1 (TRD-2026-004-KZ1)"]
    move_due_date(late_start, world.kz_chair, TODAY + timedelta(days=6))
    mail_sink.messages.clear()
    send_reminders(MORNING)
    assert headlines(mail_sink, "member@example.org") == [
        "Due in 6 days: Commitment TRD-2026-004-KZ1 (TRD-2026-004-KZ1)"]


def test_overdue_reminders_come_weekly_and_escalate_to_the_co_chairs_after_two_weeks(world, mail_sink):
    commitment(world, TODAY - timedelta(days=1), owner=world.member)
    for offset in range(0, 16):
        send_reminders(day(offset))
    what = "Commitment TRD-2026-004-KZ1 (TRD-2026-004-KZ1)"
    assert headlines(mail_sink, "member@example.org") == [
        f"1 day overdue: {what}", f"8 days overdue: {what}", f"15 days overdue: {what}"]
    escalation = f"Escalation: {what} (Organisation mangystau-akimat) is 14 days overdue"
    assert headlines(mail_sink, "kz.chair@example.org") == [escalation]
    assert headlines(mail_sink, "tm.chair@example.org") == [escalation]


def test_reminders_of_digest_readers_wait_for_the_digest(world, mail_sink):
    on_digest(world.member)
    commitment(world, TODAY + timedelta(days=1), owner=world.member)
    send_reminders(MORNING)
    assert mail_to(mail_sink, "member@example.org") == []
    assert db.session.scalar(select(Notification.kind).where(
        Notification.recipient_id == world.member.id, Notification.channel == Channel.IN_APP)) == \
        "reminder.commitment_due"
    digests.plan(MORNING)
    text = mail_sink.text_of(mail_to(mail_sink, "member@example.org")[0])
    assert "(in 1 day)" in text and "Due in 1 day" not in text  # in its section, not twice
    assert "Commitment TRD-2026-004-KZ1" in text


def test_a_reminder_another_run_wrote_a_moment_ago_is_not_an_error_and_is_sent_once(world, mail_sink):
    """Two scans at once (beat's run and a retried one): the other commits its rows between our check of
    who has had the reminder and our insert. Ours gives way instead of failing the whole scan."""
    commitment(world, TODAY + timedelta(days=7), owner=world.member)
    other_run_done = []

    def other_run_commits_first(state) -> None:
        if other_run_done or not state.is_insert or state.bind_mapper is not Notification.__mapper__:
            return
        rows = [dict(row) for row in state.parameters]  # the same rows, just before ours go in
        with db.engine.begin() as other:  # a connection of its own: another worker's transaction
            other.execute(Notification.__table__.insert(), rows)
        other_run_done.append(len(rows))

    event.listen(db.session, "do_orm_execute", other_run_commits_first)
    try:
        assert send_reminders(MORNING) == 0
    finally:
        event.remove(db.session, "do_orm_execute", other_run_commits_first)
    assert other_run_done and other_run_done[0] >= 2  # in the app and by e-mail
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == world.member.id, Notification.channel == Channel.EMAIL)) == 1
    assert send_reminders(MORNING + timedelta(minutes=30)) == 0  # and nothing is added later
