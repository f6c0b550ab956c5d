"""Who is e-mailed at once about a progress report, and the day's round-up of what the others who chose
immediate e-mails were not e-mailed about: each held report in one round-up, never in two, none lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from council.directory.models import User
from council.extensions import db
from council.notifications import roundup
from council.notifications.models import (
    Channel,
    DeliveryState,
    EmailMode,
    Notification,
    NotificationPreference,
)
from council.notifications.outbox import dispatch
from council.tracker import services as tracker
from tests.notifications.conftest import mail_to, subject
from tests.notifications.happenings import assign

# 07:05 in Aqtau and Ashgabat on Wednesday 25 November 2026; the reports are made the day before.
MORNING = datetime(2026, 11, 25, 2, 5, tzinfo=UTC)
YESTERDAY = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
ROUNDUP_SUBJECT = "Council: the rest of the news, November 25, 2026"


def report(commitment, actor, *, progress=40, status=None, note="Tender announced"):
    tracker.report_progress(actor, commitment, progress=progress, status=status, note=note)
    db.session.commit()


def mailed(sink) -> set[str]:
    return {str(message["To"]) for message in sink.messages}


def held_for(person: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == person.id, Notification.channel == Channel.ROUNDUP,
        Notification.state == DeliveryState.PENDING)) or 0


def in_app(person: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == person.id, Notification.channel == Channel.IN_APP,
        Notification.kind.like("commitment.%"))) or 0


def test_a_routine_report_by_the_owner_e_mails_nobody_and_is_held_for_the_others(world, mail_sink):
    commitment = assign(world)  # the member's, of the Kazakh akimat (secretary, co-chair, observer)
    mail_sink.messages.clear()
    report(commitment, world.member)
    assert mail_sink.messages == []
    for person in (world.secretary, world.kz_chair, world.observer):
        assert held_for(person) == 1
        assert in_app(person) == 1  # the app (and digests) list it as before
    assert held_for(world.member) == 0  # nobody is told of their own report


def test_a_routine_report_by_someone_else_e_mails_the_owner_alone(world, mail_sink):
    commitment = assign(world)
    mail_sink.messages.clear()
    report(commitment, world.kz_chair)
    assert mailed(mail_sink) == {"member@example.org"}
    [message] = mail_to(mail_sink, "member@example.org")
    assert "TRD-2026-004-KZ1" in subject(message)
    assert held_for(world.secretary) == held_for(world.observer) == 1
    assert held_for(world.kz_chair) == 0 and held_for(world.member) == 0


def test_a_report_of_done_e_mails_who_may_verify_it(world, mail_sink):
    commitment = assign(world)
    mail_sink.messages.clear()
    report(commitment, world.member, progress=100, status="reported_done")
    # The secretaries and the co-chair of the commitment's side; the other side's co-chair cannot verify
    # a Kazakh commitment: the app and the round-up tell them.
    assert mailed(mail_sink) == {"secretary@example.org", "kz.chair@example.org"}
    assert held_for(world.tm_chair) == 1 and held_for(world.observer) == 1
    assert held_for(world.member) == 0


def test_a_report_of_blocked_e_mails_the_group_s_co_chairs(world, mail_sink):
    commitment = assign(world)
    mail_sink.messages.clear()
    report(commitment, world.member, status="blocked", note="The customs server is down")
    assert mailed(mail_sink) == {"kz.chair@example.org", "tm.chair@example.org"}
    assert held_for(world.secretary) == held_for(world.observer) == 1
    assert held_for(world.member) == 0


def test_a_co_chair_who_blocks_is_not_told_of_it(world, mail_sink):
    commitment = assign(world)
    mail_sink.messages.clear()
    report(commitment, world.kz_chair, status="blocked", note="The customs server is down")
    assert mailed(mail_sink) == {"tm.chair@example.org"}


def test_the_round_up_tells_a_held_report_once_and_never_twice(world, mail_sink):
    with time_machine.travel(YESTERDAY, tick=False):
        commitment = assign(world)
        report(commitment, world.member, progress=40)
    mail_sink.messages.clear()

    # Beat's digest task plans the round-ups too: the secretary's, the co-chair's and the observer's.
    assert dispatch("council.digests.plan", MORNING.isoformat())
    [message] = mail_to(mail_sink, "secretary@example.org")
    assert subject(message) == ROUNDUP_SUBJECT
    text = mail_sink.text_of(message)
    assert "You were e-mailed at once about what concerns you." in text
    assert "(TRD-2026-004-KZ1) — In progress, 40%, due December 15, 2026" in text
    assert "Planned → In progress" in text  # the report started it
    assert text.count("TRD-2026-004-KZ1") == 1
    assert mail_to(mail_sink, "member@example.org") == []  # their own report
    assert held_for(world.secretary) == 0

    # Run again the same morning, and the next: nothing more (the report was told once).
    assert roundup.plan(MORNING + timedelta(minutes=15)) == 0
    assert roundup.plan(MORNING + timedelta(days=1)) == 0
    assert len(mail_to(mail_sink, "secretary@example.org")) == 1

    # A later report is the next round-up's, without the earlier one's news.
    with time_machine.travel(MORNING + timedelta(hours=3), tick=False):
        report(commitment, world.member, progress=60, note="Contract signed")
    roundup.plan(MORNING + timedelta(days=1))
    second = mail_to(mail_sink, "secretary@example.org")[-1]
    assert subject(second) == "Council: the rest of the news, November 26, 2026"
    assert "(TRD-2026-004-KZ1) — In progress, 60%, due December 15, 2026 · Progress reported" \
        in mail_sink.text_of(second)
    assert "Planned → In progress" not in mail_sink.text_of(second)


def test_a_report_committed_after_the_round_up_waits_for_the_next_one(world, mail_sink):
    with time_machine.travel(YESTERDAY, tick=False):
        commitment = assign(world)
        report(commitment, world.member, progress=40)
    roundup.plan(MORNING)
    # Saved a moment before the round-up's time, but committed after it ran: not lost.
    with time_machine.travel(MORNING - timedelta(minutes=1), tick=False):
        report(commitment, world.member, progress=50, note="Second stage")
    assert held_for(world.secretary) == 1
    mail_sink.messages.clear()
    roundup.plan(MORNING + timedelta(days=1))
    [message] = mail_to(mail_sink, "secretary@example.org")
    assert "(TRD-2026-004-KZ1) — In progress, 50%" in mail_sink.text_of(message)
    assert held_for(world.secretary) == 0


def test_who_chose_a_digest_since_gets_no_round_up_and_their_digest_keeps_the_news(world, mail_sink):
    from council.notifications import digests

    with time_machine.travel(YESTERDAY, tick=False):
        commitment = assign(world)
        report(commitment, world.member, progress=40)
    db.session.merge(NotificationPreference(user_id=world.observer.id, email_mode=EmailMode.DAILY))
    db.session.commit()
    mail_sink.messages.clear()
    roundup.plan(MORNING)
    assert mail_to(mail_sink, "observer@example.org") == []
    assert held_for(world.observer) == 0
    digests.plan(MORNING)
    [digest] = mail_to(mail_sink, "observer@example.org")
    assert "(TRD-2026-004-KZ1) — In progress, 40%" in mail_sink.text_of(digest)
