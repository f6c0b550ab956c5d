"""Every refusal is a page with a clear message and the right 4xx; never a bare 500 for bad input."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.wrappers import Response

from council.api import errors as api_errors
from council.conflicts import conflict_for
from council.errors import DomainError
from council.extensions import db
from council.http_messages import standard_message, standard_title


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _answer(status: int, title: str, message: str) -> Response | tuple[str, int]:
    if wants_json():
        return api_errors.json_error(status, message)
    return render_template("errors/error.html", status=status, title=title, message=message), status


def domain_error_response(error: DomainError) -> Response | tuple[str, int]:
    """A service's refusal as JSON for the API, as an error page for the browser; nothing is kept."""
    if wants_json():
        return api_errors.domain_error(error)
    db.session.rollback()
    status = error.status_code
    # A refusal of permission and a missing record have their own headings; other refusals say
    # that this cannot be done (the message says why).
    title = standard_title(status) if status in (403, 404) else _("This cannot be done")
    return _answer(status, title, error.message)


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> Response | tuple[str, int]:
        return domain_error_response(error)

    # A duplicate that reaches the commit in a view is answered like any other Conflict.
    @app.errorhandler(IntegrityError)
    def integrity_error(error: IntegrityError) -> Response | tuple[str, int]:
        db.session.rollback()
        conflict = conflict_for(error)
        if conflict is None:
            raise error
        return domain_error_response(conflict)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Response | tuple[str, int]:
        return _answer(400, _("The form has expired"),
                       _("The page was open too long or was sent twice. Go back, reload the page "
                         "and send the form again."))

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError) -> Response:
        """A Host this instance does not serve (TRUSTED_HOSTS): no page, since no link can be built."""
        return Response(_("The request could not be understood."), 400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | tuple[str, int]:
        if wants_json():
            return api_errors.http_error(error)
        status = error.code or 500
        return _answer(status, standard_title(status), standard_message(status, error))
