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
