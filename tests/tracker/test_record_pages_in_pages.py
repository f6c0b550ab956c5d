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


def test_an_indicator_shows_its_latest_values_and_measures_progress_by_the_latest(client, auth, world):
    from datetime import date, timedelta
    from decimal import Decimal

    from council.tracker.models import Observation
    from tests.factories import IndicatorFactory

    indicator = IndicatorFactory(council=world.council, baseline_value=Decimal(0), target_value=Decimal(100))
    first = date(2026, 1, 1)
    for day in range(30):  # 1, 2, … 30 on thirty days: the latest value is 30, 30 % of the way
        db.session.add(Observation(indicator_id=indicator.id, observed_on=first + timedelta(days=day),
                                   value=Decimal(day + 1), source=f"Customs, day {day + 1}"))
    db.session.commit()
    auth.login(world.secretary)
    address = f"/tracker/indicators/{indicator.id}"
    latest = page_text(client.get(address))
    days = [int(number) for number in re.findall(r"Customs, day (\d+)", latest)]
    assert days == list(range(30, 5, -1))  # 25 rows
    earlier_link = f'href="{address}?observations=2#observations-heading" rel="next">Earlier observations</a>'
    assert earlier_link in latest
    earlier = page_text(client.get(f"{address}?observations=2"))
    assert [int(number) for number in re.findall(r"Customs, day (\d+)", earlier)] == [5, 4, 3, 2, 1]
    # The way towards the target is the latest value's, on every page.
    towards = re.compile(r"Towards the target</dt><dd>(.*?)</dd>", re.S)
    assert towards.search(latest).group(1) == towards.search(earlier).group(1)
    assert "30" in towards.search(latest).group(1)
