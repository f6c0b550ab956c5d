"""Initiatives with milestones and rolled-up progress; indicators with observations."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from council.errors import Conflict, NotAllowed, ValidationFailed
from council.events import history
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


# Editing a milestone and correcting a value (issue 20) -----------------------------------------------


def test_a_milestones_title_and_due_date_are_changed_with_an_event(world):
    initiative = InitiativeFactory(council=world.council)
    milestone = initiatives.add_milestone(world.secretary, initiative, title={"ru": "Этап"},
                                          original_language="ru", due_date=date(2026, 9, 1))
    db.session.commit()
    initiatives.update_milestone(world.secretary, milestone, title={"ru": "Пуск очереди", "en": "Queue"},
                                 original_language="ru", due_date=date(2026, 12, 1))
    db.session.commit()
    assert (milestone.title["en"], milestone.due_date) == ("Queue", date(2026, 12, 1))
    [event] = [e for e in history("initiative", initiative.id) if e.kind == "initiative.milestone_updated"]
    assert event.payload["milestone_id"] == milestone.id and set(event.payload["changes"]) == {
        "title", "due_date"}
    with pytest.raises(ValidationFailed) as raised:
        initiatives.update_milestone(world.secretary, milestone, title={"ru": " "}, original_language="ru",
                                     due_date=None)
    assert raised.value.field == "title"
    with pytest.raises(NotAllowed):
        initiatives.update_milestone(world.kz_chair, milestone, title={"ru": "Моё"}, original_language="ru",
                                     due_date=None)


def test_a_value_is_corrected_by_whoever_records_values(world):
    indicator = IndicatorFactory(council=world.council, group_id=world.group.id)
    first = initiatives.record_observation(world.secretary, indicator, observed_on=date(2022, 12, 31),
                                           value="438,2", source="Study, 2025")
    later = initiatives.record_observation(world.secretary, indicator, observed_on=date(2023, 12, 31),
                                           value="700", source="Statistics bureau")
    db.session.commit()
    # The co-chair of the indicator's group records values, so corrects them too.
    initiatives.update_observation(world.kz_chair, later, observed_on=date(2023, 12, 30), value="719",
                                   source="Statistics bureau, final", note="Revised figure")
    db.session.commit()
    assert (later.observed_on, later.value, later.note) == (date(2023, 12, 30), 719, "Revised figure")
    [event] = [e for e in history("indicator", indicator.id) if e.kind == "indicator.observation_updated"]
    assert event.payload["value"] == "719" and set(event.payload["changes"]) == {
        "observed_on", "value", "source", "note"}
    with pytest.raises(Conflict) as clash:  # still one value per date
        initiatives.update_observation(world.secretary, later, observed_on=first.observed_on, value="1",
                                       source="x")
    assert clash.value.field == "observed_on"
    db.session.rollback()
    with pytest.raises(ValidationFailed) as raised:  # every wrong field at once
        initiatives.update_observation(world.secretary, later, observed_on=council_today() + timedelta(1),
                                       value="lots", source=" ")
    assert {problem.field for problem in raised.value.problems} == {"observed_on", "value", "source"}
    db.session.rollback()
    for who in (world.member, world.tm_member, world.observer):
        with pytest.raises(NotAllowed):
            initiatives.update_observation(who, later, observed_on=later.observed_on, value="1", source="x")
    db.session.expire_all()
    assert db.session.get(Observation, later.id).value == 719


def test_milestone_and_value_forms_show_every_problem_then_save(client, auth, world):
    initiative = InitiativeFactory(council=world.council)
    milestone = initiatives.add_milestone(world.secretary, initiative, title={"ru": "Этап"},
                                          original_language="ru", due_date=None)
    indicator = IndicatorFactory(council=world.council)
    observation = initiatives.record_observation(world.secretary, indicator, observed_on=date(2023, 12, 31),
                                                 value="700.5", source="Statistics bureau")
    db.session.commit()
    auth.login(world.secretary)
    page = page_text(client.get(f"/tracker/initiatives/{initiative.id}"))
    assert f"/milestones/{milestone.id}/edit" in page
    url = f"/tracker/initiatives/{initiative.id}/milestones/{milestone.id}/edit"
    refused = client.post(url, data={"title-ru": "", "original_language": "ru", "due_date": "31.02.2026"})
    text = page_text(refused)
    assert refused.status_code == 422 and "There is a problem" in text and "Not a valid date value." in text
    assert client.post(url, data={"title-ru": "Пуск очереди", "original_language": "ru",
                                  "due_date": "2026-12-01"}).status_code == 302
    page = page_text(client.get(f"/tracker/initiatives/{initiative.id}"))
    assert "Пуск очереди" in page and "changed a milestone" in page

    url = f"/tracker/indicators/{indicator.id}/observations/{observation.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'value="700.5"' in form  # as recorded, not the stored 700.5000
    future = (council_today() + timedelta(days=2)).isoformat()
    refused = client.post(url, data={"observed_on": future, "value": "many", "source": "Stat"})
    text = page_text(refused)
    assert refused.status_code == 422 and "There is a problem" in text
    assert "Enter a number." in text and "cannot be dated in the future" in text  # both at once
    assert client.post(url, data={"observed_on": "2023-12-31", "value": "719",
                                  "source": "Statistics bureau"}).status_code == 302
    page = page_text(client.get(f"/tracker/indicators/{indicator.id}"))
    assert "corrected the value for" in page and "719" in page
    auth.logout()
    auth.login(world.kz_chair)
    assert client.get(url).status_code == 403  # the indicator belongs to no group: secretaries only
    milestone_page = f"/tracker/initiatives/{initiative.id}/milestones/{milestone.id}/edit"
    assert client.get(milestone_page).status_code == 403
