"""An empty or wrong form lists every problem at once, in the error summary at the top, each linked to its
field; nothing is chosen for the person where the choice matters."""

from __future__ import annotations

import re
from datetime import timedelta

from council.timeutil import council_today
from tests.conftest import error_summary, page_text
from tests.factories import RecommendationFactory


def _options(page: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert select, f"no select {select_id}"
    return re.findall(r"<option[^>]*>", select.group(1))


def test_an_empty_commitment_form_lists_every_problem_at_once(client, auth, world):
    recommendation = RecommendationFactory(group=world.group, code="TRD-2026-001")
    auth.login(world.secretary)
    url = f"/tracker/recommendations/{recommendation.id}/commitments/new"
    blank = page_text(client.get(url))
    # The responsible organisation starts on "Choose…": a hurried person does not keep the first one.
    options = _options(blank, "organisation_id")
    assert 'value=""' in options[0] and not any("selected" in option for option in options[1:])
    assert "Choose…" in blank

    response = client.post(url, data={"original_language": "ru", "organisation_id": ""})
    assert response.status_code == 422
    assert error_summary(response) == [
        ("organisation_id", "Choose the responsible organisation."),
        ("description-ru", "Enter the text in its original language."),
        ("due_date", "Enter the due date."),
    ]
    page = page_text(response)
    assert 'tabindex="-1"' in page and "There is a problem" in page
    # Each message also stands beside its field, which the summary's link leads to.
    assert 'id="due_date-error"' in page and 'id="due_date"' in page


def test_rules_the_service_checks_are_reported_together(client, auth, world):
    recommendation = RecommendationFactory(group=world.group, code="TRD-2026-001")
    auth.login(world.secretary)
    today = council_today()
    response = client.post(f"/tracker/recommendations/{recommendation.id}/commitments/new", data={
        "organisation_id": str(world.kz_org.id), "owner_id": str(world.tm_member.id),
        "description-ru": "Установить терминалы", "original_language": "ru",
        "start_date": today.isoformat(), "due_date": (today - timedelta(days=1)).isoformat(),
        "code": "bad code!"})
    assert response.status_code == 422
    assert [target for target, _text in error_summary(response)] == ["owner_id", "due_date", "code"]


def test_an_empty_recommendation_form_starts_with_no_group_chosen(client, auth, world):
    auth.login(world.secretary)
    blank = page_text(client.get("/tracker/recommendations/new"))
    assert 'value=""' in _options(blank, "group_id")[0]
    response = client.post("/tracker/recommendations/new", data={
        "original_language": "ru", "source": "council_session", "priority": "medium"})
    assert response.status_code == 422
    assert error_summary(response) == [
        ("group_id", "Choose the working group."),
        ("code", "Enter the code."),
        ("title-ru", "Enter the text in its original language."),
    ]


def test_an_empty_organisation_form_lists_every_problem(client, auth, world):
    auth.login(world.secretary)
    blank = page_text(client.get("/organisations/new"))
    assert 'value=""' in _options(blank, "country_code")[0]
    response = client.post("/organisations/new", data={"original_language": "ru", "kind": "business"})
    assert response.status_code == 422
    assert error_summary(response) == [
        ("name-ru", "Enter the text in its original language."),
        ("code", "Enter the code."),
        ("country_code", "Choose a country."),
    ]


def test_an_empty_meeting_form_names_each_field_in_the_summary(client, auth, world):
    auth.login(world.secretary)
    response = client.post("/meetings/new", data={"kind": "group_meeting", "group_id": str(world.group.id),
                                                  "original_language": "kk", "time_zone": "Asia/Aqtau"})
    assert response.status_code == 422
    assert error_summary(response) == [
        ("title-kk", "Enter the text in its original language."),
        ("starts_at", "Starts: This field is required."),
        ("ends_at", "Ends: This field is required."),
    ]


def test_the_summary_speaks_the_readers_language(client, auth, world):
    auth.login(world.secretary)
    client.post("/language", data={"language": "kk", "next": "/"})
    response = client.post("/organisations/new", data={"original_language": "ru", "kind": "business"})
    page = page_text(response)
    assert "Қателер бар" in page  # "There is a problem"
    assert [target for target, _text in error_summary(response)] == ["name-ru", "code", "country_code"]


def test_an_empty_sign_in_form_lists_both_fields(client):
    response = client.post("/login", data={})
    assert response.status_code in (400, 422)
    assert [target for target, _text in error_summary(response)] == ["email", "password"]


def test_the_organisation_rules_are_reported_together(client, auth, world):
    from tests.factories import RegionFactory

    turkmen_region = RegionFactory(country_code="TM")
    auth.login(world.secretary)
    response = client.post("/organisations/new", data={
        "original_language": "ru", "name-ru": "Акимат", "kind": "akimat", "code": world.kz_org.code,
        "country_code": "KZ", "region_id": str(turkmen_region.id)})
    assert response.status_code == 422
    assert error_summary(response) == [
        ("code", "Another organisation already uses this code."),
        ("region_id", "The region must be in the organisation's country."),
    ]
