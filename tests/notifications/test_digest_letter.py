"""The digest reads as a letter: what needs the reader first, then one line per record that changed
(grouped by working group, in its current state), then the meetings ahead; long sections end with
"and N more" linking to the site; the text and the HTML part say the same, in the reader's language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import time_machine
from flask_babel import force_locale, gettext

from council.extensions import db
from council.notifications import digests
from council.notifications.models import EmailMode, NotificationPreference
from council.notifications.sections import SECTIONS
from council.tracker import services as tracker
from council.tracker.models import CommitmentStatus, RecommendationSource
from tests.dashboard.test_query_counts import counted
from tests.factories import CommitmentFactory
from tests.meetings.conftest import Meetings
from tests.notifications.conftest import mail_to, plain, subject
from tests.notifications.happenings import recommendation

MORNING = datetime(2026, 11, 25, 2, 5, tzinfo=UTC)  # 07:05 in Aqtau
YESTERDAY = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 25)


def on_digest(person) -> None:
    db.session.merge(NotificationPreference(user_id=person.id, email_mode=EmailMode.DAILY))
    db.session.commit()


def new_recommendation(world, code: str, title: str):
    made = tracker.create_recommendation(
        world.tm_chair, world.group, code=code, title={"en": title}, text={"en": "Do it."},
        original_language="en", source=RecommendationSource.COUNCIL_SESSION, source_reference=None)
    db.session.commit()
    return made


def a_morning_of_a_co_chair(world) -> None:
    """Minutes to approve, a report to verify, one overdue and one due-soon commitment of the Kazakh
    co-chair; news of a recommendation; a meeting next week."""
    with time_machine.travel(YESTERDAY, tick=False):
        meetings = Meetings(world)
        meetings.published_minutes(title={"en": "Trade group, November", "ru": "Торговля, ноябрь"},
                                   original_language="en")
        meetings.published(title={"en": "Trade group, December"}, original_language="en")
        for code, due, status in (
                ("TRD-2026-004-KZ1", TODAY - timedelta(days=3), CommitmentStatus.IN_PROGRESS),
                ("TRD-2026-004-KZ2", TODAY + timedelta(days=5), CommitmentStatus.PLANNED)):
            CommitmentFactory(recommendation=recommendation(world), code=code, due_date=due, status=status,
                              organisation=world.kz_org, owner=world.kz_chair,
                              description={"en": f"Queue screens, part {code[-1]}"})
        CommitmentFactory(recommendation=recommendation(world), code="TRD-2026-004-TM1",
                          organisation=world.tm_org, status=CommitmentStatus.REPORTED_DONE, progress=100,
                          description={"en": "Queue at Farap"})
        db.session.commit()
        new_recommendation(world, "TRD-2026-010", "Joint phytosanitary lab")


def a_question_of_the_other_side(world) -> None:
    """The Turkmen co-chair asks the Kazakh side about its overdue commitment, mentioning its co-chair."""
    from sqlalchemy import select

    from council.conversations import services as conversations
    from council.conversations.records import ref_of
    from council.tracker.models import Commitment

    with time_machine.travel(YESTERDAY, tick=False):
        commitment = db.session.scalar(select(Commitment).where(Commitment.code == "TRD-2026-004-KZ1"))
        conversations.add_comment(world.tm_chair, ref_of(commitment), text="Näme üçin gijikdi?",
                                  language="tk", organisation_id=world.kz_org.id, question=True,
                                  mentions=[world.kz_chair.id])
        db.session.commit()


def lines_of_text(text: str) -> list[str]:
    return [line.strip(" =-") if line.startswith(("== ", "-- ")) else line[2:].strip()
            for line in plain(text).splitlines() if line.startswith(("- ", "== ", "-- "))]


def lines_of_html(html: str) -> list[str]:
    found = re.findall(r"<(li|h2|h3)[^>]*>(.*?)</\1>", html, re.S)
    return [" ".join(plain(unescape(re.sub(r"<[^>]+>", "", body))).split()) for _tag, body in found]


def test_a_digest_opens_with_what_needs_the_reader(world, mail_sink):
    on_digest(world.kz_chair)
    a_morning_of_a_co_chair(world)
    digests.plan(MORNING)
    [message] = mail_to(mail_sink, "kz.chair@example.org")
    text = plain(mail_sink.text_of(message))
    assert "items for you" not in text
    assert "Hello, Yerlan Chair!\n\n4 things need you. Below them: what changed since November 24, 2026, " \
           "and the meetings ahead." in text.replace("\r", "")
    titles = ["Minutes waiting for your approval", "Waiting for your verification",
              "Overdue: yours and your organisation's", "Due in the next 14 days",
              "What changed in your working groups and commitments", "Meetings ahead"]
    places = [text.index(f"== {title} ==") for title in titles]
    assert places == sorted(places), text
    assert "- Trade group, November — " in text
    assert "- Queue at Farap — TRD-2026-004-TM1 · Organisation " in text
    assert "- Queue screens, part 1 — TRD-2026-004-KZ1 · Organisation mangystau-akimat · due November 22, " \
           "2026, 3 days overdue" in text
    assert "- Queue screens, part 2 — TRD-2026-004-KZ2 · Organisation mangystau-akimat · due November 30, " \
           "2026 (in 5 days)" in text
    assert "-- Trade --" in text
    assert "- TRD-2026-010 Joint phytosanitary lab — Proposed · New record" in text
    assert "- Trade group, December — " in text.split("== Meetings ahead ==")[1]
    assert "Minutes waiting for your approval: " not in text  # the request is not news as well


def test_the_text_and_the_html_part_carry_the_same_lines(world, mail_sink):
    on_digest(world.kz_chair)
    a_morning_of_a_co_chair(world)
    digests.plan(MORNING)
    [message] = mail_to(mail_sink, "kz.chair@example.org")
    text_lines = lines_of_text(mail_sink.text_of(message))
    assert len(text_lines) >= 12
    assert text_lines == lines_of_html(mail_sink.html_of(message))


def test_a_busy_record_is_one_line_in_its_current_state(world, mail_sink):
    """Created, adopted and given commitments the same day: one line, adopted, saying what changed."""
    on_digest(world.tm_member)
    with time_machine.travel(YESTERDAY, tick=False):
        made = new_recommendation(world, "TRD-2026-009", "Joint veterinary posts")
        tracker.change_recommendation_status(world.kz_chair, made, "adopted")
        db.session.commit()
        for organisation, owner, chair in ((world.kz_org, world.member, world.kz_chair),
                                           (world.tm_org, world.tm_member, world.tm_chair)):
            tracker.create_commitment(chair, made, organisation=organisation, owner=owner,
                                      description={"en": f"Post of {organisation.code}"},
                                      original_language="en", start_date=None, due_date=date(2027, 1, 31))
        db.session.commit()
    digests.plan(MORNING)
    [message] = mail_to(mail_sink, "tm.member@example.org")
    text = plain(mail_sink.text_of(message))
    assert text.count("TRD-2026-009 Joint veterinary posts") == 1, text
    assert "- TRD-2026-009 Joint veterinary posts — Adopted · New record; Proposed → Adopted" in text
    assert "New recommendation" not in text and "New commitment" not in text
    assert re.search(r"- Post of \S+ \(TRD-2026-009-\S+\) — Planned, 0%, due January 31, 2027 · New record",
                     text), text
    html = plain(mail_sink.html_of(message))
    assert html.count("TRD-2026-009 Joint veterinary posts") == 1


def test_long_sections_end_with_and_n_more_linking_to_the_site(world, mail_sink):
    on_digest(world.member)
    with time_machine.travel(YESTERDAY, tick=False):
        for number in range(12):
            CommitmentFactory(recommendation=recommendation(world), code=f"TRD-2026-004-KZ{number + 10}",
                              organisation=world.kz_org, owner=world.member,
                              status=CommitmentStatus.IN_PROGRESS,
                              due_date=TODAY - timedelta(days=number + 1))
            new_recommendation(world, f"TRD-2026-1{number:02d}", f"Recommendation {number}")
    digests.plan(MORNING)
    [message] = mail_to(mail_sink, "member@example.org")
    text, html = plain(mail_sink.text_of(message)), plain(mail_sink.html_of(message))
    overdue = text.split("== Overdue: yours and your organisation's ==")[1].split("==")[0]
    assert overdue.count("days overdue") + overdue.count("day overdue") == 8
    assert "… and 4 more: http://council.test/home" in overdue
    changed = text.split("== What changed in your working groups and commitments ==")[1]
    assert changed.count("— Proposed · New record") == 10
    assert "… and 2 more: http://council.test/notifications" in changed
    assert '<a href="http://council.test/home">and 4 more</a>' in html
    assert '<a href="http://council.test/notifications">and 2 more</a>' in html
    assert "12 things need you." in text


def test_a_kazakh_reader_s_digest_is_in_kazakh(world, mail_sink):
    world.kz_chair.language = "kk"
    db.session.commit()
    on_digest(world.kz_chair)
    a_morning_of_a_co_chair(world)
    a_question_of_the_other_side(world)
    digests.plan(MORNING)
    [message] = mail_to(mail_sink, "kz.chair@example.org")
    text, html = plain(mail_sink.text_of(message)), plain(mail_sink.html_of(message))
    assert subject(message).startswith("Кеңес: жиынтық шолуыңыз")
    with force_locale("kk"):
        words = [str(section.title) for section in SECTIONS.values()]
        words += [gettext("Hello, %(name)s!", name="Yerlan Chair"), gettext("New record"),
                  gettext("Open Council")]
    for kazakh in words:
        assert kazakh in text and kazakh in html, kazakh
    assert "5 іс сізді күтіп тұр. Төменде: 2026 ж. 24 қараша бері не өзгерді" in text
    for english in ("things need you", "What changed", "Meetings ahead", "New record", "Hello", "overdue"):
        assert english not in text and english not in html, english


def test_a_digest_reads_as_many_queries_however_much_there_is(app, world):
    """Composing a digest issues a fixed number of queries per person: none per line."""
    on_digest(world.kz_chair)

    def queries() -> int:
        window = digests.window_for(world.kz_chair, EmailMode.DAILY, MORNING)
        with counted() as statements:
            assert digests.compose(world.kz_chair, window) is not None
        return len(statements)

    a_morning_of_a_co_chair(world)
    few = queries()
    with time_machine.travel(YESTERDAY, tick=False):
        for number in range(15):
            CommitmentFactory(recommendation=recommendation(world), organisation=world.kz_org,
                              owner=world.kz_chair, due_date=TODAY - timedelta(days=number + 1),
                              status=CommitmentStatus.IN_PROGRESS)
            CommitmentFactory(recommendation=recommendation(world), organisation=world.tm_org,
                              status=CommitmentStatus.REPORTED_DONE)
            new_recommendation(world, f"TRD-2026-2{number:02d}", f"More {number}")
    many = queries()
    assert many <= few + 2, (few, many)  # the counts of sections past their limit
    assert few <= 25


def test_a_digest_queued_before_the_letter_is_still_sent(app, world):
    """A digest composed by the previous release (one item per notification) renders, not a 500."""
    from council.notifications.messages import Reader
    from council.notifications.sections import digest_context

    content = {"mode": "daily", "since": YESTERDAY.isoformat(), "until": MORNING.isoformat(),
               "sections": [{"key": "changes", "total": 1, "items": [
                   {"id": 1, "kind": "meeting.cancelled", "at": YESTERDAY.isoformat(),
                    "payload": {"title": {"en": "Trade group, Q4"}}, "actor": None, "group": None}]},
                   {"key": "minutes", "total": 1, "items": [{"id": 1}]}]}
    with app.test_request_context(), force_locale("en"):
        context = digest_context(content, Reader("en", "Asia/Aqtau"))
    [section] = context["sections"]
    assert section["groups"][0]["lines"][0].text == "Meeting cancelled: Trade group, Q4"
