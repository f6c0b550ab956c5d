"""Content in the reader's language everywhere: lists and exports mark a fallback, search finds any language.

Runs on SQLite and, with COUNCIL_TEST_DATABASE_URL, on PostgreSQL: the search key is case-folded in
Python, so Kazakh Cyrillic and Turkmen Latin letters match whatever the database's collation.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from icalendar import Calendar

from council.extensions import db
from council.translating import services
from tests.api.conftest import bearer
from tests.conftest import page_text
from tests.factories import (
    CommitmentFactory,
    IndicatorFactory,
    InitiativeFactory,
    RecommendationFactory,
)
from tests.meetings.conftest import Meetings

MARKER = "in Русский; not translated yet"


@pytest.fixture
def content(world: Any) -> dict[str, Any]:
    """Records written in Kazakh, in Turkmen and in Russian only (as an English reader would meet them)."""
    kazakh = RecommendationFactory(group=world.group, code="TRD-2026-010", original_language="kk",
                                   title={"kk": "Әкімдік құрылыс жоспары"}, is_public=True)
    turkmen = RecommendationFactory(group=world.group, code="TRD-2026-011", original_language="tk",
                                    title={"tk": "Şäher ýollarynyň gurluşygy"})
    russian = RecommendationFactory(group=world.group, code="TRD-2026-012", title={"ru": "Порт Курык"},
                                    is_public=True)
    commitment = CommitmentFactory(recommendation=russian, organisation=world.tm_org,
                                   code="TRD-2026-012-TM1", original_language="tk",
                                   description={"tk": "Çäge süzgüçlerini ýerleşdirmek"})
    initiative = InitiativeFactory(council=world.council, code="RAIL", name={"ru": "Железная дорога"},
                                   original_language="ru")
    indicator = IndicatorFactory(council=world.council, code="TRADE", name={"ru": "Товарооборот"},
                                 original_language="ru")
    db.session.commit()
    return {"kazakh": kazakh, "turkmen": turkmen, "russian": russian, "commitment": commitment,
            "initiative": initiative, "indicator": indicator}


def _codes(text: str, *codes: str) -> set[str]:
    return {code for code in codes if code in text}


ALL = ("TRD-2026-010", "TRD-2026-011", "TRD-2026-012")


@pytest.mark.parametrize(("query", "found"), [
    ("ҚҰРЫЛЫС", {"TRD-2026-010"}),  # capital Kazakh letters find lower-case text
    ("Әкімдік", {"TRD-2026-010"}),
    ("әкімдік", {"TRD-2026-010"}),
    ("ŞÄHER", {"TRD-2026-011"}),  # Turkmen Latin, upper case
    ("ÝOLLARYNYŇ", {"TRD-2026-011"}),
    ("порт КУРЫК", {"TRD-2026-012"}),
])
def test_the_tracker_list_finds_records_in_any_language_and_case(
        client: Any, auth: Any, world: Any, content: Any, query: str, found: set[str]) -> None:
    auth.login(world.member)
    text = page_text(client.get("/tracker/recommendations", query_string={"q": query}))
    assert _codes(text, *ALL) == found


def test_commitments_initiatives_and_indicators_are_searched_too(client: Any, auth: Any, world: Any,
                                                                 content: Any) -> None:
    auth.login(world.member)
    assert "TRD-2026-012-TM1" in page_text(client.get("/tracker/commitments?q=SÜZGÜÇLERINI"))
    assert "TRD-2026-012-TM1" not in page_text(client.get("/tracker/commitments?q=ҚҰРЫЛЫС"))
    assert "RAIL" in page_text(client.get("/tracker/initiatives?q=ЖЕЛЕЗНАЯ"))
    assert "TRADE" in page_text(client.get("/tracker/indicators?q=товарооборот"))


def test_a_translation_added_on_its_page_is_found_by_search(client: Any, auth: Any, world: Any,
                                                            content: Any) -> None:
    auth.login(world.secretary)
    url = f"/translate/recommendation/{content['russian'].id}/kk"
    assert client.post(url, data={"text_title": "Құрық порты"}).status_code == 302
    assert client.post(f"/translate/initiative/{content['initiative'].id}/tk",
                       data={"text_name": "Demir ýoly"}).status_code == 302
    auth.logout()
    auth.login(world.member)
    assert _codes(page_text(client.get("/tracker/recommendations?q=ҚҰРЫҚ")), *ALL) == {"TRD-2026-012"}
    assert "RAIL" in page_text(client.get("/tracker/initiatives?q=DEMIR ÝOLY"))


def test_the_public_portal_finds_kazakh_words_in_any_case(client: Any, world: Any, content: Any) -> None:
    text = page_text(client.get(f"/public/{world.council.slug}/recommendations?q=ӘКІМДІК"))
    assert "Әкімдік құрылыс жоспары" in text and "Порт Курык" not in text


def test_the_api_search_finds_any_language(client: Any, world: Any, content: Any, token_for: Any) -> None:
    headers = bearer(token_for(world.member))
    found = client.get("/api/v1/recommendations", query_string={"q": "ŞÄHER"}, headers=headers).json
    assert [item["code"] for item in found["items"]] == ["TRD-2026-011"]
    found = client.get("/api/v1/initiatives", query_string={"q": "ЖЕЛЕЗНАЯ"}, headers=headers).json
    assert [item["code"] for item in found["items"]] == ["RAIL"]


def test_the_api_keeps_every_language_and_adds_a_translation(client: Any, world: Any, content: Any,
                                                             token_for: Any) -> None:
    recommendation = content["kazakh"]
    url = f"/api/v1/translations/recommendation/{recommendation.id}"
    chair = bearer(token_for(world.kz_chair))
    before = client.get(url, headers=chair).json
    assert before["original_language"] == "kk"
    assert before["missing_languages"] == ["ru", "tk", "en"]
    answer = client.put(f"{url}/ru", json={"texts": {"title": "План строительства акимата"}}, headers=chair)
    assert answer.status_code == 200, answer.json
    assert answer.json["texts"]["title"] == {"kk": "Әкімдік құрылыс жоспары",
                                             "ru": "План строительства акимата"}
    assert client.get(f"/api/v1/recommendations/{recommendation.id}", headers=chair).json["title"] == \
        {"kk": "Әкімдік құрылыс жоспары", "ru": "План строительства акимата"}
    assert client.put(f"{url}/kk", json={"texts": {"title": "x"}}, headers=chair).status_code == 409
    assert client.put(f"{url}/en", json={"texts": {"nothing": "x"}}, headers=chair).status_code == 422
    member = bearer(token_for(world.member))
    assert client.put(f"{url}/en", json={"texts": {"title": "Plan"}}, headers=member).status_code == 403
    found = client.get("/api/v1/recommendations", query_string={"q": "АКИМАТА"}, headers=chair).json
    assert [item["code"] for item in found["items"]] == ["TRD-2026-010"]


# Lists and exports in the reader's language --------------------------------------------------------------


def test_lists_mark_every_fallback_visibly(client: Any, auth: Any, world: Any, content: Any) -> None:
    """An English reader sees the Russian text, with the marker, on each list and dashboard."""
    Meetings(world).published(title={"ru": "Заседание группы"})
    auth.login(world.secretary)
    for url in ("/tracker/recommendations", "/tracker/commitments", "/tracker/initiatives",
                "/tracker/indicators", "/meetings/", "/dashboard",
                f"/public/{world.council.slug}/recommendations"):
        text = page_text(client.get(url))
        assert "the original. Not yet in English" in text, url
    text = page_text(client.get("/tracker/recommendations"))
    # A compact marker: the code to the eye, the sentence to a screen reader and on hover.
    assert ('Порт Курык</span> <small class="lang-mark" title="Shown in Русский, the original. Not yet in '
            'English"><span aria-hidden="true">RU</span><span class="visually-hidden"> (Shown in Русский, '
            'the original. Not yet in English)</span></small>') in text
    assert 'Şäher ýollarynyň gurluşygy</span> <small class="lang-mark" title="Shown in Türkmençe' in text


def test_exports_use_the_readers_language_and_mark_fallbacks(client: Any, auth: Any, world: Any,
                                                             content: Any) -> None:
    services.add_translation(world.secretary, content["russian"], "en", {"title": "Kuryk port"})
    db.session.commit()
    auth.login(world.member)
    with client.get("/tracker/recommendations/export.csv") as response:
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header = rows[0]
    assert header[0] == "Code (code)" and "Title in your language (title_localized)" in header
    shown = {row[0]: row[header.index("Title in your language (title_localized)")] for row in rows[1:]}
    assert shown["TRD-2026-012"] == "Kuryk port"
    assert shown["TRD-2026-010"] == "Әкімдік құрылыс жоспары [in Қазақша; not translated yet]"
    with client.get("/tracker/commitments/export.csv") as response:
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    column = rows[0].index("What will be done, in your language (description_localized)")
    assert rows[1][column] == "Çäge süzgüçlerini ýerleşdirmek [in Türkmençe; not translated yet]"


def test_export_headers_follow_the_readers_language(client: Any, auth: Any, world: Any, content: Any) -> None:
    world.member.language = "ru"
    db.session.commit()
    auth.login(world.member)
    with client.get("/tracker/recommendations/export.csv") as response:
        header = next(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert header[0] == "Код (code)"
    assert "Название — Қазақша (title_kk)" in header


def test_the_calendar_and_the_dashboard_figures_mark_fallbacks(client: Any, auth: Any, world: Any,
                                                               content: Any) -> None:
    meeting = Meetings(world).published(title={"ru": "Заседание группы"})
    auth.login(world.member)
    with client.get(f"/meetings/{meeting.id}/calendar.ics") as response:
        event = next(iter(Calendar.from_ical(response.data).walk("VEVENT")))
    assert str(event["SUMMARY"]) == f"Заседание группы [{MARKER}]"
    assert f"Открытие [{MARKER}]" in str(event["DESCRIPTION"])
    # Translated, the entry changes for calendar clients: a new title and a higher SEQUENCE.
    services.add_translation(world.secretary, meeting, "en", {"title": "Group meeting"})
    db.session.commit()
    with client.get(f"/meetings/{meeting.id}/calendar.ics") as response:
        updated = next(iter(Calendar.from_ical(response.data).walk("VEVENT")))
    assert str(updated["SUMMARY"]) == "Group meeting"
    assert int(updated["SEQUENCE"]) > int(event["SEQUENCE"])
    with client.get("/dashboard/figures.csv") as response:
        figures = response.data.decode("utf-8-sig")
    assert f"Железная дорога [{MARKER}]" in figures
