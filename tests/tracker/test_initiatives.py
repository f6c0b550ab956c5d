"""Initiatives with milestones and rolled-up progress; indicators with observations."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from council.errors import Conflict, NotAllowed, ValidationFailed
from council.extensions import db
from council.timeutil import council_today
from council.tracker import initiatives
from council.tracker.models import CommitmentStatus, Initiative, Observation
from tests.conftest import page_text
from tests.factories import CommitmentFactory, IndicatorFactory, InitiativeFactory


def initiative_values(**overrides):
    values = dict(code="UZEN-BEREKET-GORGAN", name={"ru": "Узень – Берекет – Горган"},
                  description={}, original_language="ru", group=None)
    values.update(overrides)
    return values


def test_secretary_creates_an_initiative_with_milestones(world):
    initiative = initiatives.create_initiative(world.secretary, world.council, **initiative_values())
    initiatives.add_milestone(world.secretary, initiative, title={"ru": "Открытие линии"},
                           original_language="ru", due_date=date(2014, 12, 3),
                           completed_on=date(2014, 12, 3))
    db.session.commit()
    assert [m.completed_on for m in initiative.milestones] == [date(2014, 12, 3)]
    with pytest.raises(Conflict):
        initiatives.create_initiative(world.secretary, world.council, **initiative_values())


@pytest.mark.parametrize("who", ["kz_chair", "member", "observer"])
def test_only_secretaries_manage_initiatives(world, who):
    with pytest.raises(NotAllowed):
        initiatives.create_initiative(getattr(world, who), world.council, **initiative_values())


def test_initiative_progress_rolls_up_from_its_commitments(world):
    from tests.factories import RecommendationFactory

    initiative = InitiativeFactory(council=world.council)
    recommendation = RecommendationFactory(group=world.group)
    for progress, status in [(100, CommitmentStatus.VERIFIED), (20, CommitmentStatus.IN_PROGRESS),
                             (90, CommitmentStatus.CANCELLED)]:
        CommitmentFactory(recommendation=recommendation, organisation=world.kz_org, progress=progress,
                          status=status, initiative_id=initiative.id)
    db.session.expire_all()
    assert db.session.get(Initiative, initiative.id).progress == 60


def test_a_milestone_is_not_reached_in_the_future(world):
    initiative = InitiativeFactory(council=world.council)
    milestone = initiatives.add_milestone(world.secretary, initiative, title={"ru": "Этап"},
                                       original_language="ru", due_date=None)
    with pytest.raises(ValidationFailed):
        initiatives.complete_milestone(world.secretary, milestone,
                                    council_today() + timedelta(days=1))
    initiatives.complete_milestone(world.secretary, milestone, council_today())
    assert milestone.completed_on == council_today()


def test_observations_are_dated_sourced_and_one_per_day(world):
    indicator = IndicatorFactory(council=world.council, group_id=world.group.id,
                                 baseline_value=438.2, target_value=1000)
    initiatives.record_observation(world.kz_chair, indicator, observed_on=date(2022, 12, 31),
                                value="438,2", source="Study, 2025")
    db.session.commit()
    with pytest.raises(Conflict):
        initiatives.record_observation(world.secretary, indicator, observed_on=date(2022, 12, 31),
                                    value="1", source="x")
    with pytest.raises(ValidationFailed) as raised:
        initiatives.record_observation(world.secretary, indicator, observed_on=date(2023, 12, 31),
                                    value="lots", source="x")
    assert raised.value.field == "value"
    with pytest.raises(ValidationFailed) as raised:
        initiatives.record_observation(world.secretary, indicator, observed_on=date(2023, 12, 31),
                                    value="1", source=" ")
    assert raised.value.field == "source"
    with pytest.raises(NotAllowed):
        initiatives.record_observation(world.member, indicator, observed_on=date(2023, 12, 31),
                                    value="1", source="x")
    assert indicator.share_of_target(indicator.observations[0].value) == 0


def test_indicator_target_date_not_before_baseline(world):
    with pytest.raises(ValidationFailed) as raised:
        initiatives.create_indicator(world.secretary, world.council, code="TRADE",
                                     name={"ru": "Товарооборот"},
                                  description={}, original_language="ru", unit="USD million",
                                  baseline_date=date(2022, 12, 31), target_date=date(2020, 1, 1))
    assert raised.value.field == "target_date"


# Pages ----------------------------------------------------------------------------------------------


def test_initiative_pages_and_their_refusals(client, auth, world):
    auth.login(world.secretary)
    data = {"code": "TEMIRBABA-GARABOGAZ", "name-ru": "Темирбаба – Гарабогаз", "original_language": "ru",
            "group_id": str(world.group.id)}
    response = client.post("/tracker/initiatives/new", data=data)
    assert response.status_code == 302
    assert client.post("/tracker/initiatives/new", data=data).status_code == 409
    initiative = db.session.scalar(select(Initiative))
    url = f"/tracker/initiatives/{initiative.id}/milestones"
    response = client.post(url, data={"title-ru": "Электронная очередь", "original_language": "ru",
                                      "due_date": "not a date"})
    assert response.status_code == 422 and "Not a valid date value." in page_text(response)
    assert client.post(url, data={"title-ru": "Электронная очередь", "original_language": "ru",
                                  "due_date": "2026-09-01"}).status_code == 302
    db.session.refresh(initiative)
    milestone = initiative.milestones[0]
    future = (council_today() + timedelta(days=3)).isoformat()
    response = client.post(f"{url}/{milestone.id}/done", data={"completed_on": future})
    assert response.status_code == 422 and "cannot be reached in the future" in page_text(response)
    auth.logout()
    auth.login(world.kz_chair)
    assert client.post("/tracker/initiatives/new", data=dict(data, code="OTHER")).status_code == 403


def test_indicator_pages_and_observations(client, auth, world):
    auth.login(world.secretary)
    response = client.post("/tracker/indicators/new", data={
        "code": "TRADE-TURNOVER", "name-ru": "Товарооборот", "name-en": "Trade turnover",
        "original_language": "ru", "unit": "USD million", "baseline_value": "438.2",
        "baseline_date": "2022-12-31", "target_value": "1000", "target_date": "2030-12-31",
        "group_id": str(world.group.id), "initiative_id": ""})
    assert response.status_code == 302
    url = response.headers["Location"] + "/observations"
    bad = client.post(url, data={"observed_on": "2023-12-31", "value": "many", "source": "Stat"})
    assert bad.status_code == 422 and "Enter a number." in page_text(bad)
    assert client.post(url, data={"observed_on": "2023-12-31", "value": "719",
                                  "source": "Statistics bureau"}).status_code == 302
    again = client.post(url, data={"observed_on": "2023-12-31", "value": "720", "source": "Stat"})
    assert again.status_code == 409 and "There is already a value for this date." in page_text(again)
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 1
    text = page_text(client.get("/tracker/indicators"))
    assert "719" in text and "TRADE-TURNOVER" in text and "50%" in text
    auth.logout()
    auth.login(world.member)
    assert client.post(url, data={"observed_on": "2024-12-31", "value": "1",
                                  "source": "x"}).status_code == 403
