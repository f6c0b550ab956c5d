"""Browser tests: the real app on a loopback port, driven by Debian's Chromium through Playwright.

One server per session runs in a thread (werkzeug, threaded) on a database built by the migrations
and loaded with the demo data, with CSRF and the CSP on as in production. Every test under tests/e2e
is marked `e2e`; without /usr/bin/chromium they skip, unless COUNCIL_TEST_REQUIRE_SERVICES=1 (CI),
where they fail.

Pages come from `new_page(account)`: a fresh browser context (signed in as a demo account when one
is named), watched for console errors, uncaught exceptions and CSP violations; the test fails at
teardown if any page logged one, or if the server raised. Tests share the demo database, so a test
that changes something either creates its own records or puts back what it changed.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, got_request_exception
from flask_migrate import upgrade
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from council import create_app
from council.demo import DEMO_PASSWORD, load_demo
from council.extensions import db
from tests.conftest import MailSink, current_code, scratch_database_url, settings_for

HERE = Path(__file__).resolve().parent
MIGRATIONS = str(HERE.parent.parent / "migrations")
SCREENSHOTS = HERE / "screenshots"
AXE = HERE / "vendor" / "axe.min.js"
CHROMIUM = Path(os.environ.get("COUNCIL_TEST_CHROMIUM", "/usr/bin/chromium"))  # Debian's package
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}

# Demo accounts by the short name tests use (council/demo/directory.py).
ACCOUNTS = {
    "secretary": "secretary@council-demo.org",
    "secretary_tm": "secretary.tm@council-demo.org",
    "cochair_kz": "cochair.kz@council-demo.org",
    "cochair_tm": "cochair.tm@council-demo.org",
    "member": "member@council-demo.org",
    "member_tm": "member.tm@council-demo.org",
    "observer": "observer@council-demo.org",
    "admin": "admin@council-demo.org",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            # One pytest-xdist worker runs them all: one server, one demo database, one browser.
            item.add_marker(pytest.mark.xdist_group("e2e"))


# The server ---------------------------------------------------------------------------------------


@dataclass
class LiveServer:
    """The app served on loopback; `app_context()` reads or prepares its database directly."""

    app: Flask
    url: str
    errors: list[BaseException] = field(default_factory=list)

    def app_context(self) -> Any:
        return self.app.app_context()

    def path_of(self, endpoint: str, **values: Any) -> str:
        with self.app.test_request_context(base_url=self.url):  # a host the server trusts
            from flask import url_for

            return url_for(endpoint, **values)


def closing_when_sent(application: Any) -> Any:
    """The app as the live server runs it: a response's body (a static file) is closed as soon as it is
    all sent. werkzeug's development server closes it only after reading what is left of the request,
    and when the browser has dropped the connection by then (a favicon fetch cut short by the next
    navigation) it never does: the file was left to the garbage collector, and its ResourceWarning
    failed whichever test was running."""
    def run(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        body = application(environ, start_response)
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
    return run


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory,
                smtp_sink: tuple[MailSink, int]) -> Iterator[LiveServer]:
    url = scratch_database_url(tmp_path_factory.mktemp("e2e"), "e2e")
    application = create_app(settings_for(
        url, smtp_sink[1], TESTING=False, WTF_CSRF_ENABLED=True, SERVER_NAME=None,
        # Served on a loopback port: the hosts it answers for (production takes them from BASE_URL).
        TRUSTED_HOSTS=["127.0.0.1"],
        # Tests sign in more often than the production limit allows; the limit has its own tests.
        RATELIMIT_ENABLED=False))
    with application.app_context():
        upgrade(directory=MIGRATIONS)
        load_demo()
        db.session.remove()
    server = make_server("127.0.0.1", 0, closing_when_sent(application), threaded=True)
    live = LiveServer(application, f"http://127.0.0.1:{server.server_port}")
    application.config["BASE_URL"] = live.url

    def remember(sender: Flask, exception: BaseException, **extra: Any) -> None:
        live.errors.append(exception)

    got_request_exception.connect(remember, application, weak=False)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield live
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def demo_paths(live_server: LiveServer) -> dict[str, str]:
    """Paths of the main pages, on the demo records (ids read once from the database)."""
    from council.directory.models import Organisation, User, WorkingGroup

    with live_server.app_context():
        trade = db.session.scalar(select(WorkingGroup.id).where(WorkingGroup.slug == "trade"))
        hyakimlik = db.session.scalar(select(Organisation.id).where(
            Organisation.code == "balkan-hyakimlik"))
        cochair = db.session.scalar(select(User.id).where(User.email == ACCOUNTS["cochair_kz"]))
        db.session.remove()
    path = live_server.path_of
    return {
        "login": path("auth.login"),
        "home": path("directory.home"),
        "dashboard": path("dashboard.council"),
        "groups": path("directory.groups"),
        "group": path("directory.group", group_id=trade),
        "organisations": path("directory.organisations"),
        "organisation": path("directory.organisation", organisation_id=hyakimlik),
        "people": path("directory.people"),
        "person": path("directory.person", person_id=cochair),
        "invite": path("directory.invite"),
        "profile": path("directory.profile"),
    }


# The browser --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium): the browser tests cannot run"
        if os.environ.get("COUNCIL_TEST_REQUIRE_SERVICES"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class ConsoleWatch:
    """What a page reported that a user's browser would hold against us."""

    page: Page
    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._console)
        self.page.on("pageerror", self._page_error)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not any(p.search(message.text) for p in self.allowed):
            self.problems.append(f"{self.page.url}: console error: {message.text}")

    def _page_error(self, error: Error) -> None:
        self.problems.append(f"{self.page.url}: uncaught exception: {error.message}")

    def allow(self, pattern: str) -> None:
        """Accept console errors matching `pattern` (say, the log of an expected 422 response)."""
        self.allowed.append(re.compile(pattern))


@dataclass
class Pages:
    browser: Browser
    server: LiveServer
    states: dict[str, Any]
    watches: dict[Page, ConsoleWatch] = field(default_factory=dict)
    contexts: list[Any] = field(default_factory=list)

    def __call__(self, account: str | None = None, *, viewport: dict[str, int] | None = None,
                 locale: str = "ru-RU", javascript: bool = True) -> Page:
        context = self.browser.new_context(base_url=self.server.url, viewport=viewport or DESKTOP,  # type: ignore[arg-type]
                                           locale=locale, storage_state=self.states.get(account or ""),
                                           java_script_enabled=javascript)
        # Generous: on a loaded 2-core machine a page can take seconds; a real hang still fails.
        context.set_default_timeout(30_000)
        self.contexts.append(context)
        page = context.new_page()
        self.watches[page] = ConsoleWatch(page)
        if account and account not in self.states:
            sign_in(page, account, server=self.server)
            self.states[account] = context.storage_state()
        return page

    def watch(self, page: Page) -> ConsoleWatch:
        return self.watches[page]

    def close(self) -> list[str]:
        problems = [problem for watch in self.watches.values() for problem in watch.problems]
        for context in self.contexts:
            context.close()
        return problems


@pytest.fixture(scope="session")
def signed_in_states() -> dict[str, Any]:
    """Cookies of each demo account once signed in, so later tests skip the sign-in form."""
    return {}


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer, signed_in_states: dict[str, Any]) -> Iterator[Pages]:
    """`new_page()` for an anonymous visitor, `new_page("secretary")` signed in, each in its own
    browser context; `new_page.watch(page).allow(...)` accepts an expected console error."""
    pages = Pages(browser, live_server, signed_in_states)
    errors_before = len(live_server.errors)
    yield pages
    problems = pages.close()
    server_errors = live_server.errors[errors_before:]
    assert not server_errors, f"the server raised: {server_errors!r}"
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(new_page: Pages) -> Page:
    """An anonymous visitor's page."""
    return new_page()


# Helpers ------------------------------------------------------------------------------------------


def sign_in(page: Page, account: str, password: str = DEMO_PASSWORD, *,
            server: LiveServer | None = None) -> None:
    """Sign in through the form as a demo account (a short name from ACCOUNTS, or an e-mail); the
    secretaries and the administrator then type the code their authenticator app shows (the demo key)."""
    email = ACCOUNTS.get(account, account)
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    follow(page, "main form button[type=submit]")
    if page.url.endswith("/login/code"):
        assert server is not None, "signing in with a code needs the live server"
        with server.app_context():
            code = current_code(email)
            db.session.remove()
        assert code is not None
        page.locator("#code").fill(code)
        follow(page, "main form button[type=submit]")
    assert not page.url.rstrip("/").endswith(("/login", "/login/code")), f"{account} could not sign in"


def follow(page: Page, selector: str) -> None:
    """Click a link or a submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator(selector).first.click()


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot under tests/e2e/screenshots/ (git-ignored), for a human to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True, animations="disabled")
    return target


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Run axe-core on the page; the violations of the given impacts, one readable line each."""
    # Evaluated through the DevTools protocol: a <script> tag (add_script_tag) would be inline
    # script, which our CSP rightly refuses.
    page.evaluate(_axe_source())
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    lines = []
    for violation in result["violations"]:
        if violation["impact"] in impacts:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
            lines.append(f"{violation['impact']}: {violation['id']} ({violation['help']}): {targets}")
    return lines


def horizontal_overflow(page: Page) -> int:
    """How many pixels the page is wider than the viewport (0 when nothing scrolls sideways)."""
    return int(page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def translated(language: str, message: str) -> str:
    """`message` as the compiled catalog of `language` has it (itself while untranslated)."""
    from babel.support import Translations

    catalog = Translations.load(str(HERE.parent.parent / "council" / "translations"), [language])
    return str(catalog.gettext(message))
