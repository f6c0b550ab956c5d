"""Adding a translation to each kind of record, the detail pages' notices and the "to translate" list."""

from __future__ import annotations

from typing import Any

import pytest

from council.errors import Conflict, NotAllowed
from council.events import Event
from council.extensions import db
from council.meetings import decisions, minutes
from council.tracker.models import Recommendation
from council.translating import services
from council.translating.registry import KINDS
from tests.conftest import page_text
from tests.factories import (
    CommitmentFactory,
    IndicatorFactory,
    InitiativeFactory,
    RecommendationFactory,
)
from tests.meetings.conftest import Meetings


def _records(world: Any) -> dict[str, Any]:
    """One record of every kind, written in Russian only (the agenda items are, by the helper)."""
    recommendation = RecommendationFactory(group=world.group, title={"ru": "Строительство терминала"},
                                           text={"ru": "Построить терминал в Курыке."})
    commitment = CommitmentFactory(recommendation=recommendation, organisation=world.kz_org,
                                   description={"ru": "Заказать проект"})
    initiative = InitiativeFactory(council=world.council, name={"ru": "Железная дорога"},
                                   description={"ru": "Узень – Берекет – Горган"})
    indicator = IndicatorFactory(council=world.council, name={"ru": "Товарооборот"})
    db.session.commit()
    meeting = Meetings(world).held(title={"ru": "Заседание группы"})
    item = meeting.agenda_items[0]
    minutes.save_minutes(world.secretary, meeting, original_language="ru",
                                  notes={"general": {"ru": "Заседание открыто."},
                                         str(item.id): {"ru": "Обсудили очередь."}})
    decision = decisions.add_decision(world.secretary, meeting, decisions.DecisionDetails(
        text={"ru": "Принять к сведению."}, original_language="ru"))
    db.session.commit()
    assert meeting.minutes is not None
    return {"recommendation": recommendation, "commitment": commitment, "initiative": initiative,
            "indicator": indicator, "meeting": meeting, "agenda_item": item, "decision": decision,
            "minutes": meeting.minutes}


def test_every_kind_is_registered() -> None:
    assert set(KINDS) == {"recommendation", "commitment", "initiative", "indicator", "meeting",
                          "agenda_item", "decision", "minutes", "comment"}


# A comment's translation lands on its place in its record's thread: tests/conversations/test_translations.py
@pytest.mark.parametrize("kind", sorted(set(KINDS) - {"comment"}))
def test_an_editor_adds_a_translation_on_its_page(client: Any, auth: Any, world: Any, kind: str) -> None:
    """The page shows the original beside an empty field; saving keeps the original and adds Kazakh."""
    record = _records(world)[kind]
    registry = KINDS[kind]
    parts = registry.parts(record)
    assert parts, kind
    auth.login(world.secretary)
    url = f"/translate/{kind}/{record.id}/kk"
    page = client.get(url)
    assert page.status_code == 200
    text = page_text(page)
    assert "Translation into Қазақша" in text
    original = registry.read(record, parts[0].key)["ru"]
    assert original in text

    answer = client.post(url, data={f"text_{part.key}": f"Қазақша {part.key} ӘҒҚҢ" for part in parts})
    assert answer.status_code == 302
    db.session.expire_all()
    record = db.session.get(registry.model, record.id)
    for part in parts:
        texts = registry.read(record, part.key)
        assert texts["kk"] == f"Қазақша {part.key} ӘҒҚҢ"
        assert texts["ru"]  # the original is untouched
    assert "kk" not in services.missing_in(registry, record)
    # The record's page (where the editor lands) no longer offers Kazakh.
    landing = page_text(client.get(answer.headers["Location"]))
    assert f"/translate/{kind}/{record.id}/kk" not in landing
    assert f"/translate/{kind}/{record.id}/tk" in landing


def test_the_original_language_is_refused(client: Any, auth: Any, world: Any) -> None:
    recommendation = _records(world)["recommendation"]
    with pytest.raises(Conflict):
        services.add_translation(world.secretary, recommendation, "ru", {"title": ""})
    db.session.rollback()
    auth.login(world.secretary)
    answer = client.post(f"/translate/recommendation/{recommendation.id}/ru", data={"text_title": ""})
    assert answer.status_code == 409
    assert "original language of this text" in page_text(answer)
    db.session.expire_all()
    assert db.session.get(Recommendation, recommendation.id).title == {"ru": "Строительство терминала"}


def test_only_whoever_may_edit_the_record_translates_it(world: Any) -> None:
    records = _records(world)
    with pytest.raises(NotAllowed):
        services.add_translation(world.member, records["recommendation"], "kk", {"title": "Терминал"})
    with pytest.raises(NotAllowed):
        services.add_translation(world.kz_chair, records["initiative"], "kk", {"name": "Темір жол"})
    # A co-chair edits the group's records and its meetings.
    services.add_translation(world.kz_chair, records["recommendation"], "kk", {"title": "Терминал салу"})
    services.add_translation(world.kz_chair, records["decision"], "tk", {"text": "Kabul etmeli."})
    db.session.commit()
    db.session.expire_all()
    recommendation, decision = records["recommendation"], records["decision"]
    assert recommendation.title == {"ru": "Строительство терминала", "kk": "Терминал салу"}
    assert records["initiative"].name == {"ru": "Железная дорога"}  # the refused ones changed nothing
    assert decision.text == {"ru": "Принять к сведению.", "tk": "Kabul etmeli."}

    def translated(subject_type: str, subject_id: int) -> list[tuple[str, int | None, dict[str, Any]]]:
        return [(event.kind, event.actor_id, event.payload) for event in db.session.scalars(
            db.select(Event).where(Event.subject_type == subject_type, Event.subject_id == subject_id,
                                   Event.kind.like("%.translated")))]

    [(kind, actor, payload)] = translated("recommendation", recommendation.id)
    assert (kind, actor) == ("recommendation.translated", world.kz_chair.id)
    assert payload["language"] == "kk" and payload["fields"] == ["title"]
    [(kind, actor, payload)] = translated("meeting", records["meeting"].id)
    assert (kind, actor) == ("meeting.translated", world.kz_chair.id)
    assert (payload["part"], payload["language"], payload["fields"]) == ("decision", "tk", ["text"])


def test_an_empty_field_takes_a_translation_away_and_the_change_is_recorded(world: Any) -> None:
    recommendation = _records(world)["recommendation"]
    services.add_translation(world.secretary, recommendation, "en", {"title": "Terminal", "text": "Build"})
    db.session.commit()
    services.add_translation(world.secretary, recommendation, "en", {"text": ""})
    db.session.commit()
    assert recommendation.title == {"ru": "Строительство терминала", "en": "Terminal"}
    assert recommendation.text == {"ru": "Построить терминал в Курыке."}
    kinds = db.session.scalars(db.select(Event.kind).where(Event.subject_type == "recommendation",
                                                           Event.subject_id == recommendation.id))
    assert list(kinds).count("recommendation.translated") == 2


def test_published_minutes_and_their_decisions_take_translations(world: Any) -> None:
    """Published minutes take a missing language; the revision's copy of a decision gets it too."""
    records = _records(world)
    meeting = records["meeting"]
    minutes.publish_minutes(world.secretary, meeting)
    db.session.commit()
    services.add_translation(world.secretary, records["minutes"], "tk", {"general": "Mejlis açyldy."})
    services.add_translation(world.secretary, records["decision"], "tk", {"text": "Göz öňünde tutmaly."})
    db.session.commit()
    revision = meeting.minutes.current
    assert revision.note("general") == {"ru": "Заседание открыто.", "tk": "Mejlis açyldy."}
    assert revision.decisions_snapshot[0]["text"] == {"ru": "Принять к сведению.",
                                                      "tk": "Göz öňünde tutmaly."}
    assert revision.status.value == "published"


def test_approved_minutes_take_a_missing_language_but_keep_the_ones_they_have(world: Any) -> None:
    """Both co-chairs approved the Russian and Turkmen text: that text is the record. A language it
    lacks may be added; one it has can be neither rewritten nor removed through a translation."""
    records = _records(world)
    meeting = records["meeting"]
    services.add_translation(world.secretary, records["minutes"], "tk", {"general": "Mejlis açyldy."})
    services.add_translation(world.secretary, records["decision"], "tk", {"text": "Göz öňünde tutmaly."})
    minutes.publish_minutes(world.secretary, meeting)
    minutes.approve_minutes(world.kz_chair, meeting)
    minutes.approve_minutes(world.tm_chair, meeting)
    db.session.commit()
    assert meeting.minutes.current.status.value == "approved"

    for text in ("Düýbünden başga tekst.", ""):
        with pytest.raises(Conflict) as refused:
            services.add_translation(world.secretary, records["minutes"], "tk", {"general": text})
        assert refused.value.field == "general"
        db.session.rollback()
    with pytest.raises(Conflict):
        services.add_translation(world.secretary, records["decision"], "tk", {"text": "Başgaça."})
    db.session.rollback()
    services.add_translation(world.secretary, records["minutes"], "kk", {"general": "Отырыс ашылды."})
    db.session.commit()
    assert meeting.minutes.current.note("general") == {
        "ru": "Заседание открыто.", "tk": "Mejlis açyldy.", "kk": "Отырыс ашылды."}


SHOWN_ORIGINAL = "Shown in Русский, the original. Not yet in English"


def test_detail_pages_mark_the_original_and_list_missing_languages_for_editors(
        client: Any, auth: Any, world: Any) -> None:
    records = _records(world)
    pages = {"recommendation": f"/tracker/recommendations/{records['recommendation'].id}",
             "commitment": f"/tracker/commitments/{records['commitment'].id}",
             "initiative": f"/tracker/initiatives/{records['initiative'].id}",
             "indicator": f"/tracker/indicators/{records['indicator'].id}",
             "meeting": f"/meetings/{records['meeting'].id}"}
    auth.login(world.secretary)
    for kind, url in pages.items():
        text = page_text(client.get(url))
        # One notice: a reader whose language is missing is told what they see and what is missing.
        assert "Original: Русский" in text or SHOWN_ORIGINAL in text, kind
        assert f"/translate/{kind}/{records[kind].id}/kk" in text, kind
    meeting_page = page_text(client.get(pages["meeting"]))
    for kind in ("agenda_item", "decision", "minutes"):
        assert f"/translate/{kind}/{records[kind].id}/en" in meeting_page, kind
    auth.logout()
    auth.login(world.member)
    for kind, url in pages.items():
        text = page_text(client.get(url))
        assert "Original: Русский" in text or SHOWN_ORIGINAL in text, kind
        assert "/translate/" not in text, kind


def test_the_to_translate_list_counts_and_filters(client: Any, auth: Any, world: Any) -> None:
    records = _records(world)
    services.add_translation(world.secretary, records["recommendation"], "kk",
                             {"title": "Терминал салу", "text": "Құрықта терминал салу."})
    db.session.commit()
    auth.login(world.secretary)
    home = page_text(client.get("/tracker/recommendations"))
    assert 'href="/translations"' in home
    everything = page_text(client.get("/translations"))
    assert "Recommendations" in everything and "Agenda items" in everything
    kazakh = page_text(client.get("/translations?language=kk"))
    assert f"/translate/recommendation/{records['recommendation'].id}/kk" not in kazakh
    assert f"/translate/commitment/{records['commitment'].id}/kk" in kazakh
    assert f"/translate/minutes/{records['minutes'].id}/kk" in kazakh
    only_meetings = page_text(client.get("/translations?kind=meeting&language=tk"))
    assert f"/translate/meeting/{records['meeting'].id}/tk" in only_meetings
    assert "/translate/commitment/" not in only_meetings
    unknown = client.get("/translations?language=xx&kind=nothing")
    assert unknown.status_code == 200  # an unknown filter is no filter: every link is there
    assert f"/translate/commitment/{records['commitment'].id}/kk" in page_text(unknown)

    work = {w.kind.key: w for w in services.translation_work(world.secretary)}
    assert work["recommendation"].counts == {"ru": 0, "kk": 0, "tk": 1, "en": 1}
    assert work["agenda_item"].counts["en"] == 2

    # A member edits nothing: no link, and an empty list.
    auth.logout()
    auth.login(world.member)
    assert 'href="/translations"' not in page_text(client.get("/tracker/recommendations"))
    assert "Nothing to translate here" in page_text(client.get("/translations"))


def test_one_notice_per_record_a_partial_translation_and_the_original_on_request(client: Any, auth: Any,
                                                                                world: Any) -> None:
    """A record's own texts carry no marker of their own: its one notice speaks for them. A title
    translated and a text not is 'partly' in the reader's language; a translated record offers its
    original (?original=1), and back."""
    record = RecommendationFactory(group=world.group, original_language="ru",
                                   title={"ru": "Склад у поста", "en": "A warehouse at the checkpoint"},
                                   text={"ru": "Построить склад."})
    db.session.commit()
    auth.login(world.member)  # reads English
    url = f"/tracker/recommendations/{record.id}"
    html = client.get(url).get_data(as_text=True)
    assert html.count('class="notice translation-status"') == 1
    assert "Partly in English; the rest is shown in Русский, the original" in html
    assert "Построить склад." in html and 'class="lang-mark"' not in html.split("<h1")[1].split("</main>")[0]
    services.add_translation(world.secretary, record, "en", {"text": "Build a warehouse."})
    db.session.commit()
    text = page_text(client.get(url))
    assert "Translated from Русский." in text and ">Show the original</a>" in text
    assert "Build a warehouse." in text
    original = client.get(url, query_string={"original": "1"}).get_data(as_text=True)
    assert '<span lang="ru">Построить склад.</span>' in original and "Build a warehouse." not in original
    assert "Shown in Русский, the original." in original and ">Show in English</a>" in original
