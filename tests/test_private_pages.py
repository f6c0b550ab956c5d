"""A signed-in person's pages and every export stay out of caches; a sign-in starts a new CSRF token.

On today's main a private page or an export sent no Cache-Control: after signing out at a shared
computer, the Back button (or a proxy between) brought the directory and the tracker back. And the
CSRF token of the page before sign-in stayed valid after it.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import page_text
from tests.factories import PASSWORD

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.mark.parametrize("path", ["/home", "/my-work", "/people/{member}", "/tracker/commitments",
                                  "/dashboard", "/profile", "/notifications", "/meetings/"])
def test_every_page_of_a_signed_in_person_is_not_stored(client, auth, world, path):
    auth.login(world.member)
    response = client.get(path.format(member=world.member.id))
    assert response.status_code == 200, path
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/tracker/commitments/export.csv", "/tracker/commitments/export.xlsx",
                                  "/tracker/recommendations/export.csv", "/dashboard/figures.csv"])
def test_every_export_is_not_stored(client, auth, world, path):
    auth.login(world.observer)
    with client.get(path) as response:  # a file: closed after reading
        assert response.status_code == 200, path
        assert "no-store" in response.headers["Cache-Control"]


def test_static_files_stay_cacheable_for_everyone(client, auth, world):
    auth.login(world.member)
    with client.get("/static/app.css") as response:
        assert response.status_code == 200
        assert "no-store" not in (response.headers.get("Cache-Control") or "")


def test_the_csrf_token_of_the_sign_in_page_dies_with_the_sign_in(make_app, world):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    before = CSRF_FIELD.search(page_text(client.get("/login"))).group(1)
    assert client.post("/login", data={"email": world.member.email, "password": PASSWORD,
                                       "csrf_token": before}).status_code == 302
    # A token planted or seen before sign-in no longer works; the one on today's pages does.
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400
    after = CSRF_FIELD.search(page_text(client.get("/profile"))).group(1)
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302
