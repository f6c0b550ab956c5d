"""Pages that show a secret once (the set-up QR code, recovery codes, a new API token, a calendar
address) are HTML that is not cached: served as text/plain, the browser (nosniff) showed their source."""

from __future__ import annotations

from typing import Any

from tests.auth.test_two_factor import set_up


def html_not_stored(response: Any) -> None:
    assert response.mimetype == "text/html", response.mimetype
    assert response.headers["Cache-Control"] == "no-store"


def test_the_pages_showing_a_secret_once_are_html_and_not_stored(client, auth, world):
    auth.login(world.member)
    html_not_stored(client.get("/profile/two-factor"))
    html_not_stored(client.post("/profile/two-factor", data={"code": "000000"}))  # refused: 422
    set_up(client, world.member.email)
    from tests.conftest import current_code

    html_not_stored(client.post("/profile/two-factor/recovery-codes",
                                data={"renew-code": current_code(world.member.email)}))
    html_not_stored(client.post("/profile/tokens", data={"token-name": "ERP", "token-scope": "read"}))
    html_not_stored(client.post("/meetings/calendar/feeds", data={}))
