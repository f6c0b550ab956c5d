"""Home as each person sees it: what needs them, most urgent first, and one-action items done in place."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from council.extensions import db
from council.meetings.models import Invitation, MeetingStatus
from council.meetings.models import Response as Answer
from council.notifications.models import Channel, DeliveryState, Notification
from council.timeutil import council_today, utcnow
from council.tracker.models import CommitmentStatus
from tests.conftest import page_text
from tests.factories import CommitmentFactory, RecommendationFactory
from tests.meetings.conftest import local


def _section_order(html: str) -> list[str]:
    import re

    return re.findall(r'aria-labelledby="home-([a-z_]+)"', html)


def test_sign_in_and_the_start_page_lead_home(client, auth, world):
    response = auth.login(world.member)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/home"
    page = page_text(client.get("/home"))
    assert "What needs you now" in page
    # The dashboards stay one click away.
    assert 'href="/dashboard"' in page


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/home")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_member_sees_their_overdue_commitment_first_and_reports_progress_from_home(client, auth, world):
    today = council_today()
    late = CommitmentFactory(recommendation=RecommendationFactory(group=world.group),
                             organisation=world.kz_org, owner=world.member,
                             status=CommitmentStatus.IN_PROGRESS, progress=30,
                             due_date=today - timedelta(days=4), description={"en": "Install the kiosks"})
    CommitmentFactory(recommendation=late.recommendation, organisation=world.tm_org, owner=world.tm_member,
                      due_date=today - timedelta(days=4), description={"en": "Someone else's work"})
    db.session.commit()
    auth.login(world.member)
    page = page_text(client.get("/home"))
    assert _section_order(page)[0] == "overdue"
    assert "Install the kiosks" in page and "4 days overdue" in page
    assert "Someone else" not in page
    # A member approves no minutes and verifies nothing: those sections are not shown at all.
    assert "home-approvals" not in page and "home-verification" not in page and "home-exceptions" not in page

    response = client.post(f"/home/commitments/{late.id}/progress", data={"progress": "150", "note": ""})
    assert response.status_code == 422
    assert "Number must be between 0 and 100." in page_text(response)

    response = client.post(f"/home/commitments/{late.id}/progress",
                           data={"progress": "60", "note": "Ordered"})
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    db.session.refresh(late)
    assert late.progress == 60 and late.updates[0].note == "Ordered"
    assert "Progress reported." in page_text(client.get("/home"))


def test_someone_else_cannot_report_on_a_commitment_from_home(client, auth, world):
    commitment = CommitmentFactory(recommendation=RecommendationFactory(group=world.group),
                                   organisation=world.tm_org, owner=world.tm_member)
    db.session.commit()
    auth.login(world.member)
    response = client.post(f"/home/commitments/{commitment.id}/progress", data={"progress": "50"})
    assert response.status_code == 403
    assert client.post("/home/commitments/999999/progress", data={"progress": "50"}).status_code == 404


def test_a_co_chair_approves_waiting_minutes_in_place(client, auth, world, meetings):
    meeting = meetings.published_minutes()
    auth.login(world.kz_chair)
    page = page_text(client.get("/home"))
    assert _section_order(page)[0] == "approvals"
    assert meeting.reference in page
    # The minutes are in Russian only; an English reader is warned before approving.
    assert "These minutes are not yet in English" in page

    response = client.post(f"/home/meetings/{meeting.id}/approve")
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    page = page_text(client.get("/home"))
    assert "The other co-chair&#39;s approval is still needed" in page
    assert "No minutes wait for your approval." in page
    # Approving twice is refused with the reason.
    assert client.post(f"/home/meetings/{meeting.id}/approve").status_code == 409


def test_a_verifier_verifies_in_place(client, auth, world):
    commitment = CommitmentFactory(recommendation=RecommendationFactory(group=world.group),
                                   organisation=world.kz_org, owner=world.member,
                                   status=CommitmentStatus.REPORTED_DONE, progress=100,
                                   description={"en": "Publish the queue rules"})
    db.session.commit()
    auth.login(world.kz_chair)
    page = page_text(client.get("/home"))
    assert "Publish the queue rules" in page
    response = client.post(f"/home/commitments/{commitment.id}/verify")
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    db.session.refresh(commitment)
    assert commitment.status == CommitmentStatus.VERIFIED
    assert "Nothing to verify." in page_text(client.get("/home"))
    # A member verifies nothing.
    other = CommitmentFactory(recommendation=commitment.recommendation, organisation=world.kz_org,
                              status=CommitmentStatus.REPORTED_DONE, progress=100)
    db.session.commit()
    auth.logout()
    auth.login(world.member)
    assert client.post(f"/home/commitments/{other.id}/verify").status_code == 403


def test_meetings_this_week_are_answered_in_place(client, auth, world, meetings):
    meeting = meetings.published(starts_at=local(2, 10), ends_at=local(2, 12))
    later = meetings.published(starts_at=local(20, 10), ends_at=local(20, 12), title={"ru": "Позже"})
    auth.login(world.member)
    page = page_text(client.get("/home"))
    assert f"/meetings/{meeting.id}/invitations/" in page  # answerable here
    assert f"/meetings/{later.id}/invitations/" not in page  # not this week
    invitation = db.session.scalar(select(Invitation).where(Invitation.meeting_id == meeting.id,
                                                            Invitation.user_id == world.member.id))
    response = client.post(f"/home/meetings/{meeting.id}/invitations/{invitation.id}/respond",
                           data={"response": "not_attending"})
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    db.session.refresh(invitation)
    assert invitation.response == Answer.NOT_ATTENDING
    bad = client.post(f"/home/meetings/{meeting.id}/invitations/{invitation.id}/respond",
                      data={"response": "maybe"})
    assert bad.status_code == 422 and "Choose an answer." in page_text(bad)
    # Another person's invitation is not theirs to answer.
    other = db.session.scalar(select(Invitation).where(Invitation.meeting_id == meeting.id,
                                                       Invitation.user_id == world.kz_chair.id))
    assert client.post(f"/home/meetings/{meeting.id}/invitations/{other.id}/respond",
                       data={"response": "attending"}).status_code == 403
    assert later.status == MeetingStatus.AGENDA_PUBLISHED


def test_every_section_says_when_it_is_empty(client, auth, world):
    auth.login(world.secretary)
    page = page_text(client.get("/home"))
    for text in ("None of your commitments is overdue.", "Nothing to verify.",
                 "No meeting of yours this week.", "Nothing unread.", "Every e-mail was delivered.",
                 "nothing overdue"):
        assert text in page, text


def test_secretaries_see_the_councils_exceptions(client, auth, world):
    today = council_today()
    recommendation = RecommendationFactory(group=world.group)
    for _ in range(2):
        CommitmentFactory(recommendation=recommendation, organisation=world.tm_org,
                          due_date=today - timedelta(days=3))
    db.session.add(Notification(council_id=world.council.id, recipient_id=world.member.id, kind="digest",
                                channel=Channel.EMAIL, state=DeliveryState.FAILED, failed_at=utcnow()))
    db.session.commit()
    auth.login(world.secretary)
    page = page_text(client.get("/home"))
    assert "2 commitments overdue" in page and "1 e-mail could not be delivered" in page
    assert "the administrator can send them again" in page


def test_notifications_for_me_are_listed_and_marked_read_in_place(client, auth, world):
    db.session.add(Notification(council_id=world.council.id, recipient_id=world.member.id,
                                kind="reminder.commitment_due", channel=Channel.IN_APP,
                                state=DeliveryState.SENT,
                                payload={"code": "TRD-1", "title": {"en": "Queue"}, "days": 3}))
    db.session.commit()
    auth.login(world.member)
    page = page_text(client.get("/home"))
    assert "Due in 3 days: TRD-1 Queue" in page
    response = client.post("/home/notifications/read")
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    assert "Nothing unread." in page_text(client.get("/home"))
