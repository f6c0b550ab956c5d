"""A page reached from an e-mail link speaks the language of the person the link was sent to, not the
browser's, unless the reader picks another language with the switcher."""

from __future__ import annotations

import re

import pytest

from council.auth.services import INVITATION, PASSWORD_RESET, make_token
from council.extensions import db
from tests.conftest import page_text


def html_lang(text: str) -> str:
    match = re.search(r'<html lang="(\w+)"', text)
    assert match
    return match.group(1)


@pytest.mark.parametrize(("purpose", "path"), [(INVITATION, "/invitation"),
                                                (PASSWORD_RESET, "/password/reset")])
def test_the_link_speaks_its_owners_language(client, world, purpose, path):
    world.tm_member.language = "tk"
    db.session.commit()
    link = f"{path}/{make_token(world.tm_member, purpose)}"  # the browser asks for English

    page = page_text(client.get(link))
    assert html_lang(page) == "tk"
    mismatch = client.post(link, data={"password": "long-enough-1", "confirm": "long-enough-2"})
    assert mismatch.status_code == 422
    assert html_lang(page_text(mismatch)) == "tk"

    # The reader prefers Russian: the switcher wins.
    client.post("/language", data={"language": "ru", "next": link})
    assert html_lang(page_text(client.get(link))) == "ru"


def test_a_broken_link_speaks_the_browsers_language(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "kk"
    response = client.get("/invitation/not-a-token")
    assert response.status_code == 410
    assert html_lang(page_text(response)) == "kk"


def test_the_sign_in_page_after_signing_out_keeps_the_language(client, auth, world):
    world.member.language = "tk"
    db.session.commit()
    auth.login(world.member)
    response = client.post("/logout", follow_redirects=True)
    assert html_lang(page_text(response)) == "tk"
    assert "Siz ulgamdan çykdyňyz." in page_text(response)
