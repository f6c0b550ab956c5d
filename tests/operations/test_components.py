"""The components page: every shared macro drawn on one page, for developers (administrators, or
anyone signed in when the app runs in debug)."""

from __future__ import annotations

from typing import Any

from tests.conftest import page_text


def test_the_components_page_draws_every_shared_component(client: Any, auth: Any, world: Any) -> None:
    auth.login(world.admin)
    response = client.get("/admin/components")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for section in ("buttons", "badges", "filters", "table", "errors", "notices", "cards"):
        assert f'<section id="{section}"' in html, section
    assert 'class="inline main-action"' in html and 'class="secondary"' in html  # the button hierarchy
    assert "Confirm: “Blocked”" in html and "data-confirm=" in html  # a stopping move: red, confirmed
    for status in ("planned", "in_progress", "reported_done", "verified", "blocked", "cancelled", "adopted"):
        assert f"badge status status-{status}" in html, status
    assert 'class="badge overdue"' in html
    assert '<form method="get" class="filters">' in html
    assert 'class="striped tracker-list stack"' in html and 'data-label="Due"' in html
    assert 'class="error-summary"' in html and 'href="#description"' in html and 'href="#due_date"' in html
    assert 'class="lang-mark"' in html and 'class="notice translation-status"' in html
    text = page_text(response)
    assert "There is a problem" in text and "International organisations" in html


def test_the_components_page_is_for_administrators_unless_in_debug(app: Any, client: Any, auth: Any,
                                                                  world: Any) -> None:
    auth.login(world.member)
    assert client.get("/admin/components").status_code == 403
    app.debug = True
    try:
        assert client.get("/admin/components").status_code == 200
    finally:
        app.debug = False
    auth.logout()
    assert client.get("/admin/components").status_code == 302  # to the sign-in page
