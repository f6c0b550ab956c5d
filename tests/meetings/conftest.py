"""Meetings at the stages the tests need, built through the services as a secretary would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from council.extensions import db
from council.meetings import agenda, services
from council.meetings import minutes as meeting_minutes
from council.meetings.models import Meeting, MeetingKind


def local(days: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Aktau, `days` from today."""
    today = datetime.now(UTC).date() + timedelta(days=days)
    return datetime(today.year, today.month, today.day, hour, minute)


def details(**overrides: Any) -> services.MeetingDetails:
    values: dict[str, Any] = dict(
        title={"ru": "Заседание рабочей группы по торговле", "en": "Trade working group meeting"},
        original_language="ru", starts_at=local(7, 10), ends_at=local(7, 13), time_zone="Asia/Aqtau",
        place="Aktau, akimat building", online_url=None)
    values.update(overrides)
    return services.MeetingDetails(**values)


def item(title: str = "Пункт", minutes: int = 30, **overrides: Any) -> agenda.AgendaItemDetails:
    values: dict[str, Any] = dict(title={"ru": title}, original_language="ru", duration_minutes=minutes)
    values.update(overrides)
    return agenda.AgendaItemDetails(**values)


class Meetings:
    """Builds meetings for a World: scheduled, published, held, with minutes."""

    def __init__(self, world: Any) -> None:
        self.world = world

    def schedule(self, *, actor: Any = None, kind: MeetingKind = MeetingKind.GROUP_MEETING,
                 group: Any = "default", invite: bool = True, **overrides: Any) -> Meeting:
        world = self.world
        group = world.group if group == "default" else group
        if invite and kind == MeetingKind.GROUP_MEETING:
            overrides.setdefault("invite_user_ids", (world.kz_chair.id, world.tm_chair.id, world.member.id))
            overrides.setdefault("invite_organisation_ids", (world.tm_org.id,))
        meeting = services.schedule_meeting(actor or world.secretary, world.council, kind=kind, group=group,
                                            details=details(**overrides))
        db.session.commit()
        return meeting

    def published(self, **overrides: Any) -> Meeting:
        meeting = self.schedule(**overrides)
        agenda.add_agenda_item(self.world.secretary, meeting, item("Открытие", 15))
        agenda.add_agenda_item(self.world.secretary, meeting, item("Электронная очередь", 60))
        services.publish_agenda(self.world.secretary, meeting)
        db.session.commit()
        return meeting

    def held(self, **overrides: Any) -> Meeting:
        """A meeting that took place yesterday, marked as held."""
        overrides.setdefault("starts_at", local(-1, 10))
        overrides.setdefault("ends_at", local(-1, 13))
        meeting = self.published(**overrides)
        services.mark_held(self.world.secretary, meeting)
        db.session.commit()
        return meeting

    def published_minutes(self, **overrides: Any) -> Meeting:
        meeting = self.held(**overrides)
        meeting_minutes.save_minutes(self.world.secretary, meeting, original_language="ru",
                              notes={"general": {"ru": "Заседание открыл тең төраға."}})
        meeting_minutes.publish_minutes(self.world.secretary, meeting)
        db.session.commit()
        return meeting


@pytest.fixture
def meetings(world: Any) -> Meetings:
    return Meetings(world)
