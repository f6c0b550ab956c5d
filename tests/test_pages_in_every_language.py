"""Every main page, rendered in Russian, Kazakh and Turkmen, has no English left in its interface.

With the demo council loaded, the secretary (the administrator for the outbox, an anonymous visitor
for the public and sign-in pages) opens each page in each language. No text of the page — <title>,
<nav>, headings, labels, table headers, buttons, options, cells, paragraphs, and the attributes a
reader meets (aria-label, title, placeholder) — may hold an English word, and <html lang> must name
the reader's language. Content the demo wrote in another language is marked with its own `lang`
attribute (the "not translated yet" fallback), so it is left out, as are the demo's plain-text
content (a source reference, a file name), people's and places' names, acronyms, codes and
addresses.

Russian and Kazakh are written in Cyrillic, so any Latin word there is suspect. Turkmen is written in
Latin too: there a word is English when it belongs to the English interface vocabulary (the words of
the catalog's msgids) and not to the Turkmen one (the words of the Turkmen msgstrs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from sqlalchemy import select

from council.demo import DEMO_PASSWORD, load_demo
from council.extensions import db
from tests.conftest import sign_in

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("ru", "kk", "tk")

# Attributes a reader meets as text (screen readers, tooltips, placeholders).
INTERFACE_ATTRIBUTES = ("aria-label", "placeholder", "title")
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                       "source", "track", "wbr"})

# Words that are the same in every language: acronyms, codes, currencies, file formats, the brand
# names of the protocols people see.
ALLOWED = frozenset({
    "API", "CSV", "XLSX", "PDF", "ICS", "iCal", "JSON", "HTML", "URL", "USD", "KZT", "TMT", "RU", "KK",
    "TK", "EN", "UTC", "OpenAPI", "Swagger", "Bearer", "ID", "SMS", "HTTP", "HTTPS", "UNDP", "OSCE",
    "EU", "English", "PNG", "JPEG", "DOCX", "ODT", "Word", "Excel", "PowerPoint", "OpenDocument",
    "JavaScript", "Outlook", "Google", "Thunderbird", "Redis", "Celery", "cron",
})


@dataclass
class Page:
    lang: str | None = None
    texts: list[str] = field(default_factory=list)


class InterfaceText(HTMLParser):
    """Collects the text a reader meets, skipping anything inside an element whose `lang` differs
    from the page's (content shown in its original language, the language switcher) and code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[tuple[str, bool]] = []  # (tag, foreign)

    def _foreign(self) -> bool:
        return any(foreign for _tag, foreign in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.page.lang = values.get("lang")
            return
        lang = values.get("lang")
        foreign = self._foreign() or (lang is not None and lang != self.page.lang)
        if not foreign and tag not in {"script", "style"}:
            for name in INTERFACE_ATTRIBUTES:
                if values.get(name):
                    self.page.texts.append(str(values[name]))
            if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
                self.page.texts.append(str(values["value"]))
        if tag not in VOID_TAGS:
            self.stack.append((tag, foreign or tag in {"script", "style", "code", "pre"}))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self._foreign() and data.strip():
            self.page.texts.append(data)


def interface_of(html: str) -> Page:
    parser = InterfaceText()
    parser.feed(html)
    return parser.page


WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
LATIN = re.compile(r"^[A-Za-z][A-Za-z'’-]*$")
EMAIL = re.compile(r"\S+@\S+")
URL = re.compile(r"https?://\S+|\b[\w-]+(\.[\w-]+)+\.(org|com|kz|tm|ru|test)\b")
CODE = re.compile(r"\b\w+_\w+\b")  # a value of an import column: council_session


def _catalog_words(language: str) -> set[str]:
    with (ROOT / "council" / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    return _words(message.string for message in catalog)


def _english_words() -> set[str]:
    with (ROOT / "council" / "translations" / "messages.pot").open("rb") as f:
        template = read_po(f)
    return _words(message.id for message in template)


def _words(entries: Iterable[str | tuple[str, ...] | list[str] | None]) -> set[str]:
    """The case-folded words of catalog entries (a plural's every form), placeholders left out."""
    words: set[str] = set()
    for entry in entries:
        for text in entry if isinstance(entry, tuple | list) else [entry]:
            words.update(w.casefold() for w in WORD.findall(re.sub(r"%\(\w+\)\w", " ", text or "")))
    return words


@dataclass
class DemoContent:
    names: set[str]  # words of names, codes, places and non-English texts
    texts: list[str]  # plain-text content as the demo wrote it (longest first)


class EnglishDetector:
    def __init__(self, language: str, demo: DemoContent) -> None:
        self.language = language
        self.texts = demo.texts
        self.allowed = {w.casefold() for w in ALLOWED} | {w.casefold() for w in demo.names}
        if language == "tk":
            self.english = _english_words() - _catalog_words("tk")

    def leftovers(self, text: str) -> list[str]:
        text = " ".join(text.split())
        for content in self.texts:
            text = text.replace(content, " ")
        text = URL.sub(" ", EMAIL.sub(" ", text))
        text = CODE.sub(" ", text)
        found = []
        for word in WORD.findall(text):
            if not LATIN.match(word) or word.casefold() in self.allowed:
                continue
            if len(word) < 2:
                continue
            if self.language == "tk" and word.casefold() not in self.english:
                continue
            found.append(word)
        return found


# Plain-text columns: content written once, in whatever language its author used.
NAME_COLUMNS = frozenset({"name", "code", "reference", "place", "slug"})
CONTENT_COLUMNS = frozenset({"source_reference", "source", "note", "position", "filename", "url",
                             "online_url", "status_reason", "cancel_reason", "comment", "label"})


def _demo_content() -> DemoContent:
    """What the demo wrote: words of names, codes, places, and the Russian, Kazakh and Turkmen texts
    of every multilingual record (a Turkmen organisation's name is shown as written in a Russian
    page until someone translates it); and its plain-text content, whole."""
    from sqlalchemy import JSON, String, Text

    names: set[str] = set()
    texts: set[str] = set()
    for mapper in db.Model.registry.mappers:
        multilingual = [c for c in mapper.columns if isinstance(c.type, JSON)]
        plain = [c for c in mapper.columns if isinstance(c.type, String | Text)
                 and c.key in NAME_COLUMNS | CONTENT_COLUMNS]
        if not multilingual and not plain:
            continue
        for row in db.session.execute(select(*multilingual, *plain)):
            for column, value in zip([*multilingual, *plain], row, strict=True):
                if isinstance(value, dict):
                    for lang, text in value.items():
                        if lang != "en" and isinstance(text, str):
                            names.update(WORD.findall(text))
                elif isinstance(value, str) and value.strip():
                    if column.key in NAME_COLUMNS:
                        names.update(WORD.findall(value))
                    else:
                        texts.add(" ".join(value.split()))
    return DemoContent(names, sorted(texts, key=len, reverse=True))


def _first(model: type, *where: object) -> int:
    found = db.session.scalars(select(model.id).where(*where).order_by(model.id)).first()  # type: ignore[attr-defined]
    assert found is not None, f"the demo has no {model.__name__}"
    return int(found)


def secretary_pages() -> Iterator[str]:
    from council.directory.models import Organisation, User, WorkingGroup
    from council.meetings.models import PLANNING_STATUSES, Decision, Meeting, MeetingStatus
    from council.tracker.models import (
        Commitment,
        Indicator,
        Initiative,
        Milestone,
        Observation,
        Recommendation,
    )

    group = _first(WorkingGroup)
    organisation = _first(Organisation)
    person = _first(User)
    recommendation = _first(Recommendation)
    commitment = _first(Commitment)
    initiative = _first(Initiative)
    indicator = _first(Indicator)
    milestone = db.session.get(Milestone, _first(Milestone))
    observation = db.session.get(Observation, _first(Observation))
    assert milestone is not None and observation is not None
    planned = db.session.scalars(select(Meeting).where(Meeting.status.in_(PLANNING_STATUSES))
                                 .where(Meeting.agenda_items.any()).order_by(Meeting.id)).first()
    assert planned is not None
    meeting, item = planned.id, planned.agenda_items[0]
    held = _first(Meeting, Meeting.status == MeetingStatus.HELD)
    approved = db.session.scalars(select(Decision).join(Meeting).where(
        Meeting.status == MeetingStatus.MINUTES_APPROVED).order_by(Decision.id)).first()
    assert approved is not None
    decision = approved
    yield from [
        "/", "/groups", f"/groups/{group}", f"/groups/{group}/edit", "/groups/new",
        "/organisations", f"/organisations/{organisation}", f"/organisations/{organisation}/edit",
        "/organisations/new", "/people", f"/people/{person}", "/people/invite", "/profile",
        "/tracker/", "/tracker/recommendations", f"/tracker/recommendations/{recommendation}",
        "/tracker/recommendations/new", f"/tracker/recommendations/{recommendation}/edit",
        f"/tracker/recommendations/{recommendation}/commitments/new",
        "/tracker/commitments", f"/tracker/commitments/{commitment}",
        f"/tracker/commitments/{commitment}/edit",
        "/tracker/initiatives", f"/tracker/initiatives/{initiative}", "/tracker/initiatives/new",
        f"/tracker/initiatives/{initiative}/edit",
        "/tracker/indicators", f"/tracker/indicators/{indicator}", "/tracker/indicators/new",
        f"/tracker/indicators/{indicator}/edit", "/tracker/import",
        f"/tracker/initiatives/{milestone.initiative_id}/milestones/{milestone.id}/edit",
        f"/tracker/indicators/{observation.indicator_id}/observations/{observation.id}/edit",
        "/meetings/", "/meetings/new", "/meetings/calendar", f"/meetings/{meeting}",
        f"/meetings/{meeting}/edit", f"/meetings/{meeting}/agenda/new",
        f"/meetings/{meeting}/agenda/{item.id}/edit", f"/meetings/{meeting}/agenda/print",
        f"/meetings/{meeting}/cancel", f"/meetings/{held}", f"/meetings/{held}/attendance",
        f"/meetings/{held}/minutes", f"/meetings/{held}/decisions/new",
        f"/meetings/{decision.meeting_id}", f"/meetings/{decision.meeting_id}/minutes/print",
        f"/meetings/{decision.meeting_id}/minutes/1", f"/meetings/{decision.meeting_id}/minutes/revise",
        "/dashboard", f"/dashboard/groups/{group}", "/dashboard/organisations",
        f"/dashboard/organisations/{organisation}", "/my-work", "/home",
        "/notifications", "/notifications/preferences", "/api/v1/docs",
        "/reports", "/reports/new",
        "/translations", f"/translate/recommendation/{recommendation}/kk",
        f"/translate/indicator/{indicator}/tk", f"/translate/meeting/{meeting}/en",
        "/this-page-does-not-exist",
    ]


def co_chair_pages() -> Iterator[str]:
    from council.directory.models import Organisation, User
    from council.tracker.models import Commitment

    chair = db.session.scalars(select(User).where(User.email == "cochair.tm@council-demo.org")).one()
    own = db.session.scalars(select(Commitment.id).join(Organisation).where(
        Organisation.id == chair.organisation_id).order_by(Commitment.id)).first()
    yield from ["/home", "/my-work", "/notifications", "/notifications/preferences", "/profile",
                "/profile/two-factor", f"/people/{chair.id}", "/dashboard",
                *([f"/tracker/commitments/{own}"] if own else [])]


def anonymous_pages() -> Iterator[str]:
    from council.auth.services import INVITATION, PASSWORD_RESET, make_token
    from council.directory.models import Council, User, WorkingGroup
    from council.meetings.models import Meeting, Minutes
    from council.tracker.models import Recommendation

    slug = db.session.scalars(select(Council.slug)).one()
    someone = db.session.scalars(select(User).where(User.email == "member@council-demo.org")).one()
    recommendation = _first(Recommendation, Recommendation.is_public.is_(True))
    minutes = db.session.scalars(select(Minutes.meeting_id).order_by(Minutes.meeting_id)).first()
    del Meeting
    yield from [
        "/login", "/password/forgot", f"/invitation/{make_token(someone, INVITATION)}",
        f"/password/reset/{make_token(someone, PASSWORD_RESET)}", "/password/reset/not-a-token",
        f"/public/{slug}", f"/public/{slug}/recommendations",
        f"/public/{slug}/recommendations/{recommendation}", f"/public/{slug}/indicators",
        f"/public/{slug}/minutes", f"/public/{slug}/minutes/{minutes}",
        f"/public/{slug}/groups/{_first(WorkingGroup)}", f"/public/{slug}/reports",
        "/this-page-does-not-exist",
    ]


def check(client: FlaskClient, url: str, language: str, detector: EnglishDetector,
          problems: list[str], expected_status: tuple[int, ...] = (200, 404, 410)) -> None:
    response = client.get(url, follow_redirects=True)
    assert response.status_code in expected_status, f"{url}: {response.status_code}"
    page = interface_of(response.get_data(as_text=True))
    if page.lang != language:
        problems.append(f"{url}: <html lang={page.lang!r}>, expected {language!r}")
    for text in page.texts:
        words = detector.leftovers(text)
        if words:
            problems.append(f"{url}: {words} in {' '.join(text.split())!r}")


@pytest.fixture
def demo(app) -> DemoContent:
    from datetime import timedelta

    from council.directory.models import User
    from council.meetings import services
    from council.meetings.models import Meeting, MeetingStatus
    from council.timeutil import utcnow

    load_demo()
    # The demo has no meeting between "held" and "minutes approved": the ecology meeting took place.
    ecology = db.session.scalars(select(Meeting).where(
        Meeting.status == MeetingStatus.AGENDA_PUBLISHED).order_by(Meeting.id)).first()
    secretary = db.session.scalars(select(User).where(User.email == "secretary@council-demo.org")).one()
    assert ecology is not None
    ecology.starts_at, ecology.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
    services.mark_held(secretary, ecology)
    db.session.commit()
    return _demo_content()


def _sign_in(client: FlaskClient, email: str, language: str) -> None:
    sign_in(client, email, DEMO_PASSWORD)
    client.post("/language", data={"language": language, "next": "/"})


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_speaks_the_readers_language(client, demo, language):
    detector = EnglishDetector(language, demo)
    problems: list[str] = []
    pages = 0

    client.post("/language", data={"language": language, "next": "/"})
    for url in anonymous_pages():
        check(client, url, language, detector, problems)
        pages += 1

    _sign_in(client, "secretary@council-demo.org", language)
    for url in secretary_pages():
        check(client, url, language, detector, problems)
        pages += 1

    # A co-chair's own pages: what waits for them, their notifications, a commitment they may report on.
    client.post("/logout")
    _sign_in(client, "cochair.tm@council-demo.org", language)
    for url in co_chair_pages():
        check(client, url, language, detector, problems)
        pages += 1
    client.post("/logout")
    _sign_in(client, "secretary@council-demo.org", language)

    # A refusal: the outbox is the administrator's.
    check(client, "/admin/outbox", language, detector, problems, expected_status=(403,))
    client.post("/logout")
    _sign_in(client, "admin@council-demo.org", language)
    check(client, "/admin/outbox", language, detector, problems, expected_status=(200,))
    check(client, "/admin/status", language, detector, problems, expected_status=(200,))
    pages += 3

    assert pages > 80
    assert not problems, f"{language}: {len(problems)} leftovers:\n" + "\n".join(sorted(set(problems)))
