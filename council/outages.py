"""A database that cannot be reached is answered with 503, kindly, and logged once per outage.

PostgreSQL stopped (or restarting, or a network cut) is not a bug in the request: each request during
the outage gets a page in the reader's language saying the service is briefly unavailable and that what
they sent was not saved, with `Retry-After` (the API: its JSON error, 503). The log says once that the
database went away and once that it came back (with how many requests were refused), per process,
instead of one traceback per request.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import flask_babel
from flask import Flask, current_app, g, render_template, request
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.pool import Pool
from werkzeug.wrappers import Response

from council.extensions import db, login_manager

logger = logging.getLogger(__name__)

# What SQLAlchemy raises when it cannot talk to the database: refused or lost connections (psycopg's
# OperationalError), a SQLite file that cannot be opened or is locked past its timeout.
DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


@dataclass
class Outage:
    """This process's view of the database: since when it has been unreachable, and how many
    requests were refused meanwhile. Shared by the threads of one process."""

    since: float | None = None
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refuse(self, error: BaseException, meanwhile: str = "answering 503 until it is back") -> None:
        with self.lock:
            self.refused += 1
            first = self.since is None
            if first:
                self.since = time.monotonic()
        if first:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:300]
            logger.error("Database unavailable (%s: %s); %s.", error.__class__.__name__, reason, meanwhile)

    def recovered(self) -> None:
        with self.lock:
            if self.since is None:
                return
            lasted, refused = time.monotonic() - self.since, self.refused
            self.since, self.refused = None, 0
        logger.warning("Database is back after %.0f s; %d request(s) or task(s) were refused meanwhile.",
                       lasted, refused)

    @property
    def ongoing(self) -> bool:
        return self.since is not None


OUTAGE = Outage()


def _connected(_dbapi_connection: object, _connection_record: object) -> None:
    """A new connection was made: if the database was away, it is back."""
    if OUTAGE.ongoing:
        OUTAGE.recovered()


def forget_transaction() -> None:
    """End the session's transaction after the database went away; nothing of it was committed."""
    try:
        db.session.rollback()
    except DATABASE_ERRORS:  # the connection is gone already; the session forgets it
        db.session.close()


def unavailable_response(error: BaseException) -> Response | tuple[str, int, dict[str, str]]:
    """The 503 answer: nothing of the request was kept; the page needs no database to be drawn."""
    from council.api.errors import json_error
    from council.errorpages import wants_json

    OUTAGE.refuse(error)
    forget_transaction()
    # Who is signed in cannot be looked up now: the page (and the hooks after it) treat the reader as
    # anonymous, and speak the language remembered in their session (council.i18n.select_locale).
    g._login_user = login_manager.anonymous_user()
    g.database_unavailable = True
    flask_babel.refresh()
    retry_after = str(int(current_app.config["DATABASE_RETRY_AFTER_SECONDS"]))
    headers = {"Retry-After": retry_after}
    if request.method in ("GET", "HEAD", "OPTIONS"):
        message = _("The service is briefly unavailable. Please try again in a minute.")
    else:
        message = _("The service is briefly unavailable, and what you sent was not saved. Please go "
                    "back and send it again in a minute.")
    if wants_json():
        return json_error(503, message, headers=headers)
    page = render_template("errors/unavailable.html", title=_("Service briefly unavailable"),
                           message=message, status=503)
    return page, 503, headers


def register(app: Flask) -> None:
    app.config.setdefault("DATABASE_RETRY_AFTER_SECONDS", 30)
    if not event.contains(Pool, "connect", _connected):
        event.listen(Pool, "connect", _connected)

    for error_class in DATABASE_ERRORS:
        app.register_error_handler(error_class, unavailable_response)

    # Registered after Flask-SQLAlchemy's, so it runs first (teardowns run in reverse): a connection the
    # server cut after the page was made fails its closing ROLLBACK; the answer stands (whatever the view
    # committed is committed), so that is logged once per outage instead of turning the page into a 500.
    @app.teardown_appcontext
    def close_session(error: BaseException | None) -> None:
        try:
            db.session.remove()
        except DATABASE_ERRORS as lost:
            OUTAGE.refuse(lost)
            db.session.remove()
