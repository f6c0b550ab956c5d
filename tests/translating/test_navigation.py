"""The navigation's "to translate" link from the cache (council/translating/navigation.py): there when
there is work, gone when it is done, and not asked again for a progress report."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from council.extensions import db
from council.tracker import services as tracker
from council.tracker.models import Recommendation, RecommendationSource
from council.translating import services
from tests.conftest import page_text
from tests.factories import CommitmentFactory, RecommendationFactory, WorkingGroupFactory

LINK = 'href="/translations"'
ALL_TEXTS = {"title": "Terminal", "text": "A terminal at Kuryk."}


def asked(app: Any, client: Any, url: str) -> bool:
    """Whether the page ran the translation-work check (its EXISTS over the texts)."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return any(statement.lstrip().startswith("SELECT (EXISTS") for statement in seen)


def test_the_link_follows_the_texts_and_not_the_progress(cached: Any, world: Any) -> None:
    chair = cached(world.kz_chair)
    page = "/tracker/recommendations"
    assert LINK not in page_text(chair.get(page))  # nothing of the trade group's to translate yet

    with cached.app.test_request_context():  # a new recommendation, in Russian only
        recommendation = tracker.create_recommendation(
            world.secretary, world.group, code="TRD-2026-101", title={"ru": "Терминал"},
            text={"ru": "Терминал в Курыке."}, original_language="ru",
            source=RecommendationSource.GROUP_MEETING, source_reference=None)
        db.session.commit()
        recommendation_id = recommendation.id
    assert LINK in page_text(chair.get(page))

    # A commitment of another group (whose texts are not the chair's to translate) gets a report.
    other = RecommendationFactory(group=WorkingGroupFactory(council=world.council))
    commitment = CommitmentFactory(recommendation=other, organisation=world.kz_org, owner=world.member,
                                   progress=10)
    db.session.commit()
    member = cached(world.member)
    assert not asked(cached.app, chair, page)  # from the cache
    response = member.post(f"/tracker/commitments/{commitment.id}/progress",
                           data={"progress": "60", "status": "", "note": "Half way"})
    assert response.status_code == 302
    assert not asked(cached.app, chair, page)  # a report adds no text: still from the cache

    with cached.app.test_request_context():  # every language added: nothing left to translate
        record = db.session.get(Recommendation, recommendation_id)
        for language in ("kk", "tk", "en"):
            services.add_translation(world.secretary, record, language, ALL_TEXTS)
        db.session.commit()
    assert LINK not in page_text(chair.get(page))
