"""Who hears about which event: rows written in the change's own transaction, for the right people."""

from __future__ import annotations

from sqlalchemy import select

from council.directory.models import GroupRole, User
from council.extensions import db
from council.notifications.models import (
    Channel,
    DeliveryState,
    EmailMode,
    GroupLevel,
    GroupNotificationSetting,
    Notification,
    NotificationPreference,
)
from council.tracker import services as tracker
from tests.factories import MembershipFactory, UserFactory
from tests.notifications.conftest import mail_to, subject
from tests.notifications.happenings import assign, meeting_event, report_done, send_back, verify


def recipients(kind: str, channel: Channel = Channel.IN_APP) -> set[str]:
    return set(db.session.scalars(select(User.email).join(Notification.recipient).where(
        Notification.kind == kind, Notification.channel == channel)))


def test_a_commitment_assigned_reaches_its_owner_and_organisation(world, mail_sink):
    assign(world)
    # The owner and the other people of the organisation, but not the co-chair who assigned it.
    assert recipients("commitment.created") == {"member@example.org", "secretary@example.org",
                                                "observer@example.org"}
    assert recipients("commitment.created", Channel.EMAIL) == recipients("commitment.created")
    assert {m["To"] for m in mail_sink.messages} == recipients("commitment.created")
    [message] = mail_to(mail_sink, "member@example.org")
    assert subject(message) == "New commitment: Launch the electronic queue (TRD-2026-004-KZ1)"


def test_a_commitment_reported_done_waits_for_co_chairs_and_secretaries(world, mail_sink):
    commitment = assign(world)
    mail_sink.messages.clear()
    report_done(commitment, world.member)
    heard = recipients("commitment.status_changed")
    assert {"kz.chair@example.org", "tm.chair@example.org", "secretary@example.org"} <= heard
    assert "member@example.org" not in heard  # who reported it
    # One report, one message: the progress it carried is told with the status change.
    assert recipients("commitment.progress_reported") == set()
    # E-mailed at once to who may verify it: the secretaries and the co-chair of its (Kazakh) side.
    assert recipients("commitment.status_changed", Channel.EMAIL) == {"kz.chair@example.org",
                                                                      "secretary@example.org"}
    [message] = mail_to(mail_sink, "kz.chair@example.org")
    assert subject(message) == ("Reported done, waiting for verification: "
                                "Launch the electronic queue (TRD-2026-004-KZ1)")
    assert "Progress: 100%" in mail_sink.text_of(message)


def test_group_members_hear_group_news_by_their_level(world):
    MembershipFactory(group=world.group, user=world.outsider, role=GroupRole.MEMBER)
    db.session.add(GroupNotificationSetting(user_id=world.tm_member.id, group_id=world.group.id,
                                            level=GroupLevel.ALL))
    db.session.add(GroupNotificationSetting(user_id=world.outsider.id, group_id=world.group.id,
                                            level=GroupLevel.MUTED))
    db.session.commit()

    commitment = assign(world, owner=world.tm_chair, organisation=world.tm_org)
    tracker.report_progress(world.tm_chair, commitment, progress=0, note="Tender announced")
    db.session.commit()
    # A minor piece of news: the owner's side, plus whoever follows everything in the group.
    assert recipients("commitment.progress_reported") == {"tm.member@example.org"}

    meeting_event("meeting.agenda_published", world, world.secretary)
    # Important news: every member at the normal level, not the muted one.
    assert recipients("meeting.agenda_published") == {"kz.chair@example.org", "tm.chair@example.org",
                                                      "member@example.org", "tm.member@example.org"}


def test_muting_a_group_keeps_what_is_addressed_to_you(world):
    db.session.add(GroupNotificationSetting(user_id=world.member.id, group_id=world.group.id,
                                            level=GroupLevel.MUTED))
    db.session.commit()
    send_back(assign(world), world.kz_chair)
    assert "member@example.org" in recipients("commitment.sent_back")


def test_people_on_digests_get_the_app_entry_but_no_immediate_e_mail(world, mail_sink):
    db.session.add(NotificationPreference(user_id=world.member.id, email_mode=EmailMode.DAILY))
    db.session.add(NotificationPreference(user_id=world.secretary.id, email_mode=EmailMode.NONE))
    db.session.commit()
    assign(world)
    assert {"member@example.org", "secretary@example.org"} <= recipients("commitment.created")
    assert recipients("commitment.created", Channel.EMAIL) == {"observer@example.org"}
    assert [m["To"] for m in mail_sink.messages] == ["observer@example.org"]


def test_inactive_people_and_other_councils_hear_nothing(world):
    world.observer.active = False
    stranger = UserFactory(email="stranger@example.org")  # another council altogether
    db.session.commit()
    meeting_event("meeting.invited", world, world.secretary, user_ids=[stranger.id, world.member.id],
                  organisation_ids=[world.tm_org.id])
    assert recipients("meeting.invited") == {"member@example.org", "tm.chair@example.org",
                                             "tm.member@example.org"}
    assign(world)
    assert "observer@example.org" not in recipients("commitment.created")


def test_publishing_an_agenda_invites_the_invitees_and_tells_the_group(world, mail_sink):
    meeting_event("meeting.agenda_published", world, world.secretary, user_ids=[world.member.id],
                  organisation_ids=[world.tm_org.id], commit=False)
    meeting_event("meeting.invited", world, world.secretary, user_ids=[world.member.id],
                  organisation_ids=[world.tm_org.id])
    assert recipients("meeting.invited") == {"member@example.org", "tm.chair@example.org",
                                             "tm.member@example.org"}
    assert recipients("meeting.agenda_published") == {"kz.chair@example.org"}  # one message each
    assert len(mail_sink.messages) == 4


def test_minutes_approval_goes_to_the_named_approvers_or_else_the_co_chairs(world):
    meeting_event("minutes.approval_requested", world, world.secretary, meeting_id=1)
    assert recipients("minutes.approval_requested") == {"kz.chair@example.org", "tm.chair@example.org"}
    meeting_event("minutes.approval_requested", world, world.secretary, meeting_id=2,
                  user_ids=[world.kz_chair.id])
    rows = db.session.scalars(select(Notification).where(
        Notification.kind == "minutes.approval_requested", Notification.channel == Channel.IN_APP))
    assert sorted(row.recipient.email for row in rows) == [
        "kz.chair@example.org", "kz.chair@example.org", "tm.chair@example.org"]


def test_notifications_exist_exactly_when_the_change_does(world, mail_sink):
    assign(world, commit=False)
    assert db.session.scalars(select(Notification)).all()  # written in the same transaction
    db.session.rollback()
    assert db.session.scalars(select(Notification)).all() == []
    assert mail_sink.messages == []  # nothing was queued for a change that did not happen


def test_an_e_mail_is_pending_until_delivered_then_sent(world, mail_sink):
    verify(assign(world), world.kz_chair)
    mine = select(Notification).where(Notification.recipient_id == world.member.id,
                                      Notification.kind == "commitment.verified")
    row = db.session.scalars(mine.where(Notification.channel == Channel.EMAIL)).one()
    assert row.state == DeliveryState.SENT and row.attempts == 1 and row.sent_at is not None
    in_app = db.session.scalars(mine.where(Notification.channel == Channel.IN_APP)).one()
    assert in_app.read_at is None
