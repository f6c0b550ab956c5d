"""The lists' filter bar from the cache (council/tracker/filter_choices.py): the same choices as without
it, in the reader's language, and new at once after a change that could alter them."""

from __future__ import annotations

import re

from sqlalchemy import event

from council.extensions import db
from tests.conftest import page_text, uncached
from tests.tracker.test_views import commitment_form

LIST = "/tracker/commitments"
OWNERS = re.compile(r'<select[^>]*name="owner".*?</select>', re.S)
ORGANISATIONS = re.compile(r'<select[^>]*name="organisation".*?</select>', re.S)
GROUPS = re.compile(r'<select[^>]*name="group".*?</select>', re.S)


def bar(html: str) -> tuple[str, str, str]:
    return tuple(pattern.search(html).group(0) for pattern in (GROUPS, ORGANISATIONS, OWNERS))  # type: ignore[return-value]


class OwnerQueries:
    """Counts the statements that look for the people who own commitments (the owners' choices)."""

    def __init__(self, app) -> None:
        with app.app_context():
            self.engine = db.engine
        self.count = 0

    def _seen(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.count += "commitment.owner_id = " in statement and "EXISTS" in statement

    def __enter__(self) -> OwnerQueries:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


def test_the_bar_is_what_the_uncached_app_shows_in_each_language(app, cached, world, tracker):
    for language in ("en", "ru", "kk", "tk"):
        world.member.language = language  # the reader's own choice, taken at sign-in
        db.session.commit()
        reader, plain = cached(world.member), uncached(app, world.member)
        for _ in range(2):  # the second from the cache
            assert bar(page_text(reader.get(LIST))) == bar(page_text(plain.get(LIST))), language
        if language == "kk":
            assert "Сауда" in bar(page_text(reader.get(LIST)))[0]


def test_a_report_keeps_the_bar_cached_and_a_new_owner_or_name_shows_at_once(cached, world, tracker):
    secretary, member = cached(world.secretary), cached(world.member)
    assert "Yerlan Chair" not in bar(page_text(secretary.get(LIST)))[2]  # he owns nothing yet
    with OwnerQueries(cached.app) as seen:
        secretary.get(LIST)
        response = member.post(f"/tracker/commitments/{tracker.kz.id}/progress",
                               data={"progress": "35", "status": "", "note": "Kiosks ordered"})
        assert response.status_code == 302
        assert "Nurlan Member" in bar(page_text(secretary.get(LIST)))[2]
    assert seen.count == 0, "a progress report changes no choice: the bar stays in the cache"

    # The secretary gives the Kazakh commitment to the co-chair: he is an owner on the next page.
    response = secretary.post(f"/tracker/commitments/{tracker.kz.id}/edit", data=commitment_form(
        world, owner_id=str(world.kz_chair.id), code=tracker.kz.code, due_date=str(tracker.kz.due_date)))
    assert response.status_code == 302, page_text(response)
    owners = bar(page_text(member.get(LIST)))[2]
    assert "Yerlan Chair" in owners and "Nurlan Member" not in owners

    # A new organisation's name, in the organisations' choices at once.
    response = secretary.post("/organisations/new", data={
        "name-ru": "Порт Курык", "name-en": "Port of Kuryk", "original_language": "ru", "code": "kuryk-port",
        "kind": "business", "country_code": "KZ", "region_id": "", "website": ""})
    assert response.status_code == 302, page_text(response)
    assert "Port of Kuryk" in bar(page_text(member.get(LIST)))[1]


def test_the_commitments_list_reads_the_groups_only_to_write_its_bar_anew(cached, world, tracker):
    """The groups are read to write the bar's group choices; while the bar is kept, the commitments
    list reads none (the recommendations list still does: it asks which groups the reader manages)."""
    reader = cached(world.member)
    with cached.app.app_context():
        engine = db.engine
    statements: list[str] = []

    def seen(conn, cursor, statement, *rest) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        reader.get(LIST)
        first = [statement for statement in statements if "FROM working_group" in statement]
        statements.clear()
        groups = bar(page_text(reader.get(LIST)))[0]
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert first  # the bar written: the groups read
    assert not [statement for statement in statements if "FROM working_group" in statement]
    assert world.group.code in groups  # and the kept bar still offers them
