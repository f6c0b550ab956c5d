"""Home in a real browser: the journeys it exists for, and how it looks at 390 and 1366 px in kk and tk."""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from council.directory.models import Organisation, User, WorkingGroup
from council.extensions import db
from council.timeutil import council_today
from council.tracker.models import Commitment, CommitmentStatus, Recommendation
from tests.e2e.conftest import (
    ACCOUNTS,
    MOBILE,
    LiveServer,
    Pages,
    axe_violations,
    horizontal_overflow,
    screenshot,
    sign_in,
    translated,
)

WIDE = {"width": 1366, "height": 900}


def _person(email: str) -> User:
    person = db.session.scalar(select(User).where(User.email == email))
    assert person is not None
    return person


@pytest.fixture
def overdue_commitment(live_server: LiveServer) -> Any:
    """A commitment of the demo member, ten days overdue (its own record: the demo's stay as they are)."""
    text = f"Обучить инспекторов работе с электронной очередью {uuid.uuid4().hex[:6]}"
    with live_server.app_context():
        member = _person(ACCOUNTS["member"])
        recommendation = db.session.scalar(select(Recommendation).order_by(Recommendation.id))
        assert recommendation is not None
        commitment = Commitment(
            council_id=recommendation.council_id, recommendation_id=recommendation.id,
            group_id=recommendation.group_id, organisation_id=member.organisation_id, owner_id=member.id,
            code=f"E2E-{uuid.uuid4().hex[:8]}", description={"ru": text}, original_language="ru",
            due_date=council_today() - timedelta(days=10), status=CommitmentStatus.IN_PROGRESS, progress=20)
        db.session.add(commitment)
        db.session.commit()
        found = SimpleNamespace(id=commitment.id, text=text)
        db.session.remove()
    return found


@pytest.fixture
def waiting_minutes(live_server: LiveServer) -> Any:
    """A Trade group meeting held yesterday whose minutes wait for both co-chairs."""
    from tests.meetings.conftest import Meetings

    with live_server.app_context():
        world = SimpleNamespace(
            council=_person(ACCOUNTS["secretary"]).council, secretary=_person(ACCOUNTS["secretary"]),
            kz_chair=_person(ACCOUNTS["cochair_kz"]), tm_chair=_person(ACCOUNTS["cochair_tm"]),
            member=_person(ACCOUNTS["member"]),
            tm_org=db.session.scalar(select(Organisation).where(Organisation.code == "balkan-hyakimlik")),
            group=db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == "trade")))
        title = f"Совещание по очередям {uuid.uuid4().hex[:6]}"
        meeting = Meetings(world).published_minutes(title={"ru": title})
        found = SimpleNamespace(id=meeting.id, reference=meeting.reference, title=title)
        db.session.remove()
    return found


def test_a_member_reports_progress_on_an_overdue_commitment_in_three_actions(
        new_page: Pages, live_server: LiveServer, overdue_commitment: Any) -> None:
    page = new_page()
    sign_in(page, "member", server=live_server)  # action 1: the sign-in form
    assert page.url.endswith("/home"), "signing in leads home"
    item = page.locator(".home-list > li", has_text=overdue_commitment.text)
    expect(item).to_be_visible()
    expect(item.locator(".badge.overdue")).to_contain_text("10")
    form = item.locator("details.home-form")
    if form.get_attribute("open") is None:
        form.locator("summary").click()  # action 2: open "report progress"
    item.locator("input[name=progress]").fill("45")
    item.locator("textarea[name=note]").fill("Проведено два занятия")
    with page.expect_navigation():
        item.locator("button[type=submit]").click()  # action 3: send it
    assert page.url.endswith("/home")
    expect(page.locator(".flash-success")).to_have_text(translated("ru", "Progress reported."))
    with live_server.app_context():
        saved = db.session.get(Commitment, overdue_commitment.id)
        assert saved is not None and saved.progress == 45
        db.session.remove()


def test_a_co_chair_finds_and_approves_waiting_minutes_from_home(
        new_page: Pages, waiting_minutes: Any) -> None:
    page = new_page("cochair_kz")
    page.goto("/")
    assert page.url.endswith("/home")
    section = page.locator("section[aria-labelledby=home-approvals]")
    item = section.locator(".home-list > li", has_text=waiting_minutes.reference)
    expect(item).to_be_visible()
    # The minutes are in Russian only; the Kazakh co-chair is told before approving.
    expect(item.locator(".notice")).to_be_visible()
    with page.expect_navigation():
        item.locator("button[type=submit]").click()
    assert page.url.endswith("/home")
    expect(page.locator(".flash-success")).to_have_text(
        translated("kk", "Your approval is recorded. The other co-chair's approval is still needed."))
    expect(section.locator(".home-list > li", has_text=waiting_minutes.reference)).to_have_count(0)


@pytest.mark.parametrize("account", ["cochair_kz", "cochair_tm", "member", "secretary"])
@pytest.mark.parametrize("viewport", [MOBILE, WIDE], ids=["390", "1366"])
def test_home_fits_a_phone_and_a_desk_and_is_accessible(new_page: Pages, account: str,
                                                        viewport: dict[str, int]) -> None:
    page = new_page(account, viewport=viewport)
    page.goto("/home")
    expect(page.locator("h1")).to_be_visible()
    assert horizontal_overflow(page) == 0, "home scrolls sideways"
    assert axe_violations(page) == []
    language = page.locator("html").get_attribute("lang")
    screenshot(page, f"home-{account}-{language}-{viewport['width']}")
