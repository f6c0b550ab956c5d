"""A commitment's page with more reports and history than fit on one page: what the reader sees, and
how few statements it costs (page 1, the one the page opens on, is read once)."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from council.extensions import db
from council.tracker import services
from council.tracker.queries import HISTORY_PER_PAGE, REPORTS_PER_PAGE
from tests.conftest import page_text
from tests.dashboard.test_query_counts import counted


def reports_shown(page) -> list[int]:
    """The numbers of the reports in the page's section of progress reports, in order."""
    section = page.text.split('id="updates-heading"', 1)[1].split("</section>", 1)[0]
    return [int(number) for number in re.findall(r"Report (\d+)<", section)]


def actors_shown(page) -> list[str]:
    """Who acted, for each entry of the page's history."""
    section = page.text.split('id="history-heading"', 1)[1].split("</section>", 1)[0]
    return [html.unescape(name) for name in re.findall(r"<strong>([^<]*)</strong>", section)]


def busy(world, tracker, reports: int) -> None:
    """`reports` progress reports by the owner, each with a link, each an event of the history."""
    for number in range(1, reports + 1):
        services.report_progress(world.member, tracker.kz, progress=number, note=f"Report {number}",
                                 links=[f"https://example.org/evidence/{number}"])
        db.session.commit()


def test_page_one_of_a_busy_commitment_shows_its_latest_reports_with_their_evidence_and_authors(
        client, auth, world, tracker):
    reports = HISTORY_PER_PAGE + 5  # more than a page of history, and more than two of reports
    busy(world, tracker, reports)
    auth.login(world.secretary)
    url = f"/tracker/commitments/{tracker.kz.id}"
    with counted() as statements:
        page = client.get(url)
    assert page.status_code == 200
    text = page_text(page)
    shown = reports_shown(page)
    assert shown == list(range(reports, reports - REPORTS_PER_PAGE, -1))
    for number in shown:
        assert f"https://example.org/evidence/{number}" in page.text
    assert world.member.name in text  # who reported
    assert actors_shown(page) == [world.member.name] * HISTORY_PER_PAGE  # and who acted
    # The reports: one read of page 1 (their evidence and authors with them), one count.
    assert len([s for s in statements if re.search(r"FROM progress_update\b", s)]) == 2, statements
    assert not [s for s in statements if re.search(r"FROM evidence\b", s)]
    # The history: one read of page 1 with who acted, one count, and no read of names apart.
    assert len([s for s in statements if re.search(r"FROM event\b", s)]) == 2, statements
    assert not [s for s in statements if re.match(r'SELECT "user".id, "user".name\s+FROM', s)]


def test_the_older_pages_of_reports_and_history_still_open(client, auth, world, tracker):
    busy(world, tracker, HISTORY_PER_PAGE + 5)
    auth.login(world.secretary)
    page = client.get(f"/tracker/commitments/{tracker.kz.id}?reports=3&history=2")
    assert reports_shown(page) == list(range(HISTORY_PER_PAGE + 5 - 2 * REPORTS_PER_PAGE, 0, -1))
    assert actors_shown(page)[:5] == [world.member.name] * 5  # the first reports, then the creation
    past_the_end = client.get(f"/tracker/commitments/{tracker.kz.id}?reports=99")
    assert reports_shown(past_the_end) == reports_shown(page)


def test_a_progress_report_reads_nothing_it_already_has(client, auth, world, tracker):
    """The report's form: its commitment read with the recommendation (whose title goes into the event),
    no read of the new report's evidence or status back, the people's existing items read with their
    choices, the reminders to report settled in one statement, and the redirect written without reading
    the commitment again after the commit."""
    from council.events import Event
    from council.notifications.models import Channel, Notification

    overdue = Notification(council_id=world.council.id, recipient_id=world.member.id, channel=Channel.IN_APP,
                           kind="reminder.commitment_overdue", dedupe_key=f"commitment:{tracker.kz.id}:1")
    db.session.add(overdue)
    db.session.commit()
    auth.login(world.member)
    page = f"/tracker/commitments/{tracker.kz.id}"
    with counted() as statements:
        answer = client.post(f"{page}/progress",
                             data={"progress": "35", "status": "", "note": "Kiosks delivered", "links": ""})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(page)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert not [s for s in reads if re.search(r"FROM (recommendation|evidence|progress_update)\b", s)], reads
    assert len([s for s in reads if re.search(r"FROM commitment\b", s)]) == 1, reads
    # Who has the commitment's item of the day already is read with everyone's choices.
    assert not [s for s in reads if re.search(r"FROM notification\b", s)], reads
    assert len([s for s in statements if s.startswith("UPDATE notification") and "LIKE" in s]) == 1
    # The group's in-app and e-mail rows go in as one statement.
    assert len([s for s in statements if s.startswith("INSERT INTO notification")]) == 1, statements
    db.session.expire_all()
    reported = db.session.scalars(select(Event).where(Event.subject_id == tracker.kz.id)
                                  .order_by(Event.id.desc())).first()
    assert reported.payload["title"] == tracker.recommendation.title and reported.payload["evidence"] == 0
    assert db.session.get(Notification, overdue.id).done_at is not None


def test_a_commitment_of_an_initiative_costs_its_page_no_statement_more(client, auth, world, tracker):
    """The initiative's name comes with the commitment, in its one statement, without the initiative's
    progress (an average over its commitments the page does not show)."""
    from tests.factories import InitiativeFactory

    auth.login(world.member)
    url = f"/tracker/commitments/{tracker.kz.id}"
    client.get(url)
    with counted() as without:
        assert client.get(url).status_code == 200
    tracker.kz.initiative = InitiativeFactory(council=world.council, code="INIT-RAIL",
                                              name={"en": "Trans-Caspian railway"})
    db.session.commit()
    with counted() as statements:
        page = client.get(url)
    assert "Trans-Caspian railway" in page_text(page)
    assert len(statements) == len(without), statements
    assert not [s for s in statements if s.startswith("SELECT initiative.")], statements  # no lazy load
