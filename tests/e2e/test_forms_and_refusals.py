"""Forms and refusals in a real browser, in Kazakh and Turkmen, on a phone and a desk: an empty form's
error summary (focused, linked to the fields), the status moves, refusal and not-found pages, and the
notice for a filter the list does not understand."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from council.extensions import db
from tests.e2e.conftest import (
    MOBILE,
    LiveServer,
    Pages,
    axe_violations,
    follow,
    horizontal_overflow,
    screenshot,
    translated,
)

DESK = {"width": 1366, "height": 900}
# The two co-chairs of the trade group, each reading in their own language (demo profiles).
READERS = [("cochair_kz", "kk"), ("cochair_tm", "tk")]
WIDTHS = [("390", MOBILE), ("1366", DESK)]


@pytest.fixture(scope="module")
def trade(live_server: LiveServer) -> dict[str, int]:
    """The demo's adopted trade recommendation and an open Kazakh commitment under it."""
    from council.tracker.models import Commitment, CommitmentStatus, Recommendation

    with live_server.app_context():
        recommendation = db.session.scalar(
            select(Recommendation).where(Recommendation.code == "TRD-2025-001"))
        assert recommendation is not None
        commitment = next(c for c in recommendation.commitments if c.organisation.country_code == "KZ"
                          and c.status in (CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS))
        ids = {"recommendation": recommendation.id, "commitment": commitment.id}
        assert db.session.get(Commitment, commitment.id) is not None
        db.session.remove()
    return ids


def _no_sideways_scroll_and_clean(page: Page, name: str) -> None:
    assert horizontal_overflow(page) == 0, f"{name} scrolls sideways"
    assert axe_violations(page) == [], name
    screenshot(page, name)


@pytest.mark.parametrize(("width", "viewport"), WIDTHS)
@pytest.mark.parametrize(("account", "language"), READERS)
def test_an_empty_commitment_form_shows_every_problem_in_a_focused_summary(
        new_page: Pages, trade: dict[str, int], account: str, language: str, width: str,
        viewport: dict[str, int]) -> None:
    page = new_page(account, viewport=viewport)
    new_page.watch(page).allow(r"status of 422")
    page.goto(f"/tracker/recommendations/{trade['recommendation']}/commitments/new")
    expect(page.locator("html")).to_have_attribute("lang", language)
    # Nothing chosen for the reader: the organisation starts on "Choose…".
    expect(page.locator("#organisation_id")).to_have_value("")
    expect(page.locator("#organisation_id option").first).to_have_text(translated(language, "Choose…"))
    follow(page, "main form button[type=submit]")

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("h2")).to_have_text(translated(language, "There is a problem"))
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    links = summary.locator("a")
    expect(links).to_have_count(3)
    expect(links.first).to_have_text(translated(language, "Choose the responsible organisation."))
    box = summary.bounding_box()
    assert box and box["y"] < viewport["height"], "the summary is not on the first screen"
    # Every field message also stands beside its field.
    for field in ("organisation_id", "due_date"):
        expect(page.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#{field}-error")).to_be_visible()
    _no_sideways_scroll_and_clean(page, f"commitment-form-errors-{language}-{width}")
    links.first.click()
    assert page.evaluate("() => document.activeElement.id") == "organisation_id"


@pytest.mark.parametrize(("width", "viewport"), WIDTHS)
@pytest.mark.parametrize(("account", "language"), READERS)
def test_status_moves_are_labelled_and_stopping_ones_are_warnings(
        new_page: Pages, trade: dict[str, int], account: str, language: str, width: str,
        viewport: dict[str, int]) -> None:
    page = new_page(account, viewport=viewport)
    page.goto(f"/tracker/commitments/{trade['commitment']}")
    moves = page.locator("#status-heading").locator("xpath=..")
    cancel = moves.locator("details.status-move.warning summary").last
    expect(cancel).to_be_visible()
    expect(moves.locator("textarea:visible")).to_have_count(0)  # no reason asked before a move needs one
    cancel.click()
    expect(moves.locator("textarea:visible")).to_have_count(1)
    _no_sideways_scroll_and_clean(page, f"commitment-status-moves-{language}-{width}")


@pytest.mark.parametrize(("width", "viewport"), WIDTHS)
@pytest.mark.parametrize(("account", "language"), READERS)
def test_refusal_and_not_found_pages_say_why(new_page: Pages, account: str, language: str, width: str,
                                             viewport: dict[str, int]) -> None:
    page = new_page(account, viewport=viewport)
    new_page.watch(page).allow(r"status of 40[34]")
    page.goto("/organisations/new")
    expect(page.locator("h1")).to_have_text(translated(language, "You do not have permission"))
    only = translated(language, "Only %(who)s can do this.")
    expect(page.locator("main [role=alert]")).to_have_text(
        only % {"who": translated(language, "the council's secretaries")})
    _no_sideways_scroll_and_clean(page, f"refusal-403-{language}-{width}")
    page.goto("/tracker/commitments/999999")
    expect(page.locator("h1")).to_have_text(translated(language, "Page not found"))
    expect(page.locator("main [role=alert]")).to_have_text(
        translated(language, "This commitment does not exist."))
    _no_sideways_scroll_and_clean(page, f"refusal-404-{language}-{width}")


@pytest.mark.parametrize(("account", "language"), READERS)
def test_an_unknown_filter_is_left_out_with_a_notice(new_page: Pages, account: str, language: str) -> None:
    page = new_page(account, viewport=MOBILE)
    response = page.goto("/tracker/commitments?due_within=abc&status=planned")
    assert response is not None and response.status == 200
    notice = page.locator(".flash-warning")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("due_within=abc")
    _no_sideways_scroll_and_clean(page, f"filter-notice-{language}-390")
