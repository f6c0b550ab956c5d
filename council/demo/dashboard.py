"""What the demo council shows on its public portal: trade and crossing-time figures, and the
approved minutes of its second session (public recommendations are marked by the tracker's demo)."""

from __future__ import annotations

from sqlalchemy import select

from council.dashboard import figures, services
from council.demo.directory import COUNCIL_SLUG
from council.directory.models import Council, User
from council.extensions import db
from council.meetings.models import Meeting
from council.tracker.models import Indicator

PUBLIC_INDICATORS = ("TRADE-TURNOVER", "CROSSING-TIME-TG")
PUBLIC_MINUTES = ("CS-2025-02",)


def load() -> None:
    council = db.session.scalar(select(Council).where(Council.slug == COUNCIL_SLUG))
    secretary = db.session.scalar(select(User).where(User.email == "secretary@council-demo.org"))
    if council is None or secretary is None:
        return
    for indicator in db.session.scalars(select(Indicator).where(
            Indicator.council_id == council.id, Indicator.code.in_(PUBLIC_INDICATORS))):
        figures.set_indicator_public(secretary, indicator, True)
    for meeting in db.session.scalars(select(Meeting).where(
            Meeting.council_id == council.id, Meeting.reference.in_(PUBLIC_MINUTES))):
        services.set_minutes_public(secretary, meeting, True)
    db.session.commit()
