"""A record page shows the latest of its progress reports (10) and of its history (20), newest first,
with links to the earlier ones: a commitment reported on every week for years stays a page one can load,
and no report or event is ever out of reach (the history used to stop at the latest 200)."""

from __future__ import annotations

import re

from council.extensions import db
from council.tracker import services
from tests.conftest import page_text


def reported(person, commitment, times: int) -> None:
    for number in range(1, times + 1):
        services.report_progress(person, commitment, progress=min(20 + number, 99), note=f"Week {number}.")
        db.session.commit()


def weeks(page: str, section: str) -> list[int]:
    """The weeks of the progress reports (or history entries) shown in one section of the page."""
    start = page.index(f'id="{section}"')
    end = page.index("</section>", start)
    return [int(number) for number in re.findall(r"Week (\d+)\.", page[start:end])]


def test_a_commitment_shows_its_latest_reports_and_links_to_the_earlier_ones(client, auth, world, tracker):
    reported(world.member, tracker.kz, 25)
    auth.login(world.member)
    address = f"/tracker/commitments/{tracker.kz.id}"
    first = page_text(client.get(address))
    assert weeks(first, "updates-heading") == list(range(25, 15, -1))
    assert "Page 1 of 3" in first
    assert f'href="{address}?reports=2#updates-heading" rel="next">Earlier progress reports</a>' in first
    assert "Later progress reports" not in first
    second = page_text(client.get(f"{address}?reports=2"))
    assert weeks(second, "updates-heading") == list(range(15, 5, -1))
    assert f'href="{address}#updates-heading" rel="prev">Later progress reports</a>' in second
    last = page_text(client.get(f"{address}?reports=3"))
    assert weeks(last, "updates-heading") == [5, 4, 3, 2, 1]
    assert f'href="{address}?reports=2#updates-heading" rel="prev"' in last
    assert "Earlier progress reports" not in last
    # Past the end: the last page; not a number: the first, and the page says what it left out.
    assert weeks(page_text(client.get(f"{address}?reports=99")), "updates-heading") == [5, 4, 3, 2, 1]
    response = client.get(f"{address}?reports=abc")
    assert response.status_code == 200
    assert weeks(page_text(response), "updates-heading") == list(range(25, 15, -1))
    assert "Not understood, so left out: reports" in page_text(response)


def test_the_history_shows_its_latest_entries_and_reaches_the_first(client, auth, world, tracker):
    reported(world.member, tracker.kz, 24)
    auth.login(world.member)
    address = f"/tracker/commitments/{tracker.kz.id}"
    first = page_text(client.get(address))
    assert weeks(first, "history-heading") == list(range(24, 4, -1))  # 20 entries
    assert f'href="{address}?history=2#history-heading" rel="next">Earlier entries</a>' in first
    second = page_text(client.get(f"{address}?history=2"))
    assert weeks(second, "history-heading") == [4, 3, 2, 1]
    assert "Page 2 of 2" in second
    # The reports' section keeps its own first page meanwhile.
    assert weeks(second, "updates-heading") == list(range(24, 14, -1))


def test_a_record_with_a_few_reports_shows_them_all_with_no_pager(client, auth, world, tracker):
    reported(world.member, tracker.kz, 3)
    auth.login(world.member)
    page = page_text(client.get(f"/tracker/commitments/{tracker.kz.id}"))
    assert weeks(page, "updates-heading") == [3, 2, 1]
    assert "Pages of the progress reports" not in page and "Pages of the history" not in page


def test_the_pagers_speak_the_reader_s_language(client, auth, world, tracker):
    reported(world.member, tracker.kz, 11)
    world.member.language = "kk"
    db.session.commit()
    auth.login(world.member)
    page = page_text(client.get(f"/tracker/commitments/{tracker.kz.id}"))
    assert "Орындалу барысы туралы ертерек есептер" in page
    assert "Earlier progress reports" not in page
