"""The commitments list's rows kept in the cache (council/tracker/rows.py): each reader gets the page the
uncached app writes for them, a change shows on the next page, and only the changed row is written again.
"""

from __future__ import annotations

from typing import Any

from council.extensions import cache, db
from council.timeutil import council_today
from tests.conftest import page_text, uncached
from tests.dashboard.test_figure_cache import without_tokens

LIST = "/tracker/commitments"


def kept_row(app: Any, record: Any, language: str = "en", kind: str = "commitment") -> Any:
    """The cache's entry of one record's row: (generations, HTML)."""
    with app.app_context():
        return cache.get(f"tracker-row:{kind}:{record.id}:{language}:{council_today().isoformat()}:0")


def test_the_list_is_the_uncached_one_in_each_language_and_new_after_a_report(app, cached, world, tracker):
    world.tm_member.language = "ru"
    db.session.commit()
    readers = {"en": cached(world.member), "ru": cached(world.tm_member, "ru")}
    plain = {"en": uncached(app, world.member), "ru": uncached(app, world.tm_member, "ru")}
    for language, reader in readers.items():
        reader.get(LIST)  # fills the cache
        served = page_text(reader.get(LIST))
        assert without_tokens(served) == without_tokens(page_text(plain[language].get(LIST)))
    assert "Install queue kiosks" in page_text(readers["en"].get(LIST))
    assert "Установить терминалы очереди" in page_text(readers["ru"].get(LIST))

    other_before = kept_row(cached.app, tracker.tm)
    response = readers["en"].post(f"/tracker/commitments/{tracker.kz.id}/progress",
                                  data={"progress": "65", "status": "", "note": "Kiosks delivered"},
                                  follow_redirects=True)
    assert response.status_code == 200
    for language, reader in readers.items():
        served = page_text(reader.get(LIST))
        assert without_tokens(served) == without_tokens(page_text(plain[language].get(LIST))), language
        assert "65" in served.split(tracker.kz.code)[1].split("</tr>")[0]
    # The Turkmen commitment's row was not written again; the reported one's was.
    assert kept_row(cached.app, tracker.tm) == other_before
    assert kept_row(cached.app, tracker.kz)[0] != other_before[0]


def test_a_renamed_organisation_shows_in_every_row_at_once(app, cached, world, tracker):
    from council.directory.models import Organisation, User
    from council.directory.services import update_organisation

    reader = cached(world.member)
    assert "Port of Kuryk" not in page_text(reader.get(LIST))
    with cached.app.app_context():
        organisation = db.session.get(Organisation, world.kz_org.id)
        update_organisation(db.session.get(User, world.secretary.id), organisation, code=organisation.code,
                            kind=organisation.kind, country_code=organisation.country_code,
                            region_id=organisation.region_id, name={"en": "Port of Kuryk"},
                            original_language="en", website=organisation.website)
        db.session.commit()
    served = page_text(reader.get(LIST))
    assert "Port of Kuryk" in served.split(tracker.kz.code)[1].split("</tr>")[0]
    assert without_tokens(served) == without_tokens(page_text(uncached(app, world.member).get(LIST)))


def test_a_recommendation_s_row_is_new_after_a_report_on_one_of_its_commitments(app, cached, world, tracker):
    """Its progress is the average of its commitments': a report on one moves its row, not the others'."""
    url = "/tracker/recommendations"
    reader = cached(world.member)
    before = page_text(reader.get(url))
    assert "50%" in before.split(f">{tracker.recommendation.code}<")[1].split("</tr>")[0]  # (20 + 80) / 2
    other_before = kept_row(cached.app, tracker.proposed, kind="recommendation")
    response = reader.post(f"/tracker/commitments/{tracker.kz.id}/progress",
                           data={"progress": "60", "status": "", "note": "Kiosks delivered"},
                           follow_redirects=True)
    assert response.status_code == 200
    served = page_text(reader.get(url))
    assert "70%" in served.split(f">{tracker.recommendation.code}<")[1].split("</tr>")[0]  # (60 + 80) / 2
    assert without_tokens(served) == without_tokens(page_text(uncached(app, world.member).get(url)))
    assert kept_row(cached.app, tracker.proposed, kind="recommendation") == other_before


def test_a_page_whose_rows_are_kept_reads_none_of_its_records(app, cached, world, tracker):
    """The list finds its page's ids, then reads with their joins only the records whose rows are
    written again: none when every row is kept, the reported one's after a report."""
    from tests.dashboard.test_query_counts import counted

    reader = cached(world.member)

    def records_read() -> list[str]:
        with cached.app.app_context(), counted() as statements:
            assert reader.get(LIST).status_code == 200
        return [statement for statement in statements if "commitment.description" in statement]

    assert len(records_read()) == 1  # the first page: every row written
    assert records_read() == []      # every row kept
    reader.post(f"/tracker/commitments/{tracker.kz.id}/progress",
                data={"progress": "65", "status": "", "note": "Kiosks delivered"})
    assert len(records_read()) == 1


def test_a_record_gone_since_its_id_was_read_has_no_row_and_nothing_kept(cached, world, tracker):
    """Between the page's ids and the read of its records another person may remove one, or move it out
    of the list's filters: the page leaves its row out and keeps nothing for it."""
    from council.tracker.rows import commitment_rows
    from council.web import PageRecords

    cached(world.member)  # the app's cache in use
    with cached.app.test_request_context("/tracker/commitments", headers={"Accept-Language": "en"}):
        from council.tracker.models import Commitment

        still_there = [db.session.get(Commitment, tracker.tm.id)]
        page = PageRecords([tracker.kz.id, tracker.tm.id], lambda wanted: [
            record for record in still_there if record.id in wanted])
        rows = str(commitment_rows(world.council.id, page, council_today()))
    assert rows.count("<tr") == 1 and tracker.tm.code in rows and tracker.kz.code not in rows
    assert kept_row(cached.app, tracker.kz) is None
    assert kept_row(cached.app, tracker.tm) is not None


def test_a_narrowed_list_s_total_is_kept_and_new_after_a_change(app, cached, world, tracker):
    """The overdue commitments counted once, then kept, also after a progress report; a report of
    completion changes the total at once."""
    from tests.dashboard.test_query_counts import counted

    url = "/tracker/commitments?overdue=1"
    reader = cached(world.member)

    def total_and_counts() -> tuple[str, int]:
        with cached.app.app_context(), counted() as statements:
            served = page_text(reader.get(url))
        return served, sum("count(*)" in statement for statement in statements if "commitment" in statement)

    served, counts = total_and_counts()
    assert "1 commitment" in served and counts == 1
    served, counts = total_and_counts()
    assert "1 commitment" in served and counts == 0  # kept
    response = reader.post(f"/tracker/commitments/{tracker.kz.id}/progress",
                           data={"progress": "70", "status": "", "note": "Half the kiosks"})
    assert response.status_code == 302
    served, counts = total_and_counts()
    assert "1 commitment" in served and counts == 0  # a report alone moves no commitment in or out
    response = reader.post(f"/tracker/commitments/{tracker.kz.id}/progress",
                           data={"progress": "100", "status": "reported_done", "note": "Kiosks in place"},
                           follow_redirects=True)
    assert response.status_code == 200
    served, counts = total_and_counts()
    assert without_tokens(served) == without_tokens(page_text(uncached(app, world.member).get(url)))
    assert "0 commitments" in served and counts == 1
