"""The database unreachable for a request: 503 in the reader's language, nothing saved, one log line.

No mock: for the duration of the request the app's engine points at a database that is really not
there (a SQLite file in a directory that does not exist; a PostgreSQL port nobody listens on).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from council.api import services as api_services
from council.api.models import TokenScope
from council.extensions import db
from council.notifications.models import EmailMode, NotificationPreference
from tests.conftest import free_port, page_text


def unreachable_url() -> str:
    url = make_url(str(db.engine.url))
    if url.get_backend_name() == "sqlite":
        return "sqlite:////nonexistent-council-directory/council.sqlite3"
    return url.set(host="127.0.0.1", port=free_port()).render_as_string(hide_password=False)


def listen_to_outages(caplog) -> None:
    """Alembic's logging set-up (tests/test_migrations.py runs it in this process) disables the loggers
    that existed before it; the app's own run in processes of their own."""
    logging.getLogger("council.outages").disabled = False
    caplog.set_level(logging.INFO)


@contextmanager
def database_unreachable() -> Iterator[None]:
    """Swap the app's engine for one whose database cannot be reached; afterwards the real one comes
    back with fresh connections, as after a restart of the server."""
    db.session.commit()  # the test's own session gives its connection back before the pool goes
    engines = db.engines
    real = engines[None]
    broken = create_engine(unreachable_url())
    engines[None] = broken  # type: ignore[index]
    try:
        yield
    finally:
        engines[None] = real  # type: ignore[index]
        broken.dispose()
        real.dispose()


def test_a_page_during_an_outage_is_a_503_in_the_readers_language(client, auth, world):
    world.member.language = "kk"
    db.session.commit()
    auth.login(world.member)
    assert client.get("/notifications").status_code == 200
    with database_unreachable():
        response = client.get("/notifications")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "lang=\"kk\"" in page_text(response)
    from flask_babel import force_locale
    from flask_babel import gettext as _

    with force_locale("kk"):
        expected = _("The service is briefly unavailable. Please try again in a minute.")
    assert expected in page_text(response)
    assert client.get("/notifications").status_code == 200  # back: the same session works again


def test_a_form_sent_during_an_outage_says_it_was_not_saved_and_nothing_is(client, auth, world):
    auth.login(world.member)
    with database_unreachable():
        response = client.post("/notifications/preferences",
                               data={"email_mode": EmailMode.DAILY.value, "digest_weekday": "0"})
    assert response.status_code == 503
    assert "was not saved" in page_text(response)
    assert db.session.scalar(select(NotificationPreference)
                             .where(NotificationPreference.user_id == world.member.id)) is None


def test_the_api_answers_503_in_its_json_error_form(client, world):
    _token, secret = api_services.create_token(world.member, name="outage", scope=TokenScope.READ)
    db.session.commit()
    with database_unreachable():
        response = client.get("/api/v1/recommendations", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.json["error"]["status"] == 503
    assert "unavailable" in response.json["error"]["message"]


def test_healthz_names_the_database_as_down(client):
    with database_unreachable():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["down"] == ["database"]
    assert response.json["checks"]["database"].startswith("error: ")
    assert client.get("/healthz").json == {"status": "ok", "down": [], "checks": {"database": "ok"}}


def test_an_outage_is_one_log_line_when_it_starts_and_one_when_it_ends(client, auth, world, caplog):
    auth.login(world.member)
    listen_to_outages(caplog)
    with database_unreachable():
        for _ in range(3):
            assert client.get("/notifications").status_code == 503
        assert client.post("/notifications/read").status_code == 503
    assert client.get("/notifications").status_code == 200
    problems = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert [record.name for record in problems] == ["council.outages", "council.outages"], \
        [record.getMessage() for record in problems]
    started, ended = problems
    assert "Database unavailable" in started.getMessage() and started.exc_info is None
    assert "4 request(s) or task(s) were refused" in ended.getMessage() and ended.exc_info is None


def test_a_task_during_an_outage_is_skipped_with_one_log_line(app, caplog):
    # This app's own task (another test's create_app may have made its Celery app the default).
    sweep_outbox = app.extensions["celery"].tasks["council.notifications.sweep"]
    listen_to_outages(caplog)
    with database_unreachable():
        assert sweep_outbox() == "database unavailable"
        assert sweep_outbox() == "database unavailable"
    assert sweep_outbox() == 0
    problems = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert [record.name for record in problems] == ["council.outages", "council.outages"], \
        [record.getMessage() for record in problems]
    assert "tasks are skipped" in problems[0].getMessage() and problems[0].exc_info is None
