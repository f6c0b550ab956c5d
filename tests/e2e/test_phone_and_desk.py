"""The main signed-in pages on a phone (390 px) and a desk (1366 px): on the phone the header stays
under 80 px with the navigation behind a menu button, nothing scrolls sideways and every button or
navigation link is a 44-px touch target; on the desk no table is clipped; axe finds nothing serious.

One page load per page and width. The reader changes from page to page (the secretary in Russian, the
co-chairs in Kazakh and Turkmen), so each language is seen at each width; COUNCIL_E2E_EVERY_LANGUAGE=1
loads every page in all three, for a full set of screenshots (tests/e2e/screenshots/main-*.png).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.e2e.conftest import MOBILE, LiveServer, Pages, axe_violations, horizontal_overflow, screenshot

DESK = {"width": 1366, "height": 900}
READERS = [("secretary", "ru"), ("cochair_kz", "kk"), ("cochair_tm", "tk")]
PAGES = ["home", "dashboard", "group-dashboard", "recommendations", "recommendation", "commitments",
         "commitment", "meetings", "meeting", "organisations", "people"]
HEADER_LIMIT = 80
TOUCH = 44


def _cases() -> list[Any]:
    every = bool(os.environ.get("COUNCIL_E2E_EVERY_LANGUAGE"))
    cases = []
    for number, name in enumerate(PAGES):
        for shift, (width, viewport) in enumerate((("390", MOBILE), ("1366", DESK))):
            readers = READERS if every else [READERS[(number + shift) % len(READERS)]]
            for account, language in readers:
                cases.append(pytest.param(name, account, language, viewport,
                                          id=f"{name}-{language}-{width}"))
    return cases


@pytest.fixture(scope="module")
def main_paths(live_server: LiveServer) -> dict[str, str]:
    from council.directory.models import WorkingGroup
    from council.extensions import db
    from council.meetings.models import Meeting
    from council.tracker.models import Recommendation

    with live_server.app_context():
        group = db.session.scalar(select(WorkingGroup.id).where(WorkingGroup.slug == "trade"))
        recommendation = db.session.scalar(select(Recommendation).where(
            Recommendation.code == "TRD-2025-001"))
        assert recommendation is not None and recommendation.commitments
        commitment = min(c.id for c in recommendation.commitments)
        meeting = db.session.scalar(select(Meeting.id).where(Meeting.reference == "CS-2025-02"))
        paths = {
            "home": live_server.path_of("home.home"),
            "dashboard": live_server.path_of("dashboard.council"),
            "group-dashboard": live_server.path_of("dashboard.group", group_id=group),
            "recommendations": live_server.path_of("tracker.recommendations"),
            "recommendation": live_server.path_of("tracker.recommendation",
                                                  recommendation_id=recommendation.id),
            "commitments": live_server.path_of("tracker.commitments"),
            "commitment": live_server.path_of("tracker.commitment", commitment_id=commitment),
            "meetings": live_server.path_of("meetings.meetings"),
            "meeting": live_server.path_of("meetings.meeting", meeting_id=meeting),
            "organisations": live_server.path_of("directory.organisations"),
            "people": live_server.path_of("directory.people"),
        }
        db.session.remove()
    return paths


# Controls a finger has to hit: every button, and every link of a navigation (menu, tabs, pager).
TARGETS = ("button, [role=button], summary, input[type=submit], nav a, .language-switcher button, "
           ".filter-fold > summary")

SMALL_TARGETS = """(selector) => {
  const small = [];
  for (const element of document.querySelectorAll(selector)) {
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
    if (element.closest('.visually-hidden, .skip-link')) continue;
    if (box.width < 43.5 || box.height < 43.5) {
      const text = element.innerText || element.value || element.getAttribute('aria-label') || '';
      const size = `${Math.round(box.width)}×${Math.round(box.height)}`;
      small.push(`${element.tagName.toLowerCase()} "${text.trim().slice(0, 40)}" ${size}`);
    }
  }
  return small;
}"""

# A table is clipped when it is wider than the box that holds it and that box neither lets it scroll
# nor says so: the scroll box must carry its visible cue (app.js marks it, app.css draws it).
CLIPPED_TABLES = """() => {
  const clipped = [];
  const width = (element) => element.getBoundingClientRect().width;
  for (const table of document.querySelectorAll('main table')) {
    if (width(table) === 0) continue;
    const name = ((table.caption && table.caption.innerText) || table.className || 'table').trim();
    let box = table.parentElement;
    while (box && box !== document.body && getComputedStyle(box).overflowX === 'visible') {
      box = box.parentElement;
    }
    if (!box || box === document.body) {
      const right = table.getBoundingClientRect().right;
      if (right > document.documentElement.clientWidth + 1) clipped.push(name);
      continue;
    }
    if (width(table) <= box.clientWidth + 1) continue;
    const scrolls = ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
    const cue = box.previousElementSibling;
    const cued = cue && cue.matches('.scroll-cue') && cue.getBoundingClientRect().height > 0;
    if (!(scrolls && box.classList.contains('scrolls') && cued)) {
      clipped.push(`${name.slice(0, 50)}: ${Math.round(width(table))} px in ${box.clientWidth} px`);
    }
  }
  return clipped;
}"""


def _check_phone(page: Page, name: str) -> None:
    header = page.locator("body > header").bounding_box()
    assert header and header["height"] <= HEADER_LIMIT, f"the header is {header and header['height']} px high"
    assert horizontal_overflow(page) == 0, "the page scrolls sideways"
    screenshot(page, name)
    clipped = page.evaluate(CLIPPED_TABLES)
    assert not clipped, f"clipped tables: {clipped}"
    small = page.evaluate(SMALL_TARGETS, f"main :is({TARGETS}), header :is({TARGETS})")
    assert not small, f"touch targets under {TOUCH} px: {small}"
    # The menu opens with one tap and shows the whole navigation, each link a touch target.
    menu = page.locator("body > header summary")
    expect(menu).to_be_visible()
    expect(page.locator("body > header nav a").first).to_be_hidden()
    menu.click()
    expect(page.locator("body > header nav a").first).to_be_visible()
    small = page.evaluate(SMALL_TARGETS, f"header :is({TARGETS})")
    assert not small, f"menu touch targets under {TOUCH} px: {small}"
    assert horizontal_overflow(page) == 0, "the open menu scrolls sideways"


def _check_desk(page: Page, name: str) -> None:
    screenshot(page, name)
    assert horizontal_overflow(page) == 0, "the page scrolls sideways"
    clipped = page.evaluate(CLIPPED_TABLES)
    assert not clipped, f"clipped tables: {clipped}"
    expect(page.locator("body > header summary")).to_be_hidden()
    expect(page.locator("body > header nav a").first).to_be_visible()


@pytest.mark.parametrize(("name", "account", "language", "viewport"), _cases())
def test_a_main_page_fits_a_phone_and_a_desk(new_page: Pages, main_paths: dict[str, str], name: str,
                                             account: str, language: str,
                                             viewport: dict[str, int]) -> None:
    page = new_page(account, viewport=viewport)
    page.goto(main_paths[name])
    expect(page.locator("html")).to_have_attribute("lang", language)
    shot = f"main-{name}-{language}-{viewport['width']}"
    if viewport["width"] < 600:
        _check_phone(page, shot)
    else:
        _check_desk(page, shot)
    assert axe_violations(page) == []
