"""Domain events as the tracker and meetings record them (see the events contract in COMMON.md).

Until those branches land, a commitment or a meeting is a plain stand-in with an id: the listener only
reads the event's kind, subject and payload.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from council import events
from council.events import Event
from council.extensions import db

TITLE = {"ru": "Электронная очередь на КПП Темирбаба", "kk": "Темірбаба өткізу пунктіндегі электронды кезек",
         "tk": "Temirbaba geçelgesinde elektron nobat", "en": "Electronic queue at Temirbaba checkpoint"}


@dataclass
class Commitment:
    id: int
    council_id: int | None = None


@dataclass
class Meeting:
    id: int
    council_id: int | None = None


def commitment_event(kind: str, world: Any, actor: Any, *, commitment_id: int = 1, owner: Any = None,
                     organisation: Any = None, commit: bool = True, **payload: Any) -> Event:
    owner = owner if owner is not None else world.member
    organisation = organisation if organisation is not None else world.kz_org
    event = events.record(kind, Commitment(commitment_id), actor, group_id=world.group.id,
                          recommendation_id=7, organisation_id=organisation.id, owner_id=owner.id,
                          code="TRD-2026-004-1", title=TITLE, **payload)
    if commit:
        db.session.commit()
    return event


def meeting_event(kind: str, world: Any, actor: Any, *, meeting_id: int = 1, commit: bool = True,
                  **payload: Any) -> Event:
    payload.setdefault("group_id", world.group.id)
    event = events.record(kind, Meeting(meeting_id, world.council.id), actor, meeting_id=meeting_id,
                          **payload)
    if commit:
        db.session.commit()
    return event
