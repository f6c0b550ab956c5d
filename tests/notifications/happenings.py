"""Changes made through the tracker's services (they record the events notifications listen to), and
meeting events as the Meetings branch records them (its models are not on main yet: a stand-in with an
id is enough, the listener only reads the event's kind, subject and payload)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from council import events
from council.events import Event
from council.extensions import db
from council.tracker import services as tracker
from council.tracker.models import Commitment, Recommendation
from tests.factories import RecommendationFactory

TITLE = {"ru": "Электронная очередь на КПП Темирбаба", "kk": "Темірбаба өткізу пунктіндегі электронды кезек",
         "tk": "Temirbaba geçelgesinde elektron nobat", "en": "Electronic queue at Temirbaba checkpoint"}
DUE = date(2026, 12, 15)


def recommendation(world: Any) -> Recommendation:
    existing = db.session.scalar(db.select(Recommendation).where(Recommendation.code == "TRD-2026-004"))
    return existing or RecommendationFactory(group=world.group, code="TRD-2026-004", title=TITLE)


def assign(world: Any, *, actor: Any = None, owner: Any = None, organisation: Any = None,
           due_date: date = DUE, commit: bool = True) -> Commitment:
    """The organisation's side's co-chair assigns a commitment (by default to the member, of the Kazakh
    akimat; parity: a co-chair takes on commitments for their own country only)."""
    side_chair = world.tm_chair if organisation is world.tm_org else world.kz_chair
    commitment = tracker.create_commitment(
        actor or side_chair, recommendation(world),
        organisation=organisation or world.kz_org,
        owner=owner if owner is not None else (None if organisation else world.member),
        description={"ru": "Запустить электронную очередь", "en": "Launch the electronic queue"},
        original_language="ru", start_date=date(2026, 1, 10), due_date=due_date)
    if commit:
        db.session.commit()
    return commitment


def report_done(commitment: Commitment, actor: Any) -> None:
    tracker.report_progress(actor, commitment, progress=100, status="reported_done",
                            note="The queue works since Monday")
    db.session.commit()


def send_back(commitment: Commitment, actor: Any, comment: str = "Attach the signed order") -> None:
    report_done(commitment, commitment.owner)
    tracker.send_back(actor, commitment, comment)
    db.session.commit()


def verify(commitment: Commitment, actor: Any) -> None:
    report_done(commitment, commitment.owner)
    tracker.verify_commitment(actor, commitment)
    db.session.commit()


def move_due_date(commitment: Commitment, actor: Any, due_date: date) -> None:
    tracker.update_commitment(actor, commitment, organisation=commitment.organisation,
                              owner=commitment.owner, description=commitment.description,
                              original_language="ru", start_date=commitment.start_date, due_date=due_date)
    db.session.commit()


@dataclass
class Meeting:
    id: int
    council_id: int | None = None


def meeting_event(kind: str, world: Any, actor: Any, *, meeting_id: int = 1, commit: bool = True,
                  **payload: Any) -> Event:
    payload.setdefault("group_id", world.group.id)
    event = events.record(kind, Meeting(meeting_id, world.council.id), actor, meeting_id=meeting_id,
                          **payload)
    if commit:
        db.session.commit()
    return event
