"""Meetings in the browser: the agenda builder (drag and drop, arrows), accessibility, print views."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from council.directory.models import Council, User, WorkingGroup
from council.extensions import db
from council.meetings import agenda, services
from council.meetings.models import Meeting, MeetingKind
from tests.e2e.conftest import ACCOUNTS, axe_violations, follow, horizontal_overflow, screenshot


@pytest.fixture
def draft_meeting(live_server):
    """A draft trade meeting of our own with three items, removed afterwards."""
    with live_server.app_context():
        secretary = db.session.scalar(select(User).where(User.email == ACCOUNTS["secretary"]))
        council = db.session.get(Council, secretary.council_id)
        trade = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == "trade"))
        day = datetime.now(UTC).date() + timedelta(days=30)
        meeting = services.schedule_meeting(secretary, council, kind=MeetingKind.GROUP_MEETING, group=trade,
                                            details=services.MeetingDetails(
            title={"ru": "Проверка повестки", "en": "Agenda check"}, original_language="ru",
            starts_at=datetime(day.year, day.month, day.day, 10),
            ends_at=datetime(day.year, day.month, day.day, 13),
            time_zone="Asia/Aqtau", place="Aktau"))
        for title in ("Альфа", "Бета", "Гамма"):
            agenda.add_agenda_item(secretary, meeting, agenda.AgendaItemDetails(
                title={"ru": title}, original_language="ru", duration_minutes=20))
        db.session.commit()
        meeting_id = meeting.id
        db.session.remove()
    yield meeting_id
    with live_server.app_context():
        db.session.delete(db.session.get(Meeting, meeting_id))
        db.session.commit()
        db.session.remove()


def titles(page) -> list[str]:
    return page.locator("#agenda .agenda-body > strong").all_inner_texts()


def test_agenda_reorders_by_arrows_and_by_drag_and_drop(new_page, draft_meeting):
    page = new_page("secretary")
    page.goto(f"/meetings/{draft_meeting}")
    assert titles(page) == ["Альфа", "Бета", "Гамма"]
    # The arrow is an htmx post: the agenda is swapped in place, the page is not reloaded.
    page.evaluate("window.__marker = 1")
    page.locator("#agenda li[data-item-id]").nth(1).locator("button[value=up]").click()
    expect(page.locator("#agenda .agenda-body > strong").first).to_have_text("Бета")
    assert page.evaluate("window.__marker") == 1
    assert titles(page) == ["Бета", "Альфа", "Гамма"]
    # The running time follows the new order.
    assert "10:00–10:20" in page.locator("#agenda li[data-item-id]").first.inner_text()
    # Drag Гамма onto the top of the list.
    items = page.locator("#agenda > ol > li[data-item-id]")
    # The drop reorders the list at once and saves it in the background: wait for the save before reloading.
    with page.expect_response(lambda response: response.request.method == "POST"
                              and "/agenda/reorder" in response.url) as saved:
        items.nth(2).locator(".agenda-row").drag_to(items.nth(0).locator(".agenda-row"),
                                                     target_position={"x": 20, "y": 2})
    assert saved.value.ok
    expect(page.locator("#agenda .agenda-body > strong").first).to_have_text("Гамма")
    page.reload()
    assert titles(page) == ["Гамма", "Бета", "Альфа"]


def test_meeting_pages_pass_axe_and_fit_a_phone(new_page, live_server):
    with live_server.app_context():
        session_id = db.session.scalar(select(Meeting.id).where(Meeting.reference == "CS-2025-02"))
        ecology_id = db.session.scalar(select(Meeting.id).where(Meeting.reference.like("ECO-%")))
        db.session.remove()
    page = new_page("cochair_kz")
    for path in ("/meetings/", f"/meetings/{session_id}", f"/meetings/{ecology_id}",
                 f"/meetings/{session_id}/agenda/print", f"/meetings/{session_id}/minutes/print",
                 "/meetings/calendar"):
        page.goto(path)
        assert axe_violations(page) == [], path
    page.goto(f"/meetings/{session_id}")
    screenshot(page, "meeting-session")
    page.goto(f"/meetings/{session_id}/minutes/print")
    screenshot(page, "meeting-minutes-print")
    phone = new_page("member", viewport={"width": 390, "height": 844})
    phone.goto(f"/meetings/{ecology_id}")
    screenshot(phone, "meeting-ecology-phone")
    assert horizontal_overflow(phone) <= 1


def test_a_secretary_builds_and_publishes_an_agenda(new_page, draft_meeting):
    page = new_page("secretary")
    page.goto(f"/meetings/{draft_meeting}")
    follow(page, "#agenda .section-head a[role=button]")
    page.locator("#title-ru").fill("Электронные накладные")
    page.locator("#duration_minutes").fill("30")
    follow(page, "main form button[type=submit]")
    assert "Электронные накладные" in titles(page)
    assert "11:30" in page.locator(".agenda-summary").inner_text()
    screenshot(page, "meeting-agenda-builder")
    page.once("dialog", lambda dialog: dialog.accept())
    follow(page, "form[action$='/publish'] button")
    assert page.locator(".status").first.inner_text() == "Повестка опубликована"
