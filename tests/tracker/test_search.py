"""The lists' free-text search (council/tracker/search.py): found through the trigram index, case-folded
in every language, kept in step with edits, and counted only so far."""

from __future__ import annotations

import pytest

from council.extensions import db
from tests.conftest import page_text
from tests.factories import CommitmentFactory, RecommendationFactory

COMMITMENTS = "/tracker/commitments"


@pytest.fixture
def texts(world):
    recommendation = RecommendationFactory(group=world.group, code="ECO-2026-007",
                                           title={"kk": "Каспий жағалауын ҚОРҒАУ", "en": "Coast"})
    kazakh = CommitmentFactory(recommendation=recommendation, organisation=world.kz_org, code="KZ-ӘУЕ-1",
                               description={"kk": "Әуежай ТЕРМИНАЛЫН салу", "en": "Build a terminal"})
    turkmen = CommitmentFactory(recommendation=recommendation, organisation=world.tm_org,
                                owner=world.tm_member, code="TM-ÝOL-1",
                                description={"tk": "Şäherde ÝÖL gurmak", "en": "Build a road"})
    db.session.commit()
    return kazakh, turkmen


def found(client, words: str) -> set[str]:
    text = page_text(client.get(COMMITMENTS, query_string={"q": words}))
    return {code for code in ("KZ-ӘУЕ-1", "TM-ÝOL-1") if code in text}


def test_search_is_case_folded_in_kazakh_and_turkmen(client, auth, world, texts):
    auth.login(world.member)
    assert found(client, "әуежай терминалын") == {"KZ-ӘУЕ-1"}
    assert found(client, "ӘУЕЖАЙ") == {"KZ-ӘУЕ-1"}
    assert found(client, "şäherde ýöl") == {"TM-ÝOL-1"}
    assert found(client, "ŞÄHERDE") == {"TM-ÝOL-1"}
    assert found(client, "ýö") == {"TM-ÝOL-1"}  # two letters: no trigram, the rows are read
    assert found(client, "қорғау") == {"KZ-ӘУЕ-1", "TM-ÝOL-1"}  # their recommendation's title
    assert found(client, "build a") == {"KZ-ӘУЕ-1", "TM-ÝOL-1"}
    assert found(client, "нет такого") == set()


def test_search_finds_the_organisation_and_the_owner(client, auth, world, texts):
    auth.login(world.member)
    assert found(client, world.tm_member.name.upper()) == {"TM-ÝOL-1"}
    organisation = world.kz_org.name["ru"] if isinstance(world.kz_org.name, dict) else world.kz_org.name
    assert "KZ-ӘУЕ-1" in found(client, organisation.casefold())


def test_an_edited_text_is_found_by_its_new_words_only(client, auth, world, texts):
    kazakh, _ = texts
    kazakh.description = {"kk": "Жаңа айлақ", "en": "A new harbour"}
    db.session.commit()
    auth.login(world.member)
    assert found(client, "терминал") == set()
    assert found(client, "ЖАҢА АЙЛАҚ") == {"KZ-ӘУЕ-1"}
    db.session.delete(kazakh)
    db.session.commit()
    assert found(client, "жаңа айлақ") == set()


@pytest.mark.parametrize("words", ['"', '""', "50%", "a_b", "*", "NEAR(", "'; --", "x" * 500])
def test_any_search_is_answered(client, auth, world, texts, words):
    auth.login(world.member)
    assert client.get(COMMITMENTS, query_string={"q": words}).status_code == 200
    assert client.get("/tracker/recommendations", query_string={"q": words}).status_code == 200


def test_a_search_counts_only_so_far(client, auth, world, texts, monkeypatch):
    from council.tracker import views

    auth.login(world.member)
    assert "2 commitments" in page_text(client.get(COMMITMENTS, query_string={"q": "build"}))
    monkeypatch.setattr(views, "SEARCH_COUNT_LIMIT", 1)
    text = page_text(client.get(COMMITMENTS, query_string={"q": "build"}))
    assert "More than 1 commitment" in text
    assert "KZ-ӘУЕ-1" in text or "TM-ÝOL-1" in text
    assert "More than 1 recommendation" not in page_text(
        client.get("/tracker/recommendations", query_string={"q": "coast"}))


def test_the_migration_makes_and_removes_the_index(tmp_path):
    """Up, a search finds through the index; down, no trigger is left on the table to break its next
    change (SQLite checks a table's triggers when it is altered)."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from council import create_app
    from tests.conftest import scratch_database_url, settings_for
    from tests.test_migrations import MIGRATIONS

    migrated = create_app(settings_for(scratch_database_url(tmp_path, "search"), smtp_port=0))
    with migrated.app_context():
        upgrade(directory=MIGRATIONS, revision="search0001")
        downgrade(directory=MIGRATIONS, revision="ops0001")
        with db.engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                assert connection.scalar(text(
                    "SELECT count(*) FROM sqlite_master WHERE name LIKE 'commitment_search%'")) == 0
        upgrade(directory=MIGRATIONS, revision="search0001")
        downgrade(directory=MIGRATIONS, revision="trust0004sessions")  # alters tables on SQLite
        db.session.remove()
        db.engine.dispose()
