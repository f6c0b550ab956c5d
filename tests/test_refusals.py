"""Refusals help: one wording in the reader's language that says who can; a missing record is a 404 that
names what is missing; a filter the list does not understand is left out with a notice, not an error."""

from __future__ import annotations

import re

from council.tracker.models import CommitmentStatus
from tests.conftest import page_text, refusal
from tests.factories import CommitmentFactory, RecommendationFactory


def _heading(response) -> str:
    found = re.search(r"<h1>(.*?)</h1>", page_text(response), re.DOTALL)
    assert found
    return found.group(1).strip()


def _in(client, language: str) -> None:
    client.post("/language", data={"language": language, "next": "/"})


def test_a_refusal_says_who_can_in_english(client, auth, world):
    recommendation = RecommendationFactory(group=world.group, code="TRD-2026-001")
    auth.login(world.member)
    response = client.get(f"/tracker/recommendations/{recommendation.id}/commitments/new")
    assert refusal(response) == ("Only the council's secretaries or the co-chairs of the Trade working "
                                 "group can do this.")
    assert _heading(response) == "You do not have permission"


def test_a_refusal_to_verify_names_the_side_co_chair_in_russian_and_kazakh(client, auth, world):
    recommendation = RecommendationFactory(group=world.group, code="TRD-2026-001")
    commitment = CommitmentFactory(recommendation=recommendation, organisation=world.kz_org,
                                   status=CommitmentStatus.REPORTED_DONE)
    auth.login(world.tm_chair)  # the other side's co-chair
    _in(client, "ru")
    response = client.post(f"/tracker/commitments/{commitment.id}/verify", data={"comment": ""})
    message = refusal(response)
    assert message.startswith("Подтвердить выполнение этого обязательства или вернуть его на доработку "
                              "могут только секретари совета или сопредседатель рабочей группы «")
    assert message.endswith("(Казахстан).")
    assert _heading(response) == "Нет прав"
    _in(client, "kk")
    message = refusal(client.post(f"/tracker/commitments/{commitment.id}/verify", data={"comment": ""}))
    assert message.startswith("Бұл міндеттемені тек кеңес хатшылары немесе «")
    assert "жұмыс тобының тең төрағасы (Қазақстан)" in message


def test_who_can_schedule_is_said_in_kazakh(client, auth, world):
    auth.login(world.observer)
    _in(client, "kk")
    response = client.get("/meetings/new")
    assert refusal(response) == "Мұны тек кеңес хатшылары немесе жұмыс топтарының тең төрағалары жасай алады."
    assert _heading(response) == "Құқығыңыз жоқ"


def test_who_can_create_an_organisation_is_said_in_russian(client, auth, world):
    auth.login(world.member)
    _in(client, "ru")
    assert refusal(client.get("/organisations/new")) == "Это могут сделать только секретари совета."


def test_a_missing_record_is_a_page_not_found_that_names_it(client, auth, world):
    auth.login(world.member)
    response = client.get("/tracker/commitments/99999")
    assert refusal(response, 404) == "This commitment does not exist."
    assert _heading(response) == "Page not found"
    assert refusal(client.get("/tracker/recommendations/99999"), 404) == "This recommendation does not exist."
    assert refusal(client.get("/meetings/99999"), 404) == "This session or meeting does not exist."
    _in(client, "tk")
    response = client.get("/tracker/commitments/99999")
    assert refusal(response, 404) == "Beýle borçnama ýok."
    assert "(404)" not in _heading(response)


def test_an_unknown_filter_value_is_left_out_with_a_notice(client, auth, world):
    RecommendationFactory(group=world.group, code="TRD-2026-001")
    auth.login(world.member)
    for query in ("due_within=abc", "group=abc", "owner=x", "due_within=99999", "status=lost",
                  "sort=sideways", "page=abc"):
        response = client.get(f"/tracker/commitments?{query}")
        assert response.status_code == 200, query
        text = page_text(response)
        assert "Not understood, so left out:" in text and query in text, query
    response = client.get("/tracker/recommendations?status=lost&q=TRD")
    assert response.status_code == 200 and "TRD-2026-001" in page_text(response)
    assert client.get("/meetings/?group=abc&kind=party").status_code == 200
    assert "Not understood" in page_text(client.get("/organisations?region=abc"))
    assert "Not understood" not in page_text(client.get("/tracker/commitments?status=planned"))
