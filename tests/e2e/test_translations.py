"""Translating content in a real browser: a Turkmen co-chair meets a recommendation written in Russian,
sees it marked as not translated, adds the Turkmen text beside the original, and finds it by search."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect
from sqlalchemy import select

from council.directory.models import User, WorkingGroup
from council.extensions import db
from council.tracker import services
from council.tracker.models import RecommendationSource
from tests.e2e.conftest import ACCOUNTS, LiveServer, Pages, axe_violations, follow, screenshot


def _russian_recommendation(live_server: LiveServer) -> tuple[int, str]:
    code = f"TRD-2032-{uuid.uuid4().int % 1000:03d}"
    with live_server.app_context():
        secretary = db.session.scalar(select(User).where(User.email == ACCOUNTS["secretary"]))
        trade = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == "trade"))
        assert secretary is not None and trade is not None
        recommendation = services.create_recommendation(
            secretary, trade, code=code, title={"ru": "Склад временного хранения у поста Гарабогаз"},
            text={"ru": "Построить склад для грузов, ожидающих досмотра."}, original_language="ru",
            source=RecommendationSource.GROUP_MEETING, source_reference=None)
        db.session.commit()
        found = recommendation.id
        db.session.remove()
    return found, code


def test_a_co_chair_adds_the_turkmen_text_beside_the_original(new_page: Pages,
                                                              live_server: LiveServer) -> None:
    recommendation_id, code = _russian_recommendation(live_server)
    chair = new_page("cochair_tm")
    chair.goto(f"/tracker/recommendations/{recommendation_id}")
    language = chair.locator("html").get_attribute("lang")
    assert language == "tk"
    # The Russian title is shown without a marker of its own: the record's one notice names the original
    # and the reader's missing language.
    expect(chair.locator("h1 .lang-mark")).to_have_count(0)
    notice = chair.locator("p.translation-status")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("Русский")
    expect(notice).to_contain_text("Türkmençe")
    follow(chair, "p.translation-status a[href$='/tk']")  # "translate", in the reader's own language
    assert chair.url.endswith(f"/translate/recommendation/{recommendation_id}/tk")
    expect(chair.locator("blockquote.original-text").first).to_have_text(
        "Склад временного хранения у поста Гарабогаз")
    assert axe_violations(chair) == []
    chair.locator("input[name=text_title]").fill("Garabogaz nokadynyň ýanynda wagtlaýyn saklanyş ammary")
    chair.locator("textarea[name=text_text]").fill("Barlag garaşýan ýükler üçin ammar gurmaly.")
    screenshot(chair, "translation-form")
    follow(chair, "main form.translation-form button[type=submit]")
    # Back on the record: the title in Turkmen, no marker, Turkmen no longer offered.
    expect(chair.locator(".flash-success")).to_be_visible()
    expect(chair.locator("h1")).to_contain_text("wagtlaýyn saklanyş ammary")
    expect(chair.locator("p.translation-status a[href$='/tk']")).to_have_count(0)
    # The translation is shown; the notice offers the original, and back.
    follow(chair, "p.translation-status a[href*='original=1']")
    expect(chair.locator("h1")).to_contain_text("Склад временного хранения")
    follow(chair, "p.translation-status a")
    expect(chair.locator("h1")).to_contain_text("wagtlaýyn saklanyş ammary")
    # Search finds it by the new Turkmen words in capitals.
    chair.goto("/tracker/recommendations?q=AMMARY")
    expect(chair.locator("main table")).to_contain_text(code)
    # The list of what is left to translate no longer offers this record's Turkmen.
    chair.goto("/translations?language=tk&kind=recommendation")
    expect(chair.locator(f"a[href$='/translate/recommendation/{recommendation_id}/tk']")).to_have_count(0)
