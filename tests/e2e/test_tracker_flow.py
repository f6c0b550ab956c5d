"""The tracker in a real browser: a recommendation's commitment reported with evidence and verified (or
sent back), a meeting whose approved minutes create a commitment, languages, accessibility, layout."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from council.directory.models import Organisation, User, WorkingGroup
from council.extensions import db
from council.tracker import services
from council.tracker.models import Commitment, Recommendation, RecommendationSource
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


def tr(page: Page, message: str) -> str:
    """`message` in the language the page is shown in (each demo account has its own)."""
    return translated(page.locator("html").get_attribute("lang") or "ru", message)


@dataclass(frozen=True)
class Demo:
    trade_id: int
    kz_customs_id: int
    owner_id: int
    owner_name: str


@pytest.fixture(scope="module")
def demo(live_server: LiveServer) -> Demo:
    """Ids of the demo records the journeys use: the trade group, Kazakh customs and its member."""
    with live_server.app_context():
        trade = db.session.scalar(select(WorkingGroup.id).where(WorkingGroup.slug == "trade"))
        customs = db.session.scalar(select(Organisation.id).where(Organisation.code == "kz-customs"))
        owner = db.session.scalar(select(User).where(User.email == ACCOUNTS["member"]))
        assert trade and customs and owner and owner.organisation_id == customs
        found = Demo(trade, customs, owner.id, owner.name)
        db.session.remove()
    return found


_numbers = itertools.count(1)


def unique_code() -> str:
    """A code as long as real ones (TRD-2025-001), in a year the demo does not use."""
    return f"TRD-2031-{next(_numbers):03d}"


def status_badge(page: Page) -> str:
    return page.locator(".page-head .badge.status").first.inner_text()


def history(page: Page) -> str:
    return page.locator("section[aria-labelledby=history-heading] ol.history").inner_text()


# 1. Recommendation → commitment → progress with evidence → verification -----------------------------


def test_a_commitment_is_reported_with_evidence_and_verified(new_page: Pages, demo: Demo,
                                                             tmp_path: Path) -> None:
    code = unique_code()
    # The secretary records a recommendation for the trade group and adopts it.
    secretary = new_page("secretary")
    secretary.goto("/tracker/recommendations")
    follow(secretary, "main a[href$='/tracker/recommendations/new']")
    secretary.locator("#group_id").select_option(str(demo.trade_id))
    secretary.locator("#code").fill(code)
    secretary.locator("#title-ru").fill("Единое окно для перевозчиков на границе")
    secretary.locator("#text-ru").fill("Создать единое окно для документов перевозчиков на посту Темир-Баба.")
    follow(secretary, "main form button[type=submit]")
    expect(secretary.locator(".flash-success")).to_contain_text(code)
    expect(secretary.locator("h1")).to_contain_text("Единое окно для перевозчиков")
    assert status_badge(secretary) == tr(secretary, "Proposed")
    # A proposed recommendation takes no commitments yet.
    expect(secretary.locator("a[href$='/commitments/new']")).to_have_count(0)
    follow(secretary, "form:has(input[name=status][value=adopted]) button")
    assert status_badge(secretary) == tr(secretary, "Adopted")
    assert tr(secretary, "created the record") in history(secretary)
    assert tr(secretary, "Adopted") in history(secretary)

    # … and a commitment of Kazakh customs, with its member as the owner.
    follow(secretary, "main a[href$='/commitments/new']")
    secretary.locator("#organisation_id").select_option(str(demo.kz_customs_id))
    secretary.locator("#owner_id").select_option(str(demo.owner_id))
    secretary.locator("#description-ru").fill("Открыть окно приёма документов на посту Темир-Баба.")
    due = (datetime.now(UTC).date() + timedelta(days=120)).isoformat()
    secretary.locator("#due_date").fill(due)
    follow(secretary, "main form button[type=submit]")
    expect(secretary.locator(".flash-success")).to_be_visible()
    commitment_url = secretary.url
    assert status_badge(secretary) == tr(secretary, "Planned")
    facts = secretary.locator("dl.facts-list")
    expect(facts).to_contain_text(demo.owner_name)
    expect(facts).to_contain_text("0 %")  # Russian: "0 %" (Playwright reads the no-break space as one)
    expect(secretary.locator("main")).to_contain_text(tr(secretary, "No progress reported yet."))
    commitment_code = secretary.locator(".page-head hgroup .code").inner_text()
    assert commitment_code.startswith(code)

    # The owner reports it done with a PDF and a note.
    pdf = tmp_path / "akt-temir-baba.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    owner = new_page("member")
    owner.goto(commitment_url)
    expect(owner.locator("#report-heading")).to_be_visible()
    expect(owner.locator("#verify-heading")).to_have_count(0)
    screenshot(owner, "tracker-progress-form")
    owner.locator("#progress").fill("100")
    owner.locator("#status").select_option("reported_done")
    owner.locator("#note").fill("Окно открыто 1 ноября, акт приёмки приложен.")
    owner.locator("#files").set_input_files(str(pdf))
    follow(owner, "form[action$='/progress'] button[type=submit]")
    expect(owner.locator(".flash-success")).to_have_text(tr(owner, "Progress reported."))
    assert status_badge(owner) == tr(owner, "Reported done")
    expect(owner.locator("dl.facts-list")).to_contain_text("100 %")
    expect(owner.locator("main")).to_contain_text(
        tr(owner, "Reported done: waiting for a co-chair or the secretariat to verify it."))
    update = owner.locator("article.update").first
    expect(update).to_contain_text(demo.owner_name)
    expect(update).to_contain_text("0 % → 100 %")
    expect(update).to_contain_text("Окно открыто 1 ноября")
    link = update.locator("ul.evidence a", has_text="akt-temir-baba.pdf")
    expect(link).to_have_count(1)
    with owner.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == pdf.read_bytes()
    assert download.value.suggested_filename == "akt-temir-baba.pdf"
    assert tr(owner, "Reported done") in history(owner)
    assert "0 % → 100 %" in history(owner).replace("\xa0", " ")

    # A co-chair of the group checks the evidence and verifies it.
    chair = new_page("cochair_kz")
    chair.goto(commitment_url)
    expect(chair.locator("#verify-heading")).to_be_visible()
    expect(chair.locator("article.update ul.evidence a")).to_have_text("akt-temir-baba.pdf")
    screenshot(chair, "tracker-commitment-verification")
    chair.locator("form[action$='/verify'] textarea[name=comment]").fill("Акт проверен.")
    follow(chair, "form[action$='/verify'] button:not([formaction])")
    expect(chair.locator(".flash-success")).to_have_text(tr(chair, "Commitment verified."))
    assert status_badge(chair) == tr(chair, "Verified")
    expect(chair.locator("dl.facts-list")).to_contain_text("Ерлан Сарсенов")
    expect(chair.locator("#verify-heading")).to_have_count(0)
    expect(chair.locator("#report-heading")).to_have_count(0)  # a verified commitment is closed
    assert tr(chair, "verified the commitment") in history(chair)

    # The owner sees it verified; the recommendation shows the full progress of its Kazakh side.
    owner.reload()
    assert status_badge(owner) == tr(owner, "Verified")
    expect(owner.locator("#report-heading")).to_have_count(0)
    follow(owner, "p.breadcrumb a")
    kazakh_side = owner.locator(".two-sides .side").first
    expect(kazakh_side.locator("tbody tr", has_text=commitment_code)).to_contain_text(tr(owner, "Verified"))
    expect(kazakh_side.locator("p progress")).to_have_attribute("value", "100")


@pytest.fixture
def reported_commitment(live_server: LiveServer, demo: Demo) -> Iterator[int]:
    """An adopted trade recommendation with a commitment its owner reports done (made by the services)."""
    with live_server.app_context():
        secretary = db.session.scalar(select(User).where(User.email == ACCOUNTS["secretary"]))
        owner = db.session.get(User, demo.owner_id)
        recommendation = services.create_recommendation(
            secretary, db.session.get(WorkingGroup, demo.trade_id), code=unique_code(),
            title={"ru": "Электронная очередь грузовиков"}, text={"ru": "Ввести электронную очередь."},
            original_language="ru", source=RecommendationSource.GROUP_MEETING, source_reference=None)
        services.change_recommendation_status(secretary, recommendation, "adopted")
        commitment = services.create_commitment(
            secretary, recommendation, organisation=db.session.get(Organisation, demo.kz_customs_id),
            owner=owner, description={"ru": "Запустить электронную очередь на посту."},
            original_language="ru", start_date=None,
            due_date=datetime.now(UTC).date() + timedelta(days=60))
        services.report_progress(owner, commitment, progress=100, status="reported_done",
                                 note="Очередь работает.")
        db.session.commit()
        commitment_id = commitment.id
        db.session.remove()
    yield commitment_id
    with live_server.app_context():
        assert db.session.get(Commitment, commitment_id) is not None
        db.session.remove()


def test_a_co_chair_sends_a_report_back_and_the_owner_sees_why(new_page: Pages,
                                                              reported_commitment: int) -> None:
    url = f"/tracker/commitments/{reported_commitment}"
    chair = new_page("cochair_kz")  # four-eyes: a Kazakh report is verified on the Kazakh side
    chair.goto(url)
    assert status_badge(chair) == tr(chair, "Reported done")
    comment = chair.locator("form[action$='/verify'] textarea[name=comment]")
    comment.fill("Нет акта приёмки: приложите его, пожалуйста.")
    follow(chair, "form[action$='/verify'] button[formaction$='/send-back']")
    expect(chair.locator(".flash-success")).to_have_text(tr(chair, "The report was sent back to the owner."))
    assert status_badge(chair) == tr(chair, "In progress")

    owner = new_page("member")
    owner.goto(url)
    assert status_badge(owner) == tr(owner, "In progress")
    expect(owner.locator("dl.facts-list")).to_contain_text("Нет акта приёмки: приложите его, пожалуйста.")
    entries = history(owner)
    assert tr(owner, "sent the report back") in entries
    assert "Ерлан Сарсенов" in entries
    assert "Нет акта приёмки" in entries
    # The owner can report again.
    expect(owner.locator("#report-heading")).to_be_visible()
    screenshot(owner, "tracker-commitment-sent-back")


# 2. A meeting's approved minutes create a commitment -----------------------------------------------------


def confirm(page: Page, selector: str) -> None:
    """Submit a form that asks `confirm(...)` first, accepting the question."""
    page.once("dialog", lambda dialog: dialog.accept())
    follow(page, selector)


def test_approved_minutes_create_a_commitment_in_the_tracker(new_page: Pages, demo: Demo) -> None:
    marker = uuid.uuid4().hex[:8]
    secretary = new_page("secretary")
    secretary.goto(f"/meetings/new?kind=group_meeting&group={demo.trade_id}")
    secretary.locator("#title-ru").fill(f"Заседание по торговле {marker}")
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    secretary.locator("#starts_at").fill(f"{yesterday.isoformat()}T10:00")
    secretary.locator("#ends_at").fill(f"{yesterday.isoformat()}T12:00")
    secretary.locator("#place").fill("Актау")
    follow(secretary, "main form button[type=submit]")
    expect(secretary.locator(".flash-success")).to_be_visible()
    meeting_url = secretary.url
    expect(secretary.locator(".page-head .status")).to_have_text(tr(secretary, "Draft"))

    for title in ("Очередь на границе", "Тарифы порта"):
        follow(secretary, "#agenda .section-head a[role=button]")
        secretary.locator("#title-ru").fill(title)
        secretary.locator("#duration_minutes").fill("30")
        follow(secretary, "main form button[type=submit]")
    expect(secretary.locator("#agenda .agenda-body > strong")).to_have_text(
        ["Очередь на границе", "Тарифы порта"])
    confirm(secretary, "form[action$='/publish'] button")
    expect(secretary.locator(".page-head .status")).to_have_text(tr(secretary, "Agenda published"))
    follow(secretary, "form[action$='/held'] button")
    expect(secretary.locator(".page-head .status")).to_have_text(tr(secretary, "Held"))

    follow(secretary, "#minutes a[href$='/minutes']")
    secretary.locator("#notes_general-ru").fill("Стороны обсудили очередь грузовиков на посту.")
    follow(secretary, "main form button[type=submit]")
    expect(secretary.locator("#minutes")).to_contain_text("Стороны обсудили очередь грузовиков")

    follow(secretary, "#minutes a[href$='/decisions/new']")
    secretary.locator("#text-ru").fill(f"Таможне Казахстана открыть электронную очередь {marker}.")
    secretary.locator("#create_recommendation").check()
    secretary.locator("#commitments-0-organisation_id").select_option(str(demo.kz_customs_id))
    secretary.locator("#commitments-0-owner_id").select_option(str(demo.owner_id))
    due = datetime.now(UTC).date() + timedelta(days=90)
    secretary.locator("#commitments-0-due_date").fill(due.isoformat())
    follow(secretary, "main form button[type=submit]")
    expect(secretary.locator("#minutes")).to_contain_text(f"электронную очередь {marker}")
    confirm(secretary, "form[action$='/minutes/publish'] button")
    expect(secretary.locator("#minutes .section-head .status")).to_contain_text(
        tr(secretary, "Awaiting approval"))
    screenshot(secretary, "meeting-minutes-published")

    for account in ("cochair_kz", "cochair_tm"):
        chair = new_page(account)
        chair.goto(meeting_url)
        confirm(chair, "form[action$='/minutes/approve'] button")
        expect(chair.locator("form[action$='/minutes/approve']")).to_have_count(0)
    expect(chair.locator(".page-head .status")).to_have_text(tr(chair, "Minutes approved"))
    expect(chair.locator("ul.approvals li")).to_have_count(2)
    for line in chair.locator("ul.approvals li").all_inner_texts():
        assert line.startswith("✓"), line
    # The ✓ is the marker: Pico's square bullet would hang outside the page's margin.
    bullet = chair.locator("ul.approvals li").first.evaluate("li => getComputedStyle(li).listStyleType")
    assert bullet == "none"

    # Read-only now: the secretary may only amend them through a new revision.
    secretary.reload()
    expect(secretary.locator("#minutes .section-head .status")).to_contain_text(tr(secretary, "Approved"))
    expect(secretary.locator("#minutes a[href$='/minutes']")).to_have_count(0)
    expect(secretary.locator("#minutes a[href$='/decisions/new']")).to_have_count(0)
    expect(secretary.locator("form[action$='/minutes/publish']")).to_have_count(0)
    expect(secretary.locator("#minutes a[href$='/minutes/revise']")).to_have_text(
        tr(secretary, "Amend the minutes"))
    created = secretary.locator("#created-commitments tbody tr")
    expect(created).to_have_count(1)
    expect(created).to_contain_text(demo.owner_name)
    commitment_code = created.locator("td").first.inner_text()

    # … and its commitment is in the tracker, planned, owned by the customs member.
    secretary.goto(f"/tracker/commitments?q={marker}")
    rows = secretary.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(commitment_code)
    expect(rows).to_contain_text(demo.owner_name)
    expect(rows).to_contain_text(tr(secretary, "Planned"))


# 3. Languages --------------------------------------------------------------------------------------------


@pytest.fixture
def observer_speaks_english_again(live_server: LiveServer) -> Iterator[None]:
    """The switcher saves the language in the profile: put the demo account back as it was."""
    yield None
    with live_server.app_context():
        observer = db.session.scalar(select(User).where(User.email == ACCOUNTS["observer"]))
        assert observer is not None
        observer.language = "en"
        db.session.commit()
        db.session.remove()


@pytest.mark.usefixtures("observer_speaks_english_again")
def test_the_tracker_speaks_kazakh_and_turkmen(new_page: Pages, live_server: LiveServer) -> None:
    with live_server.app_context():
        recommendation_id = db.session.scalar(select(Recommendation.id).order_by(Recommendation.id))
        db.session.remove()
    page = new_page("observer")
    for path, heading in (("/tracker/recommendations", "Recommendations"),
                          (f"/tracker/recommendations/{recommendation_id}", "Commitments of the two sides")):
        page.goto(path)
        for language in ("kk", "tk"):
            follow(page, f".language-switcher button[value={language}]")
            assert page.url.endswith(path), "the switcher left the page"
            expect(page.locator("html")).to_have_attribute("lang", language)
            text = translated(language, heading)
            assert text != heading, f"{heading!r} is not translated into {language}"
            selector = "h1" if path.endswith("recommendations") else "#sides-heading"
            expect(page.locator(selector)).to_have_text(text)
            screenshot(page, f"tracker-{path.rsplit('/', 1)[-1]}-{language}")


# 4. Accessibility, console, layout ----------------------------------------------------------------------


def test_tracker_pages_pass_axe_and_fit_a_phone(new_page: Pages, live_server: LiveServer) -> None:
    with live_server.app_context():
        from council.tracker.models import Indicator, Initiative

        commitment = db.session.scalar(select(Commitment).where(Commitment.status == "in_progress")
                                       .order_by(Commitment.id))
        assert commitment is not None
        initiative = db.session.scalar(select(Initiative.id).order_by(Initiative.id))
        indicator = db.session.scalar(select(Indicator.id).order_by(Indicator.id))
        ids = (commitment.recommendation_id, commitment.id, initiative, indicator)
        db.session.remove()
    recommendation_id, commitment_id, initiative_id, indicator_id = ids
    pages = {
        "recommendations": "/tracker/recommendations",
        "recommendation": f"/tracker/recommendations/{recommendation_id}",
        "commitments": "/tracker/commitments",
        "commitment": f"/tracker/commitments/{commitment_id}",
        "import": "/tracker/import",
        "initiatives": "/tracker/initiatives",
        "initiative": f"/tracker/initiatives/{initiative_id}",
        "indicators": "/tracker/indicators",
        "indicator": f"/tracker/indicators/{indicator_id}",
    }
    # The secretary sees every form (progress, status, import) on these pages.
    desktop = new_page("secretary")
    phone = new_page("secretary", viewport=MOBILE)
    problems = []
    for name, path in pages.items():
        desktop.goto(path)
        problems += [f"{path}: {line}" for line in axe_violations(desktop)]
        screenshot(desktop, f"tracker-{name}")
        if name in ("recommendations", "commitments"):
            # Seven columns of text: all of them fit a desktop, no scrolling sideways to see the status.
            wider = desktop.evaluate("() => { const box = document.querySelector('main .overflow-auto');"
                                     " return box.scrollWidth - box.clientWidth; }")
            if wider > 1:
                problems.append(f"{path}: the table is {wider}px wider than the page at 1280 px")
        phone.goto(path)
        overflow = horizontal_overflow(phone)
        if overflow > 1:
            problems.append(f"{path}: {overflow}px of horizontal scroll at 390×844")
        screenshot(phone, f"tracker-{name}-phone")
    assert not problems, "\n".join(problems)
