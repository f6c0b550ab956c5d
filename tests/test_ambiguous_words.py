"""Short English words that Russian, Kazakh or Turkmen translate differently by what they are about
carry a context (pgettext): a person's name is not an organisation's, a platform member is not a
group member, an active group is not an active account."""

from __future__ import annotations

from flask_babel import force_locale

from council.directory.models import GroupRole, PlatformRole
from council.extensions import db
from tests.conftest import page_text


def test_one_english_word_two_russian_ones(app):
    with app.test_request_context(), force_locale("ru"):
        assert PlatformRole.MEMBER.label == "Участник"
        assert GroupRole.MEMBER.label == "Член"
    with app.test_request_context(), force_locale("kk"):
        assert PlatformRole.MEMBER.label == "Қатысушы"
        assert GroupRole.MEMBER.label == "Мүше"


def test_name_of_a_person_and_of_an_organisation(client, auth, world):
    world.secretary.language = "ru"
    db.session.commit()
    auth.login(world.secretary)
    assert '<th scope="col">Имя</th>' in page_text(client.get("/people"))
    assert '<th scope="col">Название</th>' in page_text(client.get("/organisations"))
    group_form = page_text(client.get(f"/groups/{world.group.id}/edit"))
    assert "Действует" in group_form
