"""Editing a milestone and correcting an indicator's value, on a phone (390 px) and a desk (1366 px), in
Russian, Kazakh and Turkmen: a refused form shows the focused error summary, nothing scrolls sideways;
screenshots under tests/e2e/screenshots/tracker-edit-*.png for a human to look at."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import (
    ACCOUNTS,
    MOBILE,
    LiveServer,
    Pages,
    follow,
    horizontal_overflow,
    screenshot,
    translated,
)

DESK = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def edit_paths(live_server: LiveServer) -> dict[str, str]:
    from council.extensions import db
    from council.tracker.models import Milestone, Observation

    with live_server.app_context():
        milestone = db.session.scalars(select(Milestone).order_by(Milestone.id)).first()
        observation = db.session.scalars(select(Observation).order_by(Observation.id)).first()
        assert milestone is not None and observation is not None
        paths = {
            "milestone": f"/tracker/initiatives/{milestone.initiative_id}/milestones/{milestone.id}/edit",
            "value": f"/tracker/indicators/{observation.indicator_id}/observations/{observation.id}/edit"}
        db.session.remove()
    return paths


@pytest.fixture
def secretary_language(live_server: LiveServer) -> Iterator[object]:
    from council.directory.models import User
    from council.extensions import db

    def speak(language: str) -> None:
        with live_server.app_context():
            secretary = db.session.scalar(select(User).where(User.email == ACCOUNTS["secretary"]))
            secretary.language = language
            db.session.commit()
            db.session.remove()

    with live_server.app_context():
        before = db.session.scalar(select(User.language).where(User.email == ACCOUNTS["secretary"]))
        db.session.remove()
    yield speak
    speak(before)


@pytest.mark.parametrize("language", ["ru", "kk", "tk"])
@pytest.mark.parametrize("width", ["390", "1366"])
def test_milestone_and_value_forms_fit_and_show_their_errors(new_page: Pages, edit_paths: dict[str, str],
                                                            secretary_language: object, language: str,
                                                            width: str) -> None:
    secretary_language(language)  # type: ignore[operator]
    page = new_page("secretary", viewport=MOBILE if width == "390" else DESK)
    new_page.watch(page).allow("422")
    # Blank the milestone's title in every language, and the value's source: both are required.
    for name, path, blank in (("milestone", edit_paths["milestone"], "main form [name^='title-']"),
                              ("value", edit_paths["value"], "#source")):
        page.goto(path.split("/milestones/")[0].split("/observations/")[0])  # the record's page links to it
        screenshot(page, f"tracker-edit-{name}-record-{language}-{width}")
        assert horizontal_overflow(page) == 0, (name, language, width)
        follow(page, f"main a[href='{path}']")
        expect(page.locator("html")).to_have_attribute("lang", language)
        for field in page.locator(blank).all():
            field.fill("")
        page.locator("main form button[type=submit]").click()
        summary = page.locator(".error-summary")
        expect(summary).to_be_visible()
        expect(summary.locator("h2")).to_have_text(translated(language, "There is a problem"))
        screenshot(page, f"tracker-edit-{name}-{language}-{width}")
        assert horizontal_overflow(page) == 0, (name, language, width)
