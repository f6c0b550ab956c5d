"""A known data set for the progress report: the trade group in the third quarter of 2026."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from council.extensions import db
from council.meetings.models import Decision, MeetingStatus
from council.tracker.models import CommitmentStatus, Milestone, Observation, ProgressUpdate
from tests.factories import (
    CommitmentFactory,
    IndicatorFactory,
    InitiativeFactory,
    MeetingFactory,
    RecommendationFactory,
)

IN_Q3 = datetime(2026, 8, 10, 6, 0, tzinfo=UTC)
IN_Q2 = datetime(2026, 5, 10, 6, 0, tzinfo=UTC)


@dataclass
class KnownData:
    world: Any
    recommendation: Any
    verified: Any
    late: Any
    indicator: Any
    meeting: Any


@pytest.fixture
def known(world: Any) -> KnownData:
    """Two recommendations (one made in Q3, one in Q2); the Kazakh side verified at 100 %, the Turkmen
    side 20 % and 12 days late on 30 September; an indicator with three observations; a meeting held with
    one decision; an initiative whose milestone was reached in August."""
    recommendation = RecommendationFactory(
        group=world.group, code="TRD-2026-001", created_at=IN_Q3,
        title={"ru": "Электронная очередь на пункте Темирбаба",
               "kk": "Темірбаба бекетіндегі электрондық кезек",
               "tk": "Garabogaz serhet geçelgesinde elektron nobat"})
    RecommendationFactory(group=world.group, code="TRD-2026-002", created_at=IN_Q2,
                          title={"ru": "Склад в Курыке"})
    verified = CommitmentFactory(recommendation=recommendation, organisation=world.kz_org,
                                 code="TRD-2026-001-KZ1", status=CommitmentStatus.VERIFIED, progress=100,
                                 created_at=IN_Q3, verified_at=datetime(2026, 9, 1, 6, tzinfo=UTC),
                                 due_date=date(2026, 9, 15))
    late = CommitmentFactory(recommendation=recommendation, organisation=world.tm_org,
                             code="TRD-2026-001-TM1", status=CommitmentStatus.IN_PROGRESS, progress=20,
                             created_at=IN_Q3, due_date=date(2026, 9, 19))
    db.session.add(ProgressUpdate(commitment=late, progress=20, previous_progress=0,
                                  from_status=CommitmentStatus.PLANNED,
                                  to_status=CommitmentStatus.IN_PROGRESS, note="", created_at=IN_Q3))
    indicator = IndicatorFactory(council=world.council, group_id=world.group.id, code="TRADE",
                                 name={"ru": "Товарооборот", "kk": "Тауар айналымы",
                                       "tk": "Haryt dolanyşygy"},
                                 baseline_value=Decimal("438.2"), baseline_date=date(2022, 12, 31),
                                 target_value=Decimal("600"), target_date=date(2027, 12, 31))
    for day, value in ((date(2026, 3, 31), "470.5"), (date(2026, 6, 30), "495.25"),
                       (date(2026, 9, 30), "512.75")):
        db.session.add(Observation(indicator=indicator, observed_on=day, value=Decimal(value), source="Stat"))
    meeting = MeetingFactory(group=world.group, reference="TRD-2026-03", status=MeetingStatus.HELD,
                             starts_at=datetime(2026, 8, 20, 5, tzinfo=UTC),
                             ends_at=datetime(2026, 8, 20, 8, tzinfo=UTC))
    db.session.add(Decision(meeting=meeting, number=1, original_language="ru",
                            text={"ru": "Запустить электронную очередь до конца года."}))
    initiative = InitiativeFactory(council=world.council, group=world.group, code="TEMIRBABA",
                                   name={"ru": "Модернизация Темирбаба – Гарабогаз"})
    db.session.add(Milestone(initiative=initiative, title={"ru": "Киоски установлены"},
                             original_language="ru", due_date=date(2026, 8, 31),
                             completed_on=date(2026, 8, 25)))
    db.session.commit()
    return KnownData(world, recommendation, verified, late, indicator, meeting)
