"""The body of a webhook: the event and the record as the API represents it (council.api.schemas).

Written when the change is committed, so every attempt sends the record as that change left it (a
receiver that wants the present state reads it through the API).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from marshmallow import Schema
from sqlalchemy import select

from council.api.schemas import (
    CommitmentSchema,
    IndicatorDetailSchema,
    InitiativeDetailSchema,
    MeetingSchema,
    RecommendationSchema,
)
from council.extensions import db
from council.meetings.models import Meeting
from council.tracker.models import Commitment, Indicator, Initiative, Observation, Recommendation

# subject type -> (model, the API schema of the webhook's `data`)
REPRESENTATIONS: dict[str, tuple[type[Any], type[Schema]]] = {
    "recommendation": (Recommendation, RecommendationSchema),
    "commitment": (Commitment, CommitmentSchema),
    "initiative": (Initiative, InitiativeDetailSchema),
    "indicator": (Indicator, IndicatorDetailSchema),
    "meeting": (Meeting, MeetingSchema),
}


def _indicator(record: Indicator) -> dict[str, Any]:
    latest = db.session.scalar(select(Observation).where(Observation.indicator_id == record.id)
                               .order_by(Observation.observed_on.desc(), Observation.id.desc()).limit(1))
    return {**{name: getattr(record, name) for name in IndicatorDetailSchema().fields
               if name != "latest_observation"}, "latest_observation": latest}


_SOURCES: dict[str, Callable[[Any], Any]] = {"indicator": _indicator}


def load(subject_type: str, subject_id: int) -> Any:
    model, _schema = REPRESENTATIONS[subject_type]
    return db.session.get(model, subject_id)


def body(kind: str, at: datetime, subject_type: str, record: Any) -> dict[str, Any]:
    """{"type", "timestamp", "data"}: the Standard Webhooks shape, `data` the API's representation."""
    _model, schema = REPRESENTATIONS[subject_type]
    source = _SOURCES.get(subject_type, lambda record: record)(record)
    return {"type": kind, "timestamp": at.isoformat().replace("+00:00", "Z"),
            "data": {"object": subject_type, **schema().dump(source)}}
