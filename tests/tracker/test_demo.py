"""The tracker's demo data: several states, some overdue, and loading it twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from council.demo import load_demo
from council.events import Event
from council.extensions import db
from council.timeutil import council_today
from council.tracker.models import (
    Commitment,
    Indicator,
    Initiative,
    Milestone,
    Observation,
    Recommendation,
    overdue_condition,
)

MODELS = (Recommendation, Commitment, Initiative, Milestone, Indicator, Observation, Event)


def counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
            for model in MODELS}


def test_demo_tracker_is_idempotent_and_varied(app):
    load_demo()
    first = counts()
    load_demo()
    assert counts() == first
    assert first["Recommendation"] >= 10 and first["Commitment"] >= 15 and first["Initiative"] >= 5
    recommendation_states = set(db.session.scalars(select(Recommendation.status).distinct()))
    assert {"proposed", "adopted", "rejected", "withdrawn", "implemented"} <= recommendation_states
    commitment_states = set(db.session.scalars(select(Commitment.status).distinct()))
    assert {"planned", "in_progress", "reported_done", "verified", "blocked"} <= commitment_states
    overdue = db.session.scalar(select(func.count()).select_from(Commitment)
                                .where(overdue_condition(council_today())))
    assert overdue >= 3
    turnover = db.session.scalar(select(Indicator).where(Indicator.code == "TRADE-TURNOVER"))
    assert str(turnover.baseline_value).startswith("438.2")


def test_demo_pages_have_something_to_show(client):
    load_demo()
    client.post("/login", data={"email": "cochair.kz@council-demo.org", "password": "council-demo"})
    assert "TRD-2025-001" in client.get("/tracker/recommendations").get_data(as_text=True)
    assert 'class="badge overdue"' in client.get("/tracker/commitments?overdue=1").get_data(as_text=True)
    assert "UZEN-BEREKET-GORGAN" in client.get("/tracker/initiatives").get_data(as_text=True)
    assert "438" in client.get("/tracker/indicators").get_data(as_text=True)
