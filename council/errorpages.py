"""Every refusal is a page with a clear message and the right 4xx; never a bare 500 for bad input."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.wrappers import Response

from council.api import errors as api_errors
from council.errors import DomainError
from council.extensions import db


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _answer(status: int, title: str, message: str) -> Response | tuple[str, int]:
    if wants_json():
        return api_errors.json_error(status, message)
    return render_template("errors/error.html", status=status, title=title, message=message), status


def standard_message(status: int, error: HTTPException | None = None) -> str:
    """What a person is told about an HTTP error, in their language."""
    messages = {
        400: _("The request could not be understood."),
        401: _("Sign in first: send a personal access token as 'Authorization: Bearer <token>'."),
        403: _("You do not have permission to see this page."),
        404: _("There is nothing at this address."),
        405: _("This action is not available here."),
        410: _("This link is no longer valid."),
        413: _("The file is too large."),
        415: _("Send the request body as JSON."),
        429: _("Too many attempts. Wait a minute and try again."),
    }
    if status in messages:
        return messages[status]
    return (error.description if error is not None else None) or _("Something went wrong.")


def standard_title(status: int) -> str:
    """The heading of an error page (werkzeug's `error.name` is English only)."""
    titles = {
        400: _("Bad request"),
        401: _("Sign-in required"),
        403: _("Access denied"),
        404: _("Page not found"),
        405: _("Not available"),
        410: _("Link no longer valid"),
        413: _("File too large"),
        415: _("Wrong format"),
        429: _("Too many attempts"),
    }
    return titles.get(status, _("Something went wrong"))


def domain_error_response(error: DomainError) -> Response | tuple[str, int]:
    """A service's refusal as JSON for the API, as an error page for the browser; nothing is kept."""
    if wants_json():
        return api_errors.domain_error(error)
    db.session.rollback()
    return _answer(error.status_code, _("This cannot be done"), error.message)


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> Response | tuple[str, int]:
        return domain_error_response(error)

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
