"""Conversations in a real browser: a Turkmen co-chair asks the Kazakh side about a stuck commitment
from the two-country view, a Kazakh member answers in Kazakh, the question is marked answered, and both
see it on the record and in their digest. Screenshots of the thread and the ask form at phone and desk
widths, in Kazakh and Turkmen (under tests/e2e/screenshots/, git-ignored)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from council.auth.services import hash_password
from council.conversations.models import Comment
from council.demo import DEMO_PASSWORD
from council.directory.models import GroupRole, Membership, Organisation, PlatformRole, User, WorkingGroup
from council.extensions import db
from council.notifications import digests
from council.notifications.models import EmailMode
from council.tracker import services
from council.tracker.models import RecommendationSource
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

DESK = {"width": 1366, "height": 900}
QUESTION = "Näme üçin Temirbaba postunda elektron nobat işlemeýär? Haçan açylar?"
ANSWER = "Бағдарламалық жасақтама 15 қарашада орнатылады, кезек желтоқсанда іске қосылады."


def tr(page: Page, message: str) -> str:
    return translated(page.locator("html").get_attribute("lang") or "ru", message)


@dataclass(frozen=True)
class Stuck:
    recommendation_id: int
    commitment_id: int
    counterpart_id: int
    code: str
    member_email: str
    member_name: str


@pytest.fixture
def stuck(live_server: LiveServer) -> Iterator[Stuck]:
    """A trade recommendation whose Kazakh commitment (customs) is blocked, with a Turkmen counterpart,
    and a Kazakh member of customs who reads Council in Kazakh (made by the services)."""
    marker = uuid.uuid4().hex[:6]
    with live_server.app_context():
        secretary = db.session.scalar(select(User).where(User.email == ACCOUNTS["secretary"]))
        trade = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == "trade"))
        customs = db.session.scalar(select(Organisation).where(Organisation.code == "kz-customs"))
        tm_customs = db.session.scalar(select(Organisation).where(Organisation.code == "tm-customs"))
        assert secretary and trade and customs and tm_customs
        member = User(email=f"aigerim.{marker}@council-demo.org", name=f"Әйгерім Нұрланқызы {marker}",
                      council_id=secretary.council_id, organisation_id=customs.id, role=PlatformRole.MEMBER,
                      language="kk", time_zone="Asia/Aqtau", position="Кеден бекетінің маманы",
                      password_hash=hash_password(DEMO_PASSWORD))
        db.session.add(member)
        db.session.flush()
        db.session.add(Membership(group_id=trade.id, user_id=member.id, role=GroupRole.MEMBER))
        code = f"TRD-2032-{int(marker, 16) % 1000:03d}"
        recommendation = services.create_recommendation(
            secretary, trade, code=code, title={"ru": "Электронная очередь на Темир-Баба – Гарабогаз"},
            text={"ru": "Ввести электронную очередь грузовиков на обоих постах."}, original_language="ru",
            source=RecommendationSource.GROUP_MEETING, source_reference=None)
        services.change_recommendation_status(secretary, recommendation, "adopted")
        due = datetime.now(UTC).date() + timedelta(days=30)
        turkmen = services.create_commitment(
            secretary, recommendation, organisation=tm_customs, owner=None,
            description={"ru": "Электронная очередь на посту Гарабогаз."}, original_language="ru",
            start_date=None, due_date=due)
        kazakh = services.create_commitment(
            secretary, recommendation, organisation=customs, owner=member,
            description={"ru": "Электронная очередь на посту Темир-Баба."}, original_language="ru",
            start_date=None, due_date=due, counterpart=turkmen)
        services.report_progress(member, kazakh, progress=20, status="blocked",
                                 note="Нет программного обеспечения.")
        db.session.commit()
        found = Stuck(recommendation.id, kazakh.id, turkmen.id, kazakh.code, member.email, member.name)
        db.session.remove()
    yield found
    with live_server.app_context():  # the member goes (the records stay, like every journey's)
        person = db.session.scalar(select(User).where(User.email == found.member_email))
        assert person is not None
        person.active = False
        db.session.commit()
        db.session.remove()


def thread(page: Page) -> Any:
    return page.locator("section.thread").first


def test_a_turkmen_co_chair_asks_the_kazakh_side_and_a_kazakh_member_answers(
        new_page: Pages, live_server: LiveServer, stuck: Stuck) -> None:
    # The Turkmen co-chair (interface in Turkmen) finds the blocked Kazakh commitment on the
    # two-country view and asks the Kazakh side about it.
    chair = new_page("cochair_tm", viewport=DESK)
    chair.goto(f"/tracker/recommendations/{stuck.recommendation_id}")
    assert chair.locator("html").get_attribute("lang") == "tk"
    kazakh_row = chair.locator(".two-sides .side tbody tr",
                               has=chair.locator("span.code", has_text=stuck.code))
    expect(kazakh_row).to_contain_text(tr(chair, "Blocked"))
    with chair.expect_navigation():
        kazakh_row.locator("a[href$='/ask']").click()
    expect(chair.locator("h1")).to_have_text(tr(chair, "Ask the other side"))
    assert chair.locator("#organisation_id option").count() == 1  # only the Kazakh side is asked
    expect(chair.locator("#language")).to_have_value("tk")
    screenshot(chair, "conversations-ask-tk-1366")
    chair.set_viewport_size(MOBILE)
    screenshot(chair, "conversations-ask-tk-390")
    assert horizontal_overflow(chair) == 0
    assert axe_violations(chair) == []
    chair.set_viewport_size(DESK)
    chair.locator("#text").fill(QUESTION)
    follow(chair, "main form button[type=submit]:not(.find-people)")
    expect(chair.locator(".flash-success")).to_have_text(tr(chair, "Question sent to the other side."))
    assert f"/commitments/{stuck.commitment_id}" in chair.url
    question = thread(chair).locator("article.question")
    expect(question).to_contain_text(QUESTION)
    expect(question.locator(".badge.overdue")).to_have_text(tr(chair, "Open question"))

    # A Kazakh member of customs (interface in Kazakh) sees it on the home page and answers in Kazakh.
    member = new_page(stuck.member_email, viewport=DESK)
    member.goto("/")
    assert member.locator("html").get_attribute("lang") == "kk"
    waiting = member.locator("section[aria-labelledby=home-questions] li", has_text=QUESTION[:40])
    expect(waiting).to_have_count(1)
    follow(member, f"section[aria-labelledby=home-questions] li:has-text('{QUESTION[:40]}') a")
    expect(thread(member).locator("article.question")).to_contain_text(QUESTION)
    # The question is in Turkmen, shown to a Kazakh reader with the compact language mark.
    mark = thread(member).locator("article.question .lang-mark")
    expect(mark).to_be_visible()
    expect(mark.locator("[aria-hidden=true]")).to_have_text("TK")
    form = thread(member).locator("form.comment-form")
    form.locator("textarea").fill(ANSWER)
    expect(form.locator("select[name$=language]")).to_have_value("kk")
    # The @ picker offers the record's people (the group's co-chairs among them), never the whole council.
    picker = form.locator(".mention-list")
    expect(picker.locator(".mention-choice", has_text="Merdan Annaýew")).to_have_count(1)
    expect(picker).not_to_contain_text("Maral Gurbanowa")
    assert picker.locator(".mention-choice").count() <= 12
    picker.locator(".mention-choice", has_text="Merdan Annaýew").locator("input[type=checkbox]").check()
    # Anyone else is found by typing part of a name (Turkmen, in another case): added, ticked stay.
    form.locator("input[type=search][name$=find]").fill("GURBAN")
    found = picker.locator(".mention-choice", has_text="Maral Gurbanowa")
    expect(found).to_have_count(1)
    expect(form.locator(".mention-status")).to_contain_text("GURBAN")
    expect(picker).not_to_contain_text("@")
    found.locator("input[type=checkbox]").check()
    form.locator("input[type=search][name$=find]").fill("merdan annaýew")
    expect(form.locator(".mention-status")).to_contain_text("merdan annaýew")
    expect(found.locator("input[type=checkbox]")).to_be_checked()  # ticked: kept through a new search
    follow(member, "form.comment-form button[type=submit]:not(.find-people)")
    expect(member.locator(".flash-success")).to_have_text(tr(member, "Comment added."))
    expect(thread(member)).to_contain_text(ANSWER)
    mentions = thread(member).locator("article.comment", has_text=ANSWER).locator(".mentions")
    expect(mentions).to_contain_text("Merdan Annaýew")
    expect(mentions).to_contain_text("Maral Gurbanowa")
    # Only the asker or a co-chair marks a question answered: not the member.
    expect(thread(member).locator("form[action$='/answered']")).to_have_count(0)
    screenshot(member, "conversations-thread-kk-1366")
    member.set_viewport_size(MOBILE)
    screenshot(member, "conversations-thread-kk-390")
    assert horizontal_overflow(member) == 0

    # The Kazakh member's own ask form (to the Turkmen counterpart), in Kazakh at both widths.
    member.set_viewport_size(DESK)
    member.goto(f"/commitments/{stuck.counterpart_id}/ask")
    expect(member.locator("h1")).to_have_text(tr(member, "Ask the other side"))
    screenshot(member, "conversations-ask-kk-1366")
    member.set_viewport_size(MOBILE)
    screenshot(member, "conversations-ask-kk-390")
    assert horizontal_overflow(member) == 0
    assert axe_violations(member) == []
    member.set_viewport_size(DESK)

    # The co-chair reads the answer on the record and marks the question answered.
    chair.reload()
    expect(thread(chair).locator("article.comment", has_text=ANSWER)).to_contain_text(stuck.member_name)
    follow(chair, "section.thread form[action$='/answered'] button")
    expect(chair.locator(".flash-success")).to_have_text(tr(chair, "Question marked answered."))
    expect(thread(chair).locator("article.question")).to_contain_text(tr(chair, "Answered"))
    expect(thread(chair).locator("form[action$='/answered']")).to_have_count(0)
    screenshot(chair, "conversations-thread-tk-1366")
    chair.set_viewport_size(MOBILE)
    screenshot(chair, "conversations-thread-tk-390")
    assert horizontal_overflow(chair) == 0
    assert axe_violations(chair) == []

    # The member sees it answered on the record, and it has left their home page.
    member.goto(f"/tracker/commitments/{stuck.commitment_id}")
    expect(thread(member).locator("article.question")).to_contain_text(tr(member, "Answered"))
    member.goto("/")
    expect(member.locator("section[aria-labelledby=home-questions] li", has_text=QUESTION[:40])) \
        .to_have_count(0)

    # Both find the conversation in their digest, in their own language.
    with live_server.app_context(), live_server.app.test_request_context(base_url=live_server.url):
        question_id = db.session.scalar(select(Comment.id).where(
            Comment.record_id == stuck.commitment_id, Comment.question_state.is_not(None)))
        letters = {}
        for email in (ACCOUNTS["cochair_tm"], stuck.member_email):
            person = db.session.scalar(select(User).where(User.email == email))
            assert person is not None
            letter = digests.preview(person, EmailMode.DAILY)
            assert letter is not None, email
            letters[person.language] = letter
        db.session.remove()
    _subject, text, html = letters["kk"]
    assert translated("kk", "Conversations") in text
    assert QUESTION[:40] in text and QUESTION[:40] in html
    assert f"/comments/{question_id}" in text
    _subject, text, html = letters["tk"]
    assert translated("tk", "Conversations") in text
    assert ANSWER[:40] in text and ANSWER[:40] in html


def test_without_javascript_the_member_finds_someone_to_mention_and_keeps_the_draft(
        new_page: Pages, live_server: LiveServer, stuck: Stuck) -> None:
    member = new_page(stuck.member_email, viewport=DESK, javascript=False)
    new_page.watch(member).allow(r"status of 422")
    member.goto(f"/tracker/commitments/{stuck.commitment_id}")
    form = thread(member).locator("form.comment-form")
    form.locator("textarea").fill(ANSWER)
    form.locator("input[type=search][name$=find]").fill("g")
    # Enter in the search box presses "Find people" (the form's first button): too short, named.
    with member.expect_navigation():
        form.locator("input[type=search][name$=find]").press("Enter")
    form = thread(member).locator("form.comment-form")
    search = form.locator("input[type=search][name$=find]")
    search_id = search.get_attribute("id") or ""
    expect(member.locator(".error-summary a")).to_have_attribute("href", f"#{search_id}")
    expect(search).to_have_attribute("aria-invalid", "true")
    search.fill("GURBAN")
    with member.expect_navigation():
        form.locator("button.find-people").click()
    form = thread(member).locator("form.comment-form")
    expect(form.locator("textarea")).to_have_value(ANSWER)  # what was typed stays
    expect(form.locator(".mention-status")).to_contain_text("GURBAN")
    found = form.locator(".mention-choice", has_text="Maral Gurbanowa")
    found.locator("input[type=checkbox]").check()
    # (No axe-core here: it runs as the page's script, which this browser does not run.)
    screenshot(member, "conversations-find-people-nojs-kk-1366")
    follow(member, "form.comment-form button[type=submit]:not(.find-people)")
    expect(member.locator(".flash-success")).to_have_text(tr(member, "Comment added."))
    expect(thread(member).locator("article.comment", has_text=ANSWER).locator(".mentions")) \
        .to_contain_text("Maral Gurbanowa")
