"""The meetings demo: loads through the services, twice without duplicates, and reads as promised."""

from __future__ import annotations

from sqlalchemy import func, select

from council.demo import load_demo
from council.extensions import db
from council.meetings import attendance, minutes
from council.meetings.models import Decision, Meeting, MeetingStatus, MinutesApproval
from council.tracker.models import Commitment, Recommendation


def counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Meeting, Decision, MinutesApproval, Recommendation, Commitment)}


def test_the_meetings_demo_is_idempotent_and_complete(app):
    load_demo()
    first = counts()
    load_demo()
    assert counts() == first
    assert first["Meeting"] == 3 and first["MinutesApproval"] == 2
    assert first["Commitment"] >= 4  # the tracker demo adds its own
    session = db.session.scalar(select(Meeting).where(Meeting.reference == "CS-2025-02"))
    assert session.status == MeetingStatus.MINUTES_APPROVED and "Актау" in (session.place or "")
    assert attendance.both_sides_present(session)
    assert len(minutes.created_commitments(session)) == 4
    ecology = db.session.scalar(select(Meeting).where(Meeting.reference.like("ECO-%")))
    assert ecology.status == MeetingStatus.AGENDA_PUBLISHED and ecology.time_zone == "Asia/Ashgabat"
    review = next(i for i in ecology.agenda_items if i.commitments)
    assert len(review.commitments) >= 2  # with the tracker demo the group has more due
    digital = db.session.scalar(select(Meeting).where(Meeting.reference.like("DIG-%")))
    assert digital.online_url and digital.status == MeetingStatus.DRAFT
