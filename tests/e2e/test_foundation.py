"""The foundation in a real browser: sign-in, the directory, invitations, languages, layout, a11y."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from council.demo.directory import ORGANISATIONS, PEOPLE
from council.directory.models import OrganisationKind, User
from council.extensions import db
from tests.conftest import MailSink
from tests.e2e.conftest import (
    ACCOUNTS,
    MOBILE,
    LiveServer,
    Pages,
    axe_violations,
    follow,
    horizontal_overflow,
    screenshot,
    translated,
)


def test_the_secretary_browses_the_directory(new_page: Pages, demo_paths: dict[str, str]) -> None:
    page = new_page("secretary")
    page.goto(demo_paths["home"])
    assert page.url.endswith("/home"), "the start page is home, what needs the secretary now"
    follow(page, f".main-nav a[href='{demo_paths['dashboard']}']")  # the dashboard: one click away
    expect(page.locator("h1")).to_have_text("Совет трансграничного сотрудничества Мангистау – Балкан")
    expect(page.locator(".group-card")).to_have_count(4)
    screenshot(page, "home")

    follow(page, f".main-nav a[href='{demo_paths['groups']}']")
    expect(page.locator(".group-card")).to_have_count(4)
    screenshot(page, "groups")

    follow(page, ".group-card a:has-text('Торговля и логистика')")
    assert page.url.endswith(demo_paths["group"])
    kazakh_side, turkmen_side = page.locator(".two-sides > div").all()
    expect(kazakh_side.locator("tr", has=page.locator("strong"))).to_contain_text("Ерлан Сарсенов")
    expect(turkmen_side.locator("tr", has=page.locator("strong"))).to_contain_text("Merdan Annaýew")
    left, right = kazakh_side.bounding_box(), turkmen_side.bounding_box()
    assert left and right and left["x"] + left["width"] <= right["x"] and left["y"] == right["y"], \
        "the two sides of the group are not side by side"
    screenshot(page, "group")

    follow(page, f".main-nav a[href='{demo_paths['organisations']}']")
    page.locator("select[name=country]").select_option("TM")
    page.locator("select[name=kind]").select_option(OrganisationKind.HYAKIMLIK.value)
    follow(page, "form.filters button[type=submit]")
    assert "country=TM" in page.url and "kind=hyakimlik" in page.url
    hyakimliks = [code for code, (kind, country, *_) in ORGANISATIONS.items()
                  if kind == OrganisationKind.HYAKIMLIK and country == "TM"]
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(len(hyakimliks))
    for row in rows.all():
        expect(row.locator("td").nth(2)).to_have_text("TM")
    expect(rows.first).to_contain_text("Хякимлик")
    expect(page.locator("select[name=country]")).to_have_value("TM")
    screenshot(page, "organisations-filtered")

    follow(page, f".main-nav a[href='{demo_paths['people']}']")
    assert page.locator("table tbody tr").count() >= len(PEOPLE)
    screenshot(page, "people")
    follow(page, "table a:has-text('Merdan Annaýew')")
    expect(page.locator("h1")).to_have_text("Merdan Annaýew")
    expect(page.locator("main")).to_contain_text("cochair.tm@council-demo.org")
    screenshot(page, "person")


def test_the_secretary_invites_a_person_who_accepts(new_page: Pages, demo_paths: dict[str, str],
                                                    mail_sink: MailSink) -> None:
    address = f"guest.{uuid.uuid4().hex[:8]}@example.org"
    page = new_page("secretary")
    page.goto(demo_paths["people"])
    follow(page, f"main a[href='{demo_paths['invite']}']")
    page.locator("#name").fill("Gözel Ataýewa")
    page.locator("#email").fill(address)
    page.locator("#organisation_id").select_option(label="Хякимлик Балканского велаята")
    page.locator("#language").select_option("tk")
    screenshot(page, "invite")
    follow(page, "main form button[type=submit]")

    expect(page.locator(".flash-success")).to_contain_text(address)
    expect(page.locator("h1")).to_have_text("Gözel Ataýewa")
    screenshot(page, "invited")

    (invitation,) = mail_sink.to(address)
    link = re.search(r"http://\S+/invitation/\S+", MailSink.text_of(invitation))
    assert link, MailSink.text_of(invitation)
    guest = new_page(locale="tk-TM")  # the invitee's own browser
    guest.goto(link.group(0))
    expect(guest.locator("html")).to_have_attribute("lang", "tk")
    guest.locator("#password").fill("Balkan-welayat-2026")
    guest.locator("#confirm").fill("Balkan-welayat-2026")
    follow(guest, "main form button[type=submit]")
    expect(guest.locator(".flash-success")).to_be_visible()
    expect(guest.locator("body > header")).to_contain_text("Gözel Ataýewa")


@pytest.fixture
def observer_speaks_english_again(live_server: LiveServer) -> object:
    """The switcher saves the language in the profile: put the demo account back as it was."""
    yield None
    with live_server.app_context():
        observer = db.session.scalar(select(User).where(User.email == ACCOUNTS["observer"]))
        assert observer is not None
        observer.language = "en"
        db.session.commit()
        db.session.remove()


def switch_language(page: Page, language: str) -> None:
    follow(page, f".language-switcher button[value={language}]")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(f".language-switcher button[value={language}]")).to_have_attribute(
        "aria-current", "true")
    expect(page.locator(".language-switcher button[aria-current]")).to_have_count(1)


@pytest.mark.usefixtures("observer_speaks_english_again")
def test_the_language_switcher_turns_the_pages_into_kazakh_and_turkmen(
        new_page: Pages, demo_paths: dict[str, str]) -> None:
    page = new_page("observer")
    page.goto(demo_paths["group"])
    expect(page.locator("html")).to_have_attribute("lang", "en")
    groups_link = page.locator(f".main-nav a[href='{demo_paths['groups']}']")
    nav_text = {"kk": "Жұмыс топтары", "tk": "Iş toparlary", "ru": "Рабочие группы"}
    for language in ("kk", "tk", "ru"):
        switch_language(page, language)
        assert page.url.endswith(demo_paths["group"]), "the switcher left the page"
        expect(groups_link).to_have_text(nav_text[language])
        expect(page.locator("h1")).to_contain_text(
            {"kk": "Сауда және логистика", "tk": "Söwda we logistika", "ru": "Торговля"}[language])
        screenshot(page, f"group-{language}")
    # Remembered in the profile: a new visit speaks Russian without asking.
    page.goto(demo_paths["home"])
    expect(page.locator("html")).to_have_attribute("lang", "ru")


def test_an_anonymous_visitor_switches_the_sign_in_page(page: Page) -> None:
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    switch_language(page, "tk")
    assert page.url.endswith("/login")
    expect(page.locator("h1")).to_have_text(translated("tk", "Sign in"))
    switch_language(page, "kk")
    expect(page.locator("h1")).to_have_text(translated("kk", "Sign in"))
    screenshot(page, "login-kk")


def test_a_wrong_password_is_shown_next_to_the_field(new_page: Pages) -> None:
    page = new_page()
    new_page.watch(page).allow(r"status of 422")  # the refused form comes back as 422, as it should
    page.goto("/login")
    page.locator("#email").fill(ACCOUNTS["secretary"])
    page.locator("#password").fill("not-the-password")
    follow(page, "main form button[type=submit]")

    assert page.url.endswith("/login")
    password = page.locator("#password")
    error = page.locator("#password-error")
    expect(error).to_contain_text(translated("ru", "Wrong e-mail or password."))  # after a hidden "Error:"
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_attribute("aria-describedby", "password-error")
    expect(password).to_have_value("")
    expect(page.locator("#email")).to_have_value(ACCOUNTS["secretary"])
    field, message = password.bounding_box(), error.bounding_box()
    assert field and message
    gap = message["y"] - (field["y"] + field["height"])
    assert 0 <= gap < 24 and abs(message["x"] - field["x"]) < 4, "the error is not under its field"
    screenshot(page, "login-wrong-password")
    assert axe_violations(page) == []


@pytest.mark.parametrize("name", ["group", "home", "organisations", "people", "person", "invite"])
def test_a_phone_shows_the_page_without_sideways_scrolling(new_page: Pages, demo_paths: dict[str, str],
                                                           name: str) -> None:
    page = new_page("secretary", viewport=MOBILE)
    page.goto(demo_paths[name])
    assert horizontal_overflow(page) == 0, f"{name} scrolls sideways on a phone"
    screenshot(page, f"{name}-mobile")


@pytest.mark.parametrize("name", ["login", "home", "groups", "group", "organisations", "organisation",
                                  "people", "person", "invite", "profile"])
def test_no_serious_accessibility_violations(new_page: Pages, demo_paths: dict[str, str],
                                             name: str) -> None:
    page = new_page(None if name == "login" else "secretary")
    page.goto(demo_paths[name])
    assert axe_violations(page) == []


def test_an_invitation_with_nothing_filled_in_says_what_is_missing(new_page: Pages,
                                                                     demo_paths: dict[str, str]) -> None:
    page = new_page("secretary")
    new_page.watch(page).allow(r"status of 422")
    page.goto(demo_paths["invite"])
    follow(page, "main form button[type=submit]")
    for name in ("name", "email"):
        expect(page.locator(f"#{name}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#{name}-error")).to_be_visible()
    assert axe_violations(page) == []


def test_axe_reports_what_it_should(page: Page) -> None:
    """The accessibility check is not vacuous: an image without a text alternative is caught."""
    page.goto("/login")
    page.evaluate("() => document.querySelector('main').append(document.createElement('img'))")
    assert any("image-alt" in violation for violation in axe_violations(page))


def test_the_console_watch_sees_csp_violations_and_exceptions(new_page: Pages) -> None:
    """The watch that every page is under actually reports: an inline style and a thrown error."""
    page = new_page()
    page.goto("/login")
    with page.expect_console_message(lambda message: message.type == "error"):
        page.evaluate("() => { const s = document.createElement('style');"
                      " s.textContent = 'body { color: red }'; document.head.append(s); }")
    with page.expect_event("pageerror"):
        page.evaluate("() => { setTimeout(() => { throw new Error('boom'); }); }")
    problems = new_page.watch(page).problems
    assert any("Content Security Policy" in problem for problem in problems), problems
    assert any("boom" in problem for problem in problems), problems
    problems.clear()
