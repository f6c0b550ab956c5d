"""The webhook pages on a phone (390 px) and a desk (1366 px), in Kazakh and Turkmen: nothing scrolls
sideways; screenshots under tests/e2e/screenshots/webhooks-*.png for a human to look at."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.e2e.conftest import ACCOUNTS, MOBILE, LiveServer, Pages, horizontal_overflow, screenshot

DESK = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def endpoint_id(live_server: LiveServer) -> int:
    from council.directory.models import User
    from council.extensions import db
    from council.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
    from council.webhooks.services import new_secret

    with live_server.app_context():
        secretary = db.session.scalar(select(User).where(User.email == ACCOUNTS["secretary"]))
        endpoint = WebhookEndpoint(council_id=secretary.council_id, owner_id=secretary.id,
                                   name="Akimat system", url="https://documents.mangystau.example.kz/council/webhooks/incoming",
                                   kinds=["commitment.status_changed", "commitment.progress_reported"],
                                   secret=new_secret())
        db.session.add(endpoint)
        db.session.flush()
        db.session.add(WebhookDelivery(endpoint_id=endpoint.id,
                                       webhook_id="msg_0f3c2a9d41b84e7e9c1d2b3a4f5e6d7c",
                                       kind="commitment.status_changed", payload={}, attempts=3,
                                       state=DeliveryState.FAILED, response_code=503,
                                       last_error="HTTP 503: Service Unavailable"))
        db.session.commit()
        number = endpoint.id
        db.session.remove()
    return number


@pytest.mark.parametrize("language", ["kk", "tk"])
@pytest.mark.parametrize("width", ["390", "1366"])
def test_webhook_pages_fit_a_phone_and_a_desk(new_page: Pages, live_server: LiveServer, endpoint_id: int,
                                             language: str, width: str) -> None:
    from council.directory.models import User
    from council.extensions import db

    with live_server.app_context():
        secretary = db.session.scalar(select(User).where(User.email == ACCOUNTS["secretary"]))
        secretary.language = language
        db.session.commit()
        db.session.remove()
    page = new_page("secretary", viewport=MOBILE if width == "390" else DESK)
    new_page.watch(page).allow("422")  # the empty form, sent to show its error summary
    for name, path in (("list", "/webhooks"), ("new", "/webhooks/new"),
                       ("endpoint", f"/webhooks/{endpoint_id}")):
        page.goto(path)
        if name == "new":
            page.locator("main form button[type=submit]").click()  # the error summary too
        screenshot(page, f"webhooks-{name}-{language}-{width}")
        assert horizontal_overflow(page) == 0, (name, language, width)
