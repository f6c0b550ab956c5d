"""The "to translate" list issues the same number of queries however many records it shows."""

from __future__ import annotations

from typing import Any

from council.extensions import db
from council.meetings import decisions, minutes
from tests.dashboard.test_query_counts import counted
from tests.factories import CommitmentFactory, RecommendationFactory
from tests.meetings.conftest import Meetings


def held_meetings_with_minutes(world: Any, numbers: range) -> None:
    """Held meetings numbered `numbers`, each with agenda items, minutes noting every item and a
    decision, plus a recommendation and a commitment: all in Russian only, so every one is listed."""
    meetings = Meetings(world)
    for n in numbers:
        meeting = meetings.held(title={"ru": f"Заседание {n}"})
        notes = {"general": {"ru": f"Заседание {n} открыто."}}
        notes.update({str(item.id): {"ru": f"Обсудили пункт {item.id}."} for item in meeting.agenda_items})
        minutes.save_minutes(world.secretary, meeting, original_language="ru", notes=notes)
        decisions.add_decision(world.secretary, meeting, decisions.DecisionDetails(
            text={"ru": f"Решение {n}."}, original_language="ru"))
        recommendation = RecommendationFactory(group=world.group, title={"ru": f"Рекомендация {n}"},
                                               text={"ru": "Текст."})
        CommitmentFactory(recommendation=recommendation, organisation=world.kz_org,
                          description={"ru": f"Обязательство {n}"})
        db.session.commit()


# The whole list, one kind at a time (so no earlier kind has loaded the meetings), and one language.
URLS = ["/translations", "/translations?kind=agenda_item", "/translations?kind=decision",
        "/translations?kind=minutes", "/translations?language=kk"]


def queries_per_list(client: Any) -> dict[str, int]:
    counts = {}
    for url in URLS:
        with counted() as statements:
            assert client.get(url).status_code == 200, url
        counts[url] = len(statements)
    return counts


def test_the_list_queries_do_not_grow_with_the_meetings(client: Any, auth: Any, world: Any) -> None:
    auth.login(world.secretary)
    held_meetings_with_minutes(world, range(3))
    before = queries_per_list(client)
    held_meetings_with_minutes(world, range(3, 12))
    after = queries_per_list(client)
    page = client.get("/translations").get_data(as_text=True)
    for shown in ("Заседание 11", "Решение 11.", "Электронная очередь", "Обязательство 11"):
        assert shown in page  # the twelfth meeting's rows are listed, not left out
    assert after == before
    # Three queries a kind (counts, total, rows) and the minutes' loaders; 31 → 49 when it was per row.
    assert before["/translations"] <= 30, before
